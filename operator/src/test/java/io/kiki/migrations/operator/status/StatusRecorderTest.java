package io.kiki.migrations.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusRecorderTest {
  final Instant t0 = Instant.parse("2026-11-24T05:00:00Z");
  final Instant t1 = t0.plusSeconds(30);

  @Test
  void lastTransitionTimeChangesOnlyWhenTheStatusChanges() {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    StatusRecorder.progressing(status, Phase.Planning, Reasons.PLANNING, "planning", 2, t0);
    StatusRecorder.progressing(status, Phase.Migrating, Reasons.MIGRATING, "migrating", 2, t1);
    Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
    assertThat(reconciling.getStatus()).isEqualTo("True");
    assertThat(reconciling.getReason()).isEqualTo(Reasons.MIGRATING);
    assertThat(reconciling.getLastTransitionTime()).isEqualTo("2026-11-24T05:00:00Z");

    StatusRecorder.ready(status, Reasons.SUCCEEDED, "done", 2, t1);
    assertThat(StatusRecorder.find(status, ConditionTypes.READY).getLastTransitionTime())
        .isEqualTo("2026-11-24T05:00:30Z");
    assertThat(StatusRecorder.find(status, ConditionTypes.RECONCILING).getStatus())
        .isEqualTo("False");
    assertThat(StatusRecorder.find(status, ConditionTypes.STALLED).getLastTransitionTime())
        .isEqualTo("2026-11-24T05:00:00Z");
    assertThat(status.getConditions())
        .extracting(Condition::getType)
        .containsExactly("Ready", "Reconciling", "Stalled");
    assertThat(status.getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(2L));
    assertThat(status.getObservedGeneration()).isEqualTo(2L);
    assertThat(status.getPhase()).isEqualTo(Phase.Ready);
  }

  @Test
  void stalledAndTransientBookkeeping() {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    StatusRecorder.stalled(
        status,
        Phase.Failed,
        Reasons.MIGRATION_FAILED,
        "failed on postgresql://kiki:s3cret@db/kiki",
        4,
        t0);
    assertThat(status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(StatusRecorder.find(status, ConditionTypes.STALLED).getStatus()).isEqualTo("True");
    assertThat(status.getMessage()).doesNotContain("s3cret");
    assertThat(StatusRecorder.find(status, ConditionTypes.STALLED).getMessage())
        .doesNotContain("s3cret");

    StatusRecorder.transientProblem(
        status, Reasons.DATABASE_UNREACHABLE, "connection refused", 5, t1);
    assertThat(status.getPhase())
        .as("a terminal phase is not kept for a new attempt")
        .isEqualTo(Phase.Pending);
    assertThat(StatusRecorder.find(status, ConditionTypes.RECONCILING).getReason())
        .isEqualTo(Reasons.DATABASE_UNREACHABLE);
    assertThat(StatusRecorder.find(status, ConditionTypes.STALLED).getStatus()).isEqualTo("False");

    status.setPhase(Phase.Migrating);
    StatusRecorder.transientProblem(
        status, Reasons.DATABASE_UNREACHABLE, "connection refused", 5, t1);
    assertThat(status.getPhase()).as("an active phase is kept").isEqualTo(Phase.Migrating);
  }

  @Test
  void historyIsNewestFirstAndCappedAtTen() {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    for (int i = 1; i <= 12; i++) {
      HistoryEntry entry = new HistoryEntry();
      entry.setId(String.valueOf(i));
      StatusRecorder.addHistory(status, entry);
    }
    assertThat(status.getHistory()).hasSize(10);
    assertThat(status.getHistory().get(0).getId()).isEqualTo("12");
    assertThat(status.getHistory().get(9).getId()).isEqualTo("3");
  }
}
