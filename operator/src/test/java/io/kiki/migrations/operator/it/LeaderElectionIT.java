package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.MigrationsOperator;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.config.OperatorSettings;
import io.kiki.migrations.operator.status.Reasons;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Two operators with leader election on the same API server, as the two replicas of overlays/ha:
 * only the holder of the Lease reconciles; when it stops, the standby takes the Lease over and
 * carries on.
 */
class LeaderElectionIT extends MockClusterTestBase {
  static final String FIRST = "operator-a";
  static final String SECOND = "operator-b";
  // Short, so that the takeover (the Lease expiring: JOSDK does not release it on stop) takes
  // seconds, but with a
  // renew deadline that a busy test machine does not miss.
  static final Duration LEASE_DURATION = Duration.ofSeconds(4);
  static final Duration RENEW_DEADLINE = Duration.ofSeconds(3);
  static final Duration RETRY_PERIOD = Duration.ofMillis(500);

  /**
   * Identities that stopped leading without close(); in production the process would have exited.
   */
  final List<String> lostLeadership = new CopyOnWriteArrayList<>();

  final Set<MigrationsOperator> closed = ConcurrentHashMap.newKeySet();

  /** The operator MockClusterTestBase starts before each test: the first replica. */
  @Override
  MigrationsOperator newOperator() {
    return elected(FIRST, metrics);
  }

  MigrationsOperator elected(String identity, MeterRegistry registry) {
    OperatorConfig config =
        OperatorConfig.defaults()
            .fast()
            .with(OperatorSettings.WATCH_NAMESPACES, Set.of(namespace))
            .with(OperatorSettings.LEADER_ELECTION, true)
            .with(OperatorSettings.LEADER_ELECTION_NAMESPACE, namespace)
            .with(OperatorSettings.LEADER_ELECTION_IDENTITY, identity)
            .with(OperatorSettings.LEASE_DURATION, LEASE_DURATION)
            .with(OperatorSettings.RENEW_DEADLINE, RENEW_DEADLINE)
            .with(OperatorSettings.RETRY_PERIOD, RETRY_PERIOD)
            .with(OperatorSettings.PLAN_THEN_MIGRATE, planThenMigrate());
    return new MigrationsOperator(client, config, registry) {
      @Override
      protected void leadershipLost() {
        lostLeadership.add(identity);
      }
    };
  }

  @Test
  void onlyTheLeaseHolderReconcilesAndTheStandbyTakesOverWhenTheLeaderStops() throws Exception {
    PrometheusMeterRegistry secondMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MigrationsOperator second = elected(SECOND, secondMetrics);
    second.start();
    try {
      runTakeover(
          Map.of(FIRST, operator, SECOND, second), Map.of(FIRST, metrics, SECOND, secondMetrics));
    } finally {
      // The base class closes `operator`: after the takeover the standby; the closed leader is not
      // closed twice.
      if (operator != second && !closed.contains(second)) {
        second.close();
      }
    }
  }

  private void runTakeover(
      Map<String, MigrationsOperator> operators, Map<String, MeterRegistry> registries)
      throws Exception {

    await().atMost(TIMEOUT).until(() -> holder() != null);
    String leader = holder();
    assertThat(leader).isIn(FIRST, SECOND);
    String standby = leader.equals(FIRST) ? SECOND : FIRST;
    assertThat(client.leases().inNamespace(namespace).list().getItems())
        .singleElement()
        .satisfies(
            lease ->
                assertThat(lease.getMetadata().getName()).isEqualTo(OperatorConfig.LEASE_NAME));

    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setTargetRevision("b2");
    create(resource);
    DatabaseMigration first = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(first, "Ready", "True", Reasons.SUCCEEDED, 1);
    assertThat(revision()).isEqualTo("b2");
    assertThat(kubelet.jobNames())
        .containsExactly("kiki-campaigns-plan-1", "kiki-campaigns-migrate-1");
    assertThat(holder()).isEqualTo(leader);
    assertThat(reconciliations(registries.get(leader))).as("the leader reconciled").isPositive();
    assertThat(reconciliations(registries.get(standby)))
        .as("the standby did not reconcile")
        .isZero();

    // Closed, not deposed: close() cancels the election without exiting; the Lease stays until it
    // expires.
    long stopped = System.nanoTime();
    MigrationsOperator closing = operators.get(leader);
    operator = operators.get(standby);
    closing.close();
    closed.add(closing);
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> standby.equals(holder()));
    Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
    assertThat(takeover)
        .as("the standby took the Lease over once it expired")
        .isLessThan(LEASE_DURATION.multipliedBy(3));

    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setTargetRevision("head");
          return r;
        });
    DatabaseMigration secondRollout = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(secondRollout, "Ready", "True", Reasons.SUCCEEDED, 2);
    assertThat(revision()).isEqualTo("c3");
    assertThat(secondRollout.getStatus().getHistory()).extracting("to").containsExactly("c3", "b2");
    assertThat(kubelet.jobNames())
        .containsExactly(
            "kiki-campaigns-plan-1",
            "kiki-campaigns-migrate-1",
            "kiki-campaigns-plan-2",
            "kiki-campaigns-migrate-2");
    assertThat(reconciliations(registries.get(standby)))
        .as("the new leader reconciled")
        .isPositive();
    assertThat(holder()).isEqualTo(standby);
    assertThat(lostLeadership).isEmpty();
  }

  /**
   * A leader that finds another holder in the Lease stops leading; in production leadershipLost()
   * exits.
   */
  @Test
  void aLeaderThatLosesTheLeaseStops() {
    await().atMost(TIMEOUT).until(() -> FIRST.equals(holder()));
    assertThat(lostLeadership).isEmpty();
    // The leader renews the Lease meanwhile: an edit that races a renewal gets 409 and is tried
    // again on the renewed Lease, as any writer of a Lease must.
    await()
        .atMost(TIMEOUT)
        .ignoreExceptionsMatching(
            e ->
                e instanceof KubernetesClientException k
                    && k.getCode() == HttpURLConnection.HTTP_CONFLICT)
        .until(
            () ->
                client
                        .leases()
                        .inNamespace(namespace)
                        .withName(OperatorConfig.LEASE_NAME)
                        .edit(
                            lease -> {
                              lease.getSpec().setHolderIdentity("intruder");
                              lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                              lease.getSpec().setLeaseDurationSeconds(60);
                              return lease;
                            })
                    != null);
    await().atMost(TIMEOUT).until(() -> lostLeadership.contains(FIRST));
    assertThat(lostLeadership).containsExactly(FIRST);
    assertThat(holder()).isEqualTo("intruder");
  }

  String holder() {
    Lease lease = client.leases().inNamespace(namespace).withName(OperatorConfig.LEASE_NAME).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /** JOSDK's count of reconciliations this operator started (MicrometerMetrics). */
  static double reconciliations(MeterRegistry registry) {
    return registry.find("operator.sdk.reconciliations.started").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
