package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.status.Reasons;
import java.util.List;

/**
 * Migrates back to the revision the rollout started from (a downgrade after an upgrade, and the
 * reverse).
 */
public class RollbackStage extends JobStage {
  public RollbackStage(StageServices services) {
    super(services);
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Rollback;
  }

  @Override
  public StageResult run(RolloutContext context) {
    Rollout rollout = context.rollout();
    String direction =
        PlanResult.DOWNGRADE.equals(rollout.getDirection())
            ? PlanResult.UPGRADE
            : PlanResult.DOWNGRADE;
    String target = rollout.getFrom().split(",")[0];
    JobOutcome outcome =
        runJob(
            context,
            List.of(direction, "--target", target),
            context.timeouts().getRollback(),
            false,
            Reasons.ROLLBACK_STARTED);
    if (outcome instanceof JobOutcome.Running) {
      return waiting(context, outcome);
    }
    String current = readCurrentRevision(context);
    if (outcome instanceof JobOutcome.Lost lost) {
      if (current.equals(rollout.getFrom())) {
        return new StageResult.RolledBack(
            rollout.getRollbackReason(),
            "rolled back to "
                + current
                + " (the "
                + direction
                + " Job's result was lost: "
                + lost.message()
                + ") after: "
                + rollout.getRollbackMessage());
      }
      return RollbackPlanner.afterDowngradeFailed(
          context.rollback().getOnFailure(),
          rollout.getBackupFile(),
          lost.message() + "; the database is at " + current);
    }
    if (outcome instanceof JobOutcome.Succeeded && current.equals(rollout.getFrom())) {
      return new StageResult.RolledBack(
          rollout.getRollbackReason(),
          "rolled back to " + current + " after: " + rollout.getRollbackMessage());
    }
    if (outcome instanceof JobOutcome.Failed failed
        && mayRetry(context, failed)
        && current.equals(rollout.getTo())) {
      return retry(context, failed);
    }
    String what = direction + " back to " + rollout.getFrom();
    String message =
        outcome instanceof JobOutcome.Failed failed
            ? MigrateStage.describe(
                what,
                failed,
                current.equals(rollout.getTo())
                    ? "the database is still at " + current
                    : "the database stopped half-way, at " + current)
            : what + " reported success but the database is at " + current;
    return RollbackPlanner.afterDowngradeFailed(
        context.rollback().getOnFailure(), rollout.getBackupFile(), message);
  }
}
