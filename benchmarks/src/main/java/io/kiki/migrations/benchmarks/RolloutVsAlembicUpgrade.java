package io.kiki.migrations.benchmarks;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kiki.migrations.e2e.sandbox.PostgresUrl;
import io.kiki.migrations.e2e.sandbox.Sandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole rollout on the sandbox (resource created → phase Ready; plan and migrate Jobs run by the
 * real runner, no backup, no checks) against a bare {@code alembic upgrade head} of the same
 * project, each on a fresh database of the same server. Two variants of spec.verify: the CRD's
 * defaults, and a soak (3 rounds 2 s apart, as the sandbox sample asks) still without checks.
 */
final class RolloutVsAlembicUpgrade implements Figure {

  private static final String NAMESPACE = "bench-rollout";
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @Override
  public String name() {
    return "rollout";
  }

  @Override
  public String title() {
    return "whole rollout (no backup, no checks) / bare `alembic upgrade head`, each on a fresh database";
  }

  @Override
  public String goal() {
    return "<= 1.5x with no checks configured; with checks, nothing beyond the rounds asked for";
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    Sandbox sandbox = bench.sandbox();
    KubernetesClient client = sandbox.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .createOr(NonDeletingOperation::update);
    Samples alembic = new Samples();
    Samples defaults = new Samples();
    Samples soak = new Samples();
    int database = 0;
    for (int run = 0; run < bench.runs(); run++) {
      PostgresUrl bare = sandbox.postgres().createDatabase("bench_alembic_" + run);
      alembic.add(
          Processes.timed(
                  List.of(
                      "/usr/bin/python3",
                      "-m",
                      "alembic",
                      "-c",
                      bench.alembicIni().toString(),
                      "upgrade",
                      "head"),
                  Map.of("KIKI_DATABASE_URL", bare.sqlalchemyUrl()),
                  bench.workDir().resolve("alembic.log"))
              .wallSeconds());
      defaults.addNanos(
          rollout(client, sandbox, "defaults-" + run, "bench_rollout_" + database++, ""));
      soak.addNanos(
          rollout(
              client,
              sandbox,
              "soak-" + run,
              "bench_rollout_" + database++,
              "  verify: {interval: 2s, successThreshold: 3, timeout: 2m}\n"));
    }
    return List.of(
        new Line(
            "rollout, spec.verify defaults, no checks", defaults, "alembic upgrade head", alembic),
        new Line(
            "rollout, verify 3 rounds 2s apart, no checks", soak, "alembic upgrade head", alembic));
  }

  /**
   * Nanoseconds from creating the resource until the API server holds it Ready at its generation.
   */
  private static long rollout(
      KubernetesClient client, Sandbox sandbox, String name, String databaseName, String verify)
      throws Exception {
    return SandboxRollouts.rollout(
            client, sandbox, NAMESPACE, name, databaseName, verify, Duration.ofMillis(5), TIMEOUT)
        .nanos();
  }
}
