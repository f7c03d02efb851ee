package io.kiki.migrations.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.kiki.migrations.operator.controller.DatabaseMigrationCloner;
import io.kiki.migrations.operator.controller.DatabaseMigrationReconciler;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator, embeddable: {@code new MigrationsOperator(client, config).start()}; {@link
 * #close()} stops it gracefully (the client stays open: it belongs to the caller, who may close it
 * once close() returned).
 */
public class MigrationsOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationsOperator.class);

  private final Operator operator;
  private volatile boolean closing;

  public MigrationsOperator(KubernetesClient client, OperatorConfig config) {
    this(client, config, new SimpleMeterRegistry());
  }

  /**
   * With the registry that /metrics serves: the operator's own metrics and JOSDK's reconciliation
   * metrics.
   */
  public MigrationsOperator(
      KubernetesClient client, OperatorConfig config, MeterRegistry registry) {
    this(client, config, registry, Clock.systemUTC());
  }

  /**
   * With the clock the rollouts read "now" from (maintenance windows, stage times): the system's in
   * production, a controllable one in tests.
   */
  public MigrationsOperator(
      KubernetesClient client, OperatorConfig config, MeterRegistry registry, Clock clock) {
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withCloseClientOnStop(false)
                  // close() waits for reconciliations in flight, so none outlives it (JOSDK's
                  // default is not to wait).
                  .withReconciliationTerminationTimeout(config.shutdownTimeout())
                  // The operator patches without server-side apply (the Fabric8 mock server has
                  // none), in production too.
                  .withUseSSAToPatchPrimaryResource(false)
                  // The status written by a reconcile stays in the cache until the informer has
                  // that version or a later one
                  // (StatusRecorder.write), also when one reconcile writes twice; without it, the
                  // second write's cache entry is
                  // dropped and the next reconcile could see the status from before the first.
                  .withParseResourceVersions(true)
                  .withResourceCloner(
                      new DatabaseMigrationCloner(client.getKubernetesSerialization()))
                  .withSSABasedCreateUpdateMatchForDependentResources(false);
              if (config.leaderElection()) {
                // A null namespace is JOSDK's default (the client's namespace), a null identity too
                // (HOSTNAME, else a UUID).
                // JOSDK's exitOnStopLeading would also exit when close() cancels the election (from
                // the SIGTERM shutdown
                // hook, where System.exit blocks forever); the callback below exits only when
                // leadership is lost.
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        OperatorConfig.LEASE_NAME,
                        config.leaderElectionNamespace(),
                        config.leaseDuration(),
                        config.renewDeadline(),
                        config.retryPeriod(),
                        config.leaderElectionIdentity(),
                        new LeaderCallbacks(() -> {}, this::stoppedLeading, leader -> {}),
                        false));
              }
            });
    GenericRetry retry =
        new GenericRetry()
            .setInitialInterval(config.transientRetryInitial().toMillis())
            .setIntervalMultiplier(2)
            .setMaxInterval(config.transientRetryMax().toMillis())
            .withoutMaxAttempts();
    operator.register(
        new DatabaseMigrationReconciler(client, config, new OperatorMetrics(registry), clock),
        c -> {
          c.withName(DatabaseMigrationReconciler.NAME).withRetry(retry);
          if (config.watchesAllNamespaces()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(config.watchNamespaces());
          }
        });
  }

  private void stoppedLeading() {
    if (!closing) {
      LOG.error(
          "Lost the Lease {}: another replica may be reconciling now; stopping",
          OperatorConfig.LEASE_NAME);
      leadershipLost();
    }
  }

  /**
   * Called when this replica stopped leading without {@link #close()}: it must not reconcile any
   * more, and JOSDK does not stop event processing, so the process exits (the Pod restarts and
   * joins as a standby).
   */
  protected void leadershipLost() {
    System.exit(1);
  }

  public void start() {
    operator.start();
  }

  /**
   * Stops watching, then waits up to {@link OperatorConfig#shutdownTimeout()} for reconciliations
   * in flight to finish (their status writes included) before it returns.
   */
  @Override
  public void close() {
    closing = true;
    operator.stop();
  }
}
