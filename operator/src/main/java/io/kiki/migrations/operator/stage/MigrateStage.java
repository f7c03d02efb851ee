package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.status.Reasons;
import java.util.List;

/** Runs {@code kiki-migrate upgrade|downgrade --target <planned target>}, then reads the revision back itself. */
public class MigrateStage extends JobStage {
  public MigrateStage(StageServices services) {
    super(services);
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Migrate;
  }

  @Override
  public StageResult run(RolloutContext context) {
    Rollout rollout = context.rollout();
    JobOutcome outcome = runJob(context, List.of(rollout.getDirection(), "--target", rollout.getTo()),
        context.timeouts().getMigrate(), false, Reasons.MIGRATION_STARTED);
    if (outcome instanceof JobOutcome.Running) {
      return waiting();
    }
    String current = AlembicRevisionReader.describe(services.revisions().read(context.database()));
    context.status().setCurrentRevision(current);
    if (outcome instanceof JobOutcome.Failed failed) {
      return afterFailure(context, failed, current);
    }
    if (!current.equals(rollout.getTo())) {
      return RollbackPlanner.begin(context.rollback().getOnFailure(), rollout.getIrreversibleSteps(),
          rollout.getBackupFile(), Reasons.MIGRATION_FAILED, "the " + rollout.getDirection() + " Job reported success "
              + "but the database is at " + current + ", not " + rollout.getTo(), current);
    }
    return new StageResult.Done(RolloutStage.Verify, Reasons.MIGRATION_SUCCEEDED,
        rollout.getDirection() + " from " + rollout.getFrom() + " to " + current + " done");
  }

  /** A failed migration that left the database where it was ends the rollout; one that moved it is rolled back. */
  StageResult afterFailure(RolloutContext context, JobOutcome.Failed failed, String current) {
    Rollout rollout = context.rollout();
    if (current.equals(rollout.getFrom())) {
      if (isTransient(failed)) {
        return retry(context, failed);
      }
      return new StageResult.Failed(Phase.Failed, Reasons.MIGRATION_FAILED, rollout.getDirection() + " to "
          + rollout.getTo() + " failed and the database is unchanged at " + current + ": " + failed.message());
    }
    return RollbackPlanner.begin(context.rollback().getOnFailure(), rollout.getIrreversibleSteps(),
        rollout.getBackupFile(), Reasons.MIGRATION_FAILED, rollout.getDirection() + " to " + rollout.getTo()
            + " failed with the database moved to " + current + ": " + failed.message(), current);
  }
}
