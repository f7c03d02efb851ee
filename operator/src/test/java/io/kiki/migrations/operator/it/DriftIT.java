package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DriftPolicy;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A database moved under a Ready resource without a rollout (spec.driftPolicy): reported within one
 * spec.driftCheckInterval, and with Reconcile brought back by a rollout of the same generation,
 * except where a rollout must not start.
 */
class DriftIT extends MockClusterTestBase {
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  private DatabaseMigration ready(DriftPolicy policy) throws Exception {
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setDriftPolicy(policy);
    resource.getSpec().setDriftCheckInterval("10s");
    create(resource);
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(revision()).isEqualTo("c3");
    return ready;
  }

  private DatabaseMigration awaitDrifted(Instant movedAt) {
    DatabaseMigration drifted = awaitPhase("kiki-campaigns", Phase.Drifted);
    // One interval, plus the slack of a loaded machine's timers.
    assertThat(Duration.between(movedAt, Instant.now())).isLessThan(INTERVAL.plusSeconds(3));
    return drifted;
  }

  @Test
  void reportSaysWhereTheDatabaseIsAndIsReadyAgainOnceItIsBack() throws Exception {
    ready(DriftPolicy.Report);
    Instant movedAt = Instant.now();
    stamp("b2");
    DatabaseMigration drifted = awaitDrifted(movedAt);
    assertCondition(drifted, "Ready", "False", Reasons.DRIFTED, 1);
    assertCondition(drifted, "Stalled", "True", Reasons.DRIFTED, 1);
    assertCondition(drifted, "Drifted", "True", Reasons.REVISION_CHANGED, 1);
    assertThat(drifted.getStatus().getMessage())
        .contains("is at b2, not at c3")
        .contains("spec.driftPolicy is Report")
        .contains("change spec.retryToken");
    assertThat(drifted.getStatus().getCurrentRevision()).isEqualTo("b2");

    // Two more intervals at the same revision: no second event, nothing written to the database.
    Thread.sleep(INTERVAL.multipliedBy(2).toMillis());
    assertThat(eventReasons("kiki-campaigns")).containsOnlyOnce(Reasons.DRIFTED);
    assertThat(revision()).isEqualTo("b2");

    stamp("c3");
    DatabaseMigration back = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(back, "Ready", "True", Reasons.UP_TO_DATE, 1);
    assertCondition(back, "Drifted", "False", Reasons.AT_TARGET, 1);
    assertThat(kubelet.jobNames())
        .containsExactly("kiki-campaigns-plan-1", "kiki-campaigns-migrate-1");
  }

  @Test
  void reconcileRollsTheDatabaseBackToTheTargetAsADriftRollout() throws Exception {
    ready(DriftPolicy.Reconcile);
    Instant movedAt = Instant.now();
    stamp("a1");
    await()
        .atMost(INTERVAL.plusSeconds(3))
        .until(() -> kubelet.jobNames().contains("kiki-campaigns-plan-1-drift1"));
    DatabaseMigration back =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> get("kiki-campaigns"),
                d ->
                    d.getStatus().getPhase() == Phase.Ready
                        && d.getStatus().getHistory().size() == 2);
    assertThat(Duration.between(movedAt, Instant.now())).isLessThan(TIMEOUT);
    assertThat(revision()).isEqualTo("c3");
    assertCondition(back, "Ready", "True", Reasons.SUCCEEDED, 1);
    assertCondition(back, "Drifted", "False", Reasons.AT_TARGET, 1);
    assertThat(back.getMetadata().getGeneration()).isEqualTo(1L);
    var entry = back.getStatus().getHistory().get(0);
    assertThat(entry.getTrigger()).isEqualTo("Drift");
    assertThat(entry.getId()).isEqualTo("1-drift1");
    assertThat(entry.getFrom()).isEqualTo("a1");
    assertThat(entry.getTo()).isEqualTo("c3");
    assertThat(back.getStatus().getHistory().get(1).getTrigger()).isNull();
    assertThat(kubelet.jobNames())
        .containsExactly(
            "kiki-campaigns-plan-1",
            "kiki-campaigns-migrate-1",
            "kiki-campaigns-plan-1-drift1",
            "kiki-campaigns-migrate-1-drift1");
    assertThat(eventReasons("kiki-campaigns")).contains(Reasons.DRIFTED);
  }

  @Test
  void reconcileStopsAtThePlanForARevisionTheImageDoesNotKnow() throws Exception {
    ready(DriftPolicy.Reconcile);
    stamp("f00d");
    DatabaseMigration blocked =
        await()
            .atMost(TIMEOUT)
            .until(() -> get("kiki-campaigns"), d -> d.getStatus().getPhase() == Phase.Blocked);
    assertCondition(blocked, "Stalled", "True", Reasons.UNKNOWN_CURRENT_REVISION, 1);
    assertCondition(blocked, "Drifted", "True", Reasons.REVISION_CHANGED, 1);
    // status.appliedImage is the image that does not know f00d: stamp, not "run the applied image".
    assertThat(blocked.getStatus().getMessage())
        .contains("status.appliedImage is this same image", "Stamp the revision", "retryToken")
        .doesNotContain("which can downgrade it");
    assertThat(blocked.getStatus().getHistory().get(0).getTrigger()).isEqualTo("Drift");
    assertThat(kubelet.jobNames()).noneMatch(name -> name.contains("migrate-1-drift"));
    assertThat(kubelet.jobNames()).noneMatch(name -> name.contains("backup"));
    assertThat(revision()).isEqualTo("f00d");
    // Blocked holds: no second drift rollout at the next interval.
    Thread.sleep(INTERVAL.plusSeconds(2).toMillis());
    assertThat(kubelet.jobNames()).filteredOn(name -> name.contains("drift")).hasSize(1);
  }

  @Test
  void reconcileNeverStartsFromAnEmptiedVersionTable() throws Exception {
    ready(DriftPolicy.Reconcile);
    stamp("base");
    DatabaseMigration drifted = awaitDrifted(Instant.now());
    assertCondition(drifted, "Stalled", "True", Reasons.DRIFTED, 1);
    assertThat(drifted.getStatus().getMessage())
        .contains("is at base")
        .contains("no rollout starts")
        .contains("version table is gone or empty");
    Thread.sleep(INTERVAL.plusSeconds(2).toMillis());
    assertThat(kubelet.jobNames()).noneMatch(name -> name.contains("drift"));
    assertThat(get("kiki-campaigns").getStatus().getPhase()).isEqualTo(Phase.Drifted);
  }
}
