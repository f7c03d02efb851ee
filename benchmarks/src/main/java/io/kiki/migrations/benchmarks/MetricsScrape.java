package io.kiki.migrations.benchmarks;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.status.Reasons;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The /metrics scrape of one operator whose registry holds the series of N resources (default
 * 10,000, {@code -Dbenchmark.scrape.resources}), each observed Ready after one rollout with a
 * backup: the time to render it, and its size in bytes (printed per run). Baseline: a registry with
 * the operator's fixed meters only (the JVM and process meters its Main binds; no resource seen).
 * The size is also asserted, as a test, by the operator's OperatorMetricsScaleTest; here it is
 * printed.
 */
final class MetricsScrape implements Figure {

  static final int RESOURCES = Integer.getInteger("benchmark.scrape.resources", 10_000);

  @Override
  public String name() {
    return "scrape";
  }

  @Override
  public String title() {
    return "/metrics render time and size with "
        + String.format("%,d", RESOURCES)
        + " resources' series / the operator's fixed meters only";
  }

  @Override
  public String goal() {
    return "<= 1 MB at 10,000 resources (issue 15 measured 12 MB, 140,007 series, 0.6 s)";
  }

  @Override
  public List<Line> measure(Bench bench) {
    PrometheusMeterRegistry fixed = operatorRegistry();
    new OperatorMetrics(fixed);
    PrometheusMeterRegistry full = operatorRegistry();
    OperatorMetrics metrics = new OperatorMetrics(full);
    for (int i = 0; i < RESOURCES; i++) {
      DatabaseMigration resource = resource(i);
      for (RolloutStage stage :
          new RolloutStage[] {RolloutStage.Plan, RolloutStage.Backup, RolloutStage.Migrate}) {
        metrics.stageFinished(resource, stage, "succeeded", Duration.ofMillis(300 + i % 700));
      }
      metrics.backupTaken(resource, 24_000_000L + i);
      metrics.rolloutFinished(resource, Phase.Ready, Reasons.SUCCEEDED);
      metrics.observe(resource, ready());
    }
    Samples withResources = new Samples();
    Samples baseline = new Samples();
    for (int run = 0; run < bench.runs(); run++) {
      Scrape base = Scrape.of(fixed);
      Scrape measured = Scrape.of(full);
      baseline.addNanos(base.nanos());
      withResources.addNanos(measured.nanos());
      System.out.printf(
          "    run %d: %,d bytes, %,d series (fixed meters only: %,d bytes, %,d series)%n",
          run + 1, measured.bytes(), measured.series(), base.bytes(), base.series());
    }
    return List.of(
        new Line(
            String.format("render /metrics, %,d resources", RESOURCES),
            withResources,
            "render /metrics, fixed meters only",
            baseline));
  }

  /** A registry with the meters the operator's Main binds before any resource is seen. */
  private static PrometheusMeterRegistry operatorRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return registry;
  }

  private record Scrape(long nanos, int bytes, long series) {
    static Scrape of(PrometheusMeterRegistry registry) {
      long start = System.nanoTime();
      String text = registry.scrape();
      long nanos = System.nanoTime() - start;
      return new Scrape(
          nanos,
          text.getBytes(StandardCharsets.UTF_8).length,
          text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count());
    }
  }

  private static DatabaseMigration resource(int i) {
    DatabaseMigration resource = new DatabaseMigration();
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("kiki")
            .withName(String.format("campaigns-%05d", i))
            .build());
    return resource;
  }

  private static DatabaseMigrationStatus ready() {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    status.setPhase(Phase.Ready);
    status.setCurrentRevision("3f2a9c1e4b7d");
    status.setAppliedImage("registry.example.com/kiki/migrations:1.6.0");
    return status;
  }
}
