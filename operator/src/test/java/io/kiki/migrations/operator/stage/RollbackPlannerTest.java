package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RollbackStrategy;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.status.Reasons;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollbackPlannerTest {
  static final String CAUSE = Reasons.HEALTH_CHECK_FAILED;

  static StageResult begin(RollbackStrategy strategy, List<String> irreversible, String backup) {
    return RollbackPlanner.begin(strategy, irreversible, backup, CAUSE, "checks failed", "c3");
  }

  @Test
  void downgradeStrategies() {
    assertThat(next(begin(RollbackStrategy.Downgrade, List.of(), null)))
        .isEqualTo(RolloutStage.Rollback);
    assertThat(next(begin(RollbackStrategy.DowngradeThenRestore, List.of(), "b.dump")))
        .isEqualTo(RolloutStage.Rollback);
    assertThat(((StageResult.Undo) begin(RollbackStrategy.Downgrade, List.of(), null)).reason())
        .isEqualTo(CAUSE);
  }

  @Test
  void irreversibleStepsNeedTheBackup() {
    assertThat(next(begin(RollbackStrategy.Downgrade, List.of("c3"), "b.dump")))
        .isEqualTo(RolloutStage.Restore);
    assertThat(next(begin(RollbackStrategy.DowngradeThenRestore, List.of("c3"), "b.dump")))
        .isEqualTo(RolloutStage.Restore);
    StageResult impossible = begin(RollbackStrategy.DowngradeThenRestore, List.of("c3"), null);
    assertThat(impossible).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) impossible).reason())
        .isEqualTo(Reasons.IRREVERSIBLE_WITHOUT_BACKUP);
    assertThat(((StageResult.Failed) impossible).outcome()).isEqualTo(Phase.Failed);
  }

  @Test
  void restoreAndNone() {
    assertThat(next(begin(RollbackStrategy.Restore, List.of(), "b.dump")))
        .isEqualTo(RolloutStage.Restore);
    assertThat(((StageResult.Failed) begin(RollbackStrategy.Restore, List.of(), null)).reason())
        .isEqualTo(Reasons.NO_BACKUP);
    StageResult none = begin(RollbackStrategy.None, List.of(), "b.dump");
    assertThat(((StageResult.Failed) none).reason()).isEqualTo(Reasons.VERIFY_FAILED);
    assertThat(((StageResult.Failed) none).message()).contains("stays at c3");
    StageResult noneAfterMigration =
        RollbackPlanner.begin(
            RollbackStrategy.None, List.of(), null, Reasons.MIGRATION_FAILED, "moved", "b2");
    assertThat(((StageResult.Failed) noneAfterMigration).reason())
        .isEqualTo(Reasons.MIGRATION_FAILED);
  }

  /**
   * The status while undoing names the next step; what the rollout's final message keeps does not.
   */
  @Test
  void theOutcomeLeavesOutTheStepThatFollows() {
    StageResult.Undo downgrading =
        (StageResult.Undo) begin(RollbackStrategy.DowngradeThenRestore, List.of(), "b.dump");
    assertThat(downgrading.message()).isEqualTo("checks failed; downgrading");
    assertThat(downgrading.cause()).isEqualTo("checks failed");
    StageResult.Undo restoring =
        (StageResult.Undo) begin(RollbackStrategy.Restore, List.of(), "b.dump");
    assertThat(restoring.cause()).isEqualTo("checks failed");
    StageResult.Undo irreversible =
        (StageResult.Undo) begin(RollbackStrategy.DowngradeThenRestore, List.of("c3"), "b.dump");
    assertThat(irreversible.cause()).isEqualTo("checks failed; steps c3 cannot be downgraded");
    StageResult.Undo afterDowngrade =
        (StageResult.Undo)
            RollbackPlanner.afterDowngradeFailed(
                RollbackStrategy.DowngradeThenRestore, "b.dump", "downgrade back to a1 failed");
    assertThat(afterDowngrade.message()).endsWith("; restoring backup b.dump");
    assertThat(afterDowngrade.cause()).isEqualTo("downgrade back to a1 failed");
  }

  @Test
  void afterAFailedDowngrade() {
    assertThat(
            next(
                RollbackPlanner.afterDowngradeFailed(
                    RollbackStrategy.DowngradeThenRestore, "b.dump", "boom")))
        .isEqualTo(RolloutStage.Restore);
    assertThat(
            ((StageResult.Failed)
                    RollbackPlanner.afterDowngradeFailed(
                        RollbackStrategy.DowngradeThenRestore, null, "boom"))
                .reason())
        .isEqualTo(Reasons.ROLLBACK_FAILED);
    assertThat(
            ((StageResult.Failed)
                    RollbackPlanner.afterDowngradeFailed(
                        RollbackStrategy.Downgrade, "b.dump", "boom"))
                .reason())
        .isEqualTo(Reasons.ROLLBACK_FAILED);
  }

  static RolloutStage next(StageResult result) {
    assertThat(result).isInstanceOf(StageResult.Undo.class);
    return ((StageResult.Undo) result).next();
  }
}
