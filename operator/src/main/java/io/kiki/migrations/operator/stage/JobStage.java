package io.kiki.migrations.operator.stage;

import io.fabric8.kubernetes.api.model.Condition;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.SecretKeyRef;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.job.JobFactory.JobRequest;
import io.kiki.migrations.operator.job.JobNames;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.status.ConditionTypes;
import io.kiki.migrations.operator.status.Reasons;
import io.kiki.migrations.operator.status.StatusRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A stage that runs one kiki-migrate Job. */
abstract class JobStage implements Stage {
  /**
   * Attempts of a stage whose Job ends in LOCK_TIMEOUT (a table lock held by the application past
   * spec.timeouts.lock, or the migration lock held by another session) before the rollout fails
   * with reason LockTimeout; between them the transient backoff (KIKI_RETRY_INITIAL_INTERVAL
   * doubling up to KIKI_RETRY_MAX_INTERVAL).
   */
  public static final int LOCK_TIMEOUT_ATTEMPTS = 4;

  /** Used when the spec's timeout stopped being a valid duration while the rollout ran. */
  static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(30);

  /** Attempts of one stage (each its own Job) before a transient failure ends the rollout. */
  static final int MAX_ATTEMPTS = 5;

  protected final StageServices services;

  JobStage(StageServices services) {
    this.services = services;
  }

  protected JobOutcome runJob(
      RolloutContext context,
      List<String> args,
      String deadline,
      boolean mountBackups,
      String startedReason) {
    return runJob(context, args, deadline, mountBackups, startedReason, Map.of());
  }

  /** {@code env}: plain environment variables for the runner (JobRequest#env). */
  protected JobOutcome runJob(
      RolloutContext context,
      List<String> args,
      String deadline,
      boolean mountBackups,
      String startedReason,
      Map<String, String> env) {
    return runJob(context, args, deadline, mountBackups, startedReason, env, Map.of());
  }

  /** {@code secretEnv}: environment variables from Secret keys (JobRequest#secretEnv). */
  protected JobOutcome runJob(
      RolloutContext context,
      List<String> args,
      String deadline,
      boolean mountBackups,
      String startedReason,
      Map<String, String> env,
      Map<String, SecretKeyRef> secretEnv) {
    Rollout rollout = context.rollout();
    String name = rollout.getJobs().get(stage());
    if (name == null) {
      name = JobNames.forStage(context.name(), stage(), rollout.getId(), attempt(rollout));
    }
    JobRequest request =
        new JobRequest(
            name,
            stage(),
            rollout.getId(),
            rollout.getImage(),
            args,
            DurationParser.parseOr(deadline, DEFAULT_DEADLINE),
            context.spec().getDatabase().getUrlSecretRef(),
            mountBackups ? context.backup().getPersistentVolumeClaim() : null,
            env,
            secretEnv);
    JobOutcome outcome =
        services
            .jobs()
            .run(
                context.resource(),
                request,
                startedReason,
                context.now(),
                rollout.getJobUid(),
                rollout::setJobUid);
    if (outcome instanceof JobOutcome.NameTaken taken) {
      // Intent first: the new name goes into the status now, the Job is created by the next
      // reconcile.
      int attempt = attempt(rollout) + 1;
      rollout.setAttempt(attempt);
      String renamed = JobNames.forStage(context.name(), stage(), rollout.getId(), attempt);
      if (stage() == RolloutStage.Plan) {
        PlanThenMigrate.renamePlanJob(rollout, renamed);
      } else {
        rollout.getJobs().set(stage(), renamed);
      }
      rollout.setJobUid(null);
      return new JobOutcome.Running(
          Reasons.JOB_NAME_TAKEN,
          taken.message() + "; running this stage as Job " + renamed,
          false);
    }
    return outcome;
  }

  /**
   * While the Job runs: the status says why its pod does not start, if it does not; a pod that can
   * never start as it is ends the stage now instead of at the Job's deadline.
   */
  protected StageResult waiting(RolloutContext context, JobOutcome outcome) {
    if (outcome instanceof JobOutcome.Running running && running.message() != null) {
      if (running.unresolvable()) {
        return new StageResult.Failed(
            Phase.Failed,
            Reasons.JOB_CANNOT_START,
            Messages.clause(running.message())
                + ". This pod can "
                + "never start: fix spec.image (or spec.jobTemplate), then change spec.retryToken. The database is at "
                + context.status().getCurrentRevision());
      }
      return new StageResult.Waiting(
          services.config().jobPollInterval(), running.message(), running.reason());
    }
    Condition reconciling = StatusRecorder.find(context.status(), ConditionTypes.RECONCILING);
    Phase phase = context.status().getPhase();
    if (reconciling != null && phase != null && !phase.name().equals(reconciling.getReason())) {
      // The trouble the status reported (a pod waiting for its image, a retry) is over: say the Job
      // runs.
      return new StageResult.Waiting(
          services.config().jobPollInterval(),
          stage().name().toLowerCase(Locale.ROOT)
              + " Job "
              + context.rollout().getJobs().get(stage())
              + " is running");
    }
    return waiting();
  }

