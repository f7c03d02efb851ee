package io.kiki.migrations.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DriftPolicy;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import org.junit.jupiter.api.Test;

/**
 * Fields that only steer the operator (suspend, the Jobs history limits, drift) start no rollout on
 * a resource at rest: a suspend/resume cycle adds no Job and no history entry, and a restarted
 * operator decides the same; a rollout that finds nothing to do does not push the real rollout's
 * Jobs out of successfulJobsHistoryLimit.
 */
class SteeringChangesIT extends MockClusterTestBase {
  @Test
  void suspendResumeAndLimitsAtRestStartNoRollout() throws Exception {
    create(fixture("basic.yaml"));
    awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(jobsInApi()).containsExactly("kiki-campaigns-migrate-1", "kiki-campaigns-plan-1");

    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setSuspend(true);
          return r;
        });
    awaitPhase("kiki-campaigns", Phase.Ready);
    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setSuspend(false);
          r.getSpec().setSuccessfulJobsHistoryLimit(1);
          r.getSpec().setDriftPolicy(DriftPolicy.Reconcile);
          return r;
        });
    restartOperator();
    DatabaseMigration resumed = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(resumed.getStatus().getObservedGeneration()).isEqualTo(3L);
    assertThat(resumed.getStatus().getHistory()).hasSize(1);
    assertThat(resumed.getStatus().getRollout().getId()).isEqualTo("1");
    assertThat(resumed.getStatus().getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
    assertThat(jobsInApi()).containsExactly("kiki-campaigns-migrate-1", "kiki-campaigns-plan-1");
    assertThat(eventReasons("kiki-campaigns")).contains(Reasons.SUSPENDED);

    // A retryToken asks for a rollout: its plan finds the database at the target.
    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setRetryToken("again");
          return r;
        });
    DatabaseMigration again = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(again.getStatus().getHistory()).hasSize(2);
    assertThat(again.getStatus().getHistory().get(0).getReason()).isEqualTo(Reasons.UP_TO_DATE);
    assertThat(jobsInApi())
        .as("limit 1: the no-op rollout does not push the migration's Jobs out")
        .contains("kiki-campaigns-migrate-1", "kiki-campaigns-plan-1", "kiki-campaigns-plan-4");
  }
}
