package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RollbackStrategy;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.status.Reasons;
import java.util.List;

/**
 * Chooses how to undo a rollout whose migration or verification failed. Irreversible steps
 * (downgrade() does nothing) can only be undone by restoring the backup.
 */
public final class RollbackPlanner {
  private RollbackPlanner() {}

  public static StageResult begin(
      RollbackStrategy strategy,
      List<String> irreversibleSteps,
      String backupFile,
      String causeReason,
      String causeMessage,
      String databaseAt) {
    boolean hasBackup = backupFile != null && !backupFile.isEmpty();
    switch (strategy == null ? RollbackStrategy.DowngradeThenRestore : strategy) {
      case None:
        return new StageResult.Failed(
            Phase.Failed,
            Reasons.HEALTH_CHECK_FAILED.equals(causeReason) ? Reasons.VERIFY_FAILED : causeReason,
            causeMessage + "; rollback.onFailure is None, so the database stays at " + databaseAt);
      case Restore:
        return hasBackup
            ? new StageResult.Undo(
                RolloutStage.Restore,
                causeReason,
                causeMessage + "; restoring backup " + backupFile,
                causeMessage)
            : new StageResult.Failed(
                Phase.Failed,
                Reasons.NO_BACKUP,
                causeMessage
                    + "; rollback.onFailure is Restore but this rollout has no backup (enable spec.backup); the database "
                    + "stays at "
                    + databaseAt);
      default:
        if (irreversibleSteps != null && !irreversibleSteps.isEmpty()) {
          String irreversible =
              "; steps " + String.join(", ", irreversibleSteps) + " cannot be downgraded";
          return hasBackup
              ? new StageResult.Undo(
                  RolloutStage.Restore,
                  causeReason,
                  causeMessage + irreversible + ", restoring backup " + backupFile,
                  causeMessage + irreversible)
              : new StageResult.Failed(
                  Phase.Failed,
                  Reasons.IRREVERSIBLE_WITHOUT_BACKUP,
                  causeMessage
                      + "; steps "
                      + String.join(", ", irreversibleSteps)
                      + " cannot be downgraded (their downgrade() does nothing) and "
                      + "there is no backup: the database stays at "
                      + databaseAt
                      + ". Restore it from your own backup, "
                      + "and enable spec.backup for the next rollout");
        }
        return new StageResult.Undo(
            RolloutStage.Rollback, causeReason, causeMessage + "; downgrading", causeMessage);
    }
  }

  /** The downgrade back failed: restore if the strategy allows and a backup exists. */
  public static StageResult afterDowngradeFailed(
      RollbackStrategy strategy, String backupFile, String message) {
    if (strategy == RollbackStrategy.DowngradeThenRestore
        && backupFile != null
        && !backupFile.isEmpty()) {
      return new StageResult.Undo(
          RolloutStage.Restore,
          Reasons.ROLLBACK_FAILED,
          message + "; restoring backup " + backupFile,
          message);
    }
    return new StageResult.Failed(
        Phase.Failed,
        Reasons.ROLLBACK_FAILED,
        message
            + (backupFile == null
                ? "; there is no backup to restore"
                : "; rollback.onFailure does not restore backups")
            + ": the database needs a human (see status.currentRevision)");
  }
}
