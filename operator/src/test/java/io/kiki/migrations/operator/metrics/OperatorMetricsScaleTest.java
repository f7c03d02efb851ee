package io.kiki.migrations.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.status.Reasons;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The size of the /metrics scrape of one operator with 10,000 resources (issue 15 measured 12 MB
 * and 140,007 series before per-resource series were bounded): each resource is observed Ready, and
 * in the second case has also been through one rollout with a backup. Not a timing: the size
 * depends only on which series exist.
 */
class OperatorMetricsScaleTest {
  static final int RESOURCES = 10_000;
  static final int MAX_SCRAPE_BYTES = 1_000_000;

  @Test
  void tenThousandIdleResourcesScrapeUnderOneMegabyte() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    for (int i = 0; i < RESOURCES; i++) {
      metrics.observe(resource(i), ready());
    }
    assertThat(measure("idle", registry)).isLessThanOrEqualTo(MAX_SCRAPE_BYTES);
  }

  @Test
  void tenThousandResourcesAfterOneRolloutEachScrapeUnderOneMegabyte() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
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
    assertThat(measure("after one rollout each", registry)).isLessThanOrEqualTo(MAX_SCRAPE_BYTES);
  }

  private static int measure(String label, PrometheusMeterRegistry registry) {
    long start = System.nanoTime();
    String scrape = registry.scrape();
    long millis = (System.nanoTime() - start) / 1_000_000;
    int bytes = scrape.getBytes(StandardCharsets.UTF_8).length;
    long series = scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    System.out.printf(
        "%,d resources, %s: %,d series, %,d bytes, scrape rendered in %d ms%n",
        RESOURCES, label, series, bytes, millis);
    return bytes;
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
