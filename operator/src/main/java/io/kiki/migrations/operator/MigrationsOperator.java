package io.kiki.migrations.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.kiki.migrations.operator.controller.DatabaseMigrationReconciler;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The operator, embeddable: {@code new MigrationsOperator(client, config).start()}; {@link #close()} stops it
 * gracefully (the client stays open: it belongs to the caller, who may close it once close() returned).
 */
public class MigrationsOperator implements AutoCloseable {
  private final Operator operator;

  public MigrationsOperator(KubernetesClient client, OperatorConfig config) {
    this(client, config, new SimpleMeterRegistry());
  }

  /** With the registry that /metrics serves: the operator's own metrics and JOSDK's reconciliation metrics. */
  public MigrationsOperator(KubernetesClient client, OperatorConfig config, MeterRegistry registry) {
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
          .withCloseClientOnStop(false)
          // close() waits for reconciliations in flight, so none outlives it (JOSDK's default is not to wait).
          .withReconciliationTerminationTimeout(config.shutdownTimeout())
          // The operator patches without server-side apply (the Fabric8 mock server has none), in production too.
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false);
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(config.leaderElectionNamespace() == null
            ? new LeaderElectionConfiguration(OperatorConfig.LEASE_NAME)
            : new LeaderElectionConfiguration(OperatorConfig.LEASE_NAME, config.leaderElectionNamespace()));
      }
    });
    GenericRetry retry = new GenericRetry()
        .setInitialInterval(config.transientRetryInitial().toMillis())
        .setIntervalMultiplier(2)
        .setMaxInterval(config.transientRetryMax().toMillis())
        .withoutMaxAttempts();
    operator.register(new DatabaseMigrationReconciler(client, config, new OperatorMetrics(registry)), c -> {
      c.withName(DatabaseMigrationReconciler.NAME).withRetry(retry);
      if (config.watchesAllNamespaces()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(config.watchNamespaces());
      }
    });
  }

  public void start() {
    operator.start();
  }

  /**
   * Stops watching, then waits up to {@link OperatorConfig#shutdownTimeout()} for reconciliations in flight to finish
   * (their status writes included) before it returns.
   */
  @Override
  public void close() {
    operator.stop();
  }
}
