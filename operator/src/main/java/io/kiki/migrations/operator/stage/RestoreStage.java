package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.job.JobFactory;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.status.Reasons;
import java.util.List;

/** Restores the backup taken before the rollout ({@code kiki-migrate restore}). */
public class RestoreStage extends JobStage {
  public RestoreStage(StageServices services) {
    super(services);
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Restore;
  }

  @Override
  public StageResult run(RolloutContext context) {
    Rollout rollout = context.rollout();
    JobOutcome outcome =
        runJob(
            context,
            List.of("restore", "--file", JobFactory.BACKUP_DIR + "/" + rollout.getBackupFile()),
            context.timeouts().getRollback(),
            true,
            Reasons.RESTORE_STARTED);
    if (outcome instanceof JobOutcome.Running) {
      return waiting(context, outcome);
    }
    if (outcome instanceof JobOutcome.Lost lost) {
      return lost(context, lost);
    }
    String current = readCurrentRevision(context);
    if (outcome instanceof JobOutcome.Failed failed) {
      if (failed.isTransient()) {
        return retry(context, failed);
      }
      return new StageResult.Failed(
          Phase.Failed,
          Reasons.ROLLBACK_FAILED,
          "restore of backup "
              + rollout.getBackupFile()
              + " failed (database at "
              + current
              + "): "
              + Messages.clause(failed.message())
              + ". The database needs a human: restore "
              + rollout.getBackupFile()
              + " by hand");
    }
    return new StageResult.RolledBack(
        rollout.getRollbackReason(),
        "restored backup "
            + rollout.getBackupFile()
            + " (database at "
            + current
            + ") after: "
            + rollout.getRollbackMessage());
  }
}