  /**
   * The stage's Job was created and is gone before its result was read. Never created again
   * silently: by default the rollout fails (JobLost) saying where the database is; stages that can
   * tell more from the database override this.
   */
  protected StageResult lost(RolloutContext context, JobOutcome.Lost lost) {
    String current = readCurrentRevision(context);
    return new StageResult.Failed(
        Phase.Failed,
        Reasons.JOB_LOST,
        Messages.clause(lost.message())
            + ". The database is at "
            + current
            + "; check it and the Job's logs if you still have them, then change spec.retryToken");
  }

  /**
   * For stages that only read or add a file (plan, backup): run it once more as a recorded new
   * attempt.
   */
  protected StageResult lostRerun(RolloutContext context, JobOutcome.Lost lost) {
    if (attempt(context.rollout()) >= MAX_ATTEMPTS) {
      return lost(context, lost);
    }
    return new StageResult.Retry(
        Reasons.JOB_LOST,
        Messages.clause(lost.message())
            + "; this stage changes nothing in the database, so "
            + "it runs again as attempt "
            + (attempt(context.rollout()) + 1),
        services.config().stepDelay());
  }

  /**
   * After the Job ended: the operator reads the database's revision itself, from the version table
   * the plan reported, and records it in the status.
   */
  protected String readCurrentRevision(RolloutContext context) {
    String current =
        AlembicRevisionReader.describe(
            services.revisions().read(context.database(), VersionTable.of(context.status())));
    context.status().setCurrentRevision(current);
    return current;
  }

  protected StageResult waiting() {
    return new StageResult.Waiting(services.config().jobPollInterval());
  }

  /**
   * Whether a failed Job may run again: transient, and not a lock timeout that used up its
   * attempts.
   */
  protected static boolean mayRetry(RolloutContext context, JobOutcome.Failed failed) {
    return failed.isTransient()
        && !(failed.is(RunnerError.LOCK_TIMEOUT)
            && attempt(context.rollout()) >= LOCK_TIMEOUT_ATTEMPTS);
  }

  /**
   * A new attempt of this stage after an exponential backoff, at most {@link #MAX_ATTEMPTS} in all
   * (one Job each): then the rollout fails with the reason (Stalled=True), so Jobs never pile up. A
   * lock timeout gives up sooner, after {@link #LOCK_TIMEOUT_ATTEMPTS}, with reason LockTimeout.
   */
  protected StageResult retry(RolloutContext context, JobOutcome.Failed failed) {
    if (!mayRetry(context, failed)) {
      return new StageResult.Failed(
          Phase.Failed,
          Reasons.LOCK_TIMEOUT,
          stage().name().toLowerCase(Locale.ROOT)
              + " gave up after "
              + attempt(context.rollout())
              + " attempts, each ending in a lock timeout; the last: "
              + failed.message());
    }
    String reason =
        failed.is(RunnerError.LOCK_TIMEOUT) ? Reasons.LOCK_TIMEOUT : Reasons.DATABASE_UNREACHABLE;
    String stage = stage().name().toLowerCase(Locale.ROOT);
    if (attempt(context.rollout()) >= MAX_ATTEMPTS) {
      return new StageResult.Failed(
          Phase.Failed,
          reason,
          stage
              + " gave up after "
              + MAX_ATTEMPTS
              + " attempts, the "
              + "last: "
              + Messages.clause(failed.message())
              + ". The database is at "
              + context.status().getCurrentRevision()
              + "; fix what keeps the Job from reaching it (network, credentials, "
              + "the lock holder), then change spec.retryToken");
    }
    Duration after =
        backoff(
            attempt(context.rollout()),
            services.config().transientRetryInitial(),
            services.config().transientRetryMax());
    return new StageResult.Retry(
        reason,
        stage
            + " attempt "
            + attempt(context.rollout())
            + " could not run ("
            + Messages.clause(failed.message())
            + "); retrying in "
            + after.toSeconds()
            + "s",
        after);
  }

  static Duration backoff(int attempt, Duration initial, Duration max) {
    long factor = 1L << Math.min(20, Math.max(0, attempt - 1));
    Duration delay = initial.multipliedBy(factor);
    return delay.compareTo(max) > 0 ? max : delay;
  }

  static int attempt(Rollout rollout) {
    return rollout.getAttempt() == null ? 1 : rollout.getAttempt();
  }
}
