package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.status.Reasons;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code kiki-migrate upgrade|downgrade --target <planned target>}, then reads the revision
 * back itself.
 */
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
    JobOutcome outcome =
        runJob(
            context,
            arguments(context),
            context.timeouts().getMigrate(),
            false,
            Reasons.MIGRATION_STARTED);
    if (outcome instanceof JobOutcome.Running) {
      return waiting(context, outcome);
    }
    String current = readCurrentRevision(context);
    if (outcome instanceof JobOutcome.Lost lost) {
      return afterLost(context, lost, current);
    }
    if (outcome instanceof JobOutcome.Failed failed) {
      return afterFailure(context, failed, current);
    }
    return afterSuccess(context, current);
  }

  /**
   * The migration reported success and the operator's own read found the database at {@code
   * current}: on to verify when that is the target, otherwise roll back.
   */
  StageResult afterSuccess(RolloutContext context, String current) {
    Rollout rollout = context.rollout();
    if (!current.equals(rollout.getTo())) {
      return RollbackPlanner.begin(
          context.rollback().getOnFailure(),
          rollout.getIrreversibleSteps(),
          rollout.getBackupFile(),
          Reasons.MIGRATION_FAILED,
          "the "
              + rollout.getDirection()
              + " Job reported success "
              + "but the database is at "
              + current
              + ", not "
              + rollout.getTo(),
          current);
    }
    return new StageResult.Advance(
        RolloutStage.Verify,
        Reasons.MIGRATION_SUCCEEDED,
        rollout.getDirection() + " from " + rollout.getFrom() + " to " + current + " done");
  }

  /**
   * {@code upgrade|downgrade --target T}; with spec.approval Manual also {@code --plan-hash H}: the
   * runner refuses (PLAN_CHANGED) a plan other than the approved one.
   */
  static List<String> arguments(RolloutContext context) {
    Rollout rollout = context.rollout();
    List<String> args =
        new ArrayList<>(List.of(rollout.getDirection(), "--target", rollout.getTo()));
    if (context.spec().getApproval() == Approval.Manual && rollout.getPlanHash() != null) {
      args.addAll(List.of("--plan-hash", rollout.getPlanHash()));
    }
    return args;
  }

  /**
   * The migrate Job is gone before its result was read. The database says what happened: at the
   * target, the migration ran (go on to verify, saying the result was lost); unchanged, it failed
   * or never ran, and running it again silently could run a failing migration twice, so the rollout
   * fails (JobLost); moved elsewhere, roll back.
   */
  StageResult afterLost(RolloutContext context, JobOutcome.Lost lost, String current) {
    Rollout rollout = context.rollout();
    if (current.equals(rollout.getTo())) {
      return new StageResult.Advance(
          RolloutStage.Verify,
          Reasons.MIGRATION_SUCCEEDED,
          rollout.getDirection()
              + " from "
              + rollout.getFrom()
              + " to "
              + current
              + " done; its result was lost: "
              + lost.message()
              + ", but the database is at the target");
    }
    if (current.equals(rollout.getFrom())) {
      return new StageResult.Failed(
          Phase.Failed,
          Reasons.JOB_LOST,
          Messages.clause(lost.message())
              + ". The database is unchanged at "
              + current
              + ", so the migration failed or never ran; it is not run again without you: read the Job's logs if "
              + "you have them, then change spec.retryToken");
    }
    return RollbackPlanner.begin(
        context.rollback().getOnFailure(),
        rollout.getIrreversibleSteps(),
        rollout.getBackupFile(),
        Reasons.JOB_LOST,
        lost.message() + "; the database moved to " + current + ", not to " + rollout.getTo(),
        current);
  }

  /**
   * A failed migration that left the database where it was ends the rollout; one that moved it is
   * rolled back.
   */
  StageResult afterFailure(RolloutContext context, JobOutcome.Failed failed, String current) {
    Rollout rollout = context.rollout();
    if (failed.result().isEmpty()
        && current.equals(rollout.getTo())
        && !current.equals(rollout.getFrom())) {
      // No runner error, and the operator's own read shows the target: the migration committed (the
      // pod's result was
      // lost, or the Job was marked failed after the commit). Rolling back a migration that worked
      // would be the harm;
      // verification decides.
      return new StageResult.Advance(
          RolloutStage.Verify,
          Reasons.MIGRATION_SUCCEEDED,
          rollout.getDirection()
              + " from "
              + rollout.getFrom()
              + " to "
              + current
              + " done (the database is at the target; the Job left no result: "
              + Messages.clause(failed.message())
              + ")");
    }
    boolean unchanged = current.equals(rollout.getFrom());
    if (unchanged && failed.isTransient()) {
      return retry(context, failed);
    }
    if (failed.is(RunnerError.PLAN_CHANGED)) {
      return new StageResult.Failed(
          Phase.Failed,
          Reasons.PLAN_CHANGED,
          Messages.clause(failed.message())
              + "; the database is at "
              + current
              + ". Change spec.retryToken to plan again, then review and approve the new plan");
    }
    String message =
        describe(
            rollout.getDirection() + " to " + rollout.getTo(),
            failed,
            unchanged
                ? "the database is unchanged at " + current
                : "the database moved to " + current);
    if (unchanged) {
      return new StageResult.Failed(
          Phase.Failed,
          Reasons.MIGRATION_FAILED,
          message
              + (failed.cause().isPresent() ? ". Fix the migration and build a new image" : ""));
    }
    return RollbackPlanner.begin(
        context.rollback().getOnFailure(),
        rollout.getIrreversibleSteps(),
        rollout.getBackupFile(),
        Reasons.MIGRATION_FAILED,
        message,
        current);
  }

  /**
   * "{what} failed[ in revision R]: {cause}; {state}" when the runner reported the bare cause, so
   * each fact appears once; otherwise "{what} failed and {state}: {runner's or Job's message}".
   */
  static String describe(String what, JobOutcome.Failed failed, String state) {
    return failed
        .cause()
        .map(
            cause ->
                what
                    + " failed"
                    + failed.inRevision()
                    + ": "
                    + Messages.clause(cause)
                    + "; "
                    + state)
        .orElseGet(() -> what + " failed and " + state + ": " + Messages.clause(failed.message()));
  }
}
