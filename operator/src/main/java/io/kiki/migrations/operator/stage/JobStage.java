package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.job.JobFactory.JobRequest;
import io.kiki.migrations.operator.job.JobNames;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A stage that runs one kiki-migrate Job. */
abstract class JobStage implements Stage {
  /** Runner error codes that mean "try again later": the database was not changed. */
  static final Set<String> TRANSIENT_CODES = Set.of("DATABASE_UNREACHABLE", "LOCK_TIMEOUT");

  /** Used when the spec's timeout stopped being a valid duration while the rollout ran. */
  static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(30);

  protected final StageServices services;

  JobStage(StageServices services) {
    this.services = services;
  }

  protected JobOutcome runJob(RolloutContext context, List<String> args, String deadline, boolean mountBackups,
                              String startedReason) {
    Rollout rollout = context.rollout();
    String name = rollout.getJobs().get(stage());
    if (name == null) {
      name = JobNames.forStage(context.name(), stage(), rollout.getId(), attempt(rollout));
    }
    JobRequest request = new JobRequest(name, stage(), rollout.getId(), rollout.getImage(), args,
        DurationParser.parseOr(deadline, DEFAULT_DEADLINE), context.spec().getDatabase().getUrlSecretRef(),
        mountBackups ? context.backup().getPersistentVolumeClaim() : null);
    return services.jobs().run(context.resource(), request, startedReason, context.now());
  }

  /** After the Job ended: the operator reads the database's revision itself and records it in the status. */
  protected String readCurrentRevision(RolloutContext context) {
    String current = AlembicRevisionReader.describe(services.revisions().read(context.database()));
    context.status().setCurrentRevision(current);
    return current;
  }

  /** The Job runs: look again later; when its pod cannot start, status says why now, not at the stage's deadline. */
  protected StageResult waiting(JobOutcome outcome) {
    if (outcome instanceof JobOutcome.Running running && running.podProblem() != null) {
      return new StageResult.Waiting(services.config().jobPollInterval(), stage().name().toLowerCase(Locale.ROOT) + " Job: "
          + running.podProblem() + "; the stage fails at its deadline (spec.timeouts) unless this is fixed");
    }
    return new StageResult.Waiting(services.config().jobPollInterval());
  }

  static boolean isTransient(JobOutcome.Failed failed) {
    return failed.errorCode() != null && TRANSIENT_CODES.contains(failed.errorCode());
  }

  /** A new attempt of this stage after an exponential backoff. */
  protected StageResult retry(RolloutContext context, JobOutcome.Failed failed) {
    String reason = "LOCK_TIMEOUT".equals(failed.errorCode()) ? Reasons.LOCK_TIMEOUT : Reasons.DATABASE_UNREACHABLE;
    Duration after = backoff(attempt(context.rollout()), services.config().transientRetryInitial(),
        services.config().transientRetryMax());
    String stage = stage().name().toLowerCase(Locale.ROOT);
    return new StageResult.Retry(reason, stage + " attempt " + attempt(context.rollout()) + " could not run ("
        + failed.message() + "); retrying in " + after.toSeconds() + "s", after);
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
