package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.database.VersionTable;
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

  /**
   * Attempts of a stage whose Job ends in LOCK_TIMEOUT (a table lock held by the application past spec.timeouts.lock,
   * or the migration lock held by another session) before the rollout fails with reason LockTimeout; between them the
   * transient backoff (KIKI_RETRY_INITIAL_INTERVAL doubling up to KIKI_RETRY_MAX_INTERVAL).
   */
  public static final int LOCK_TIMEOUT_ATTEMPTS = 4;

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

  /**
   * After the Job ended: the operator reads the database's revision itself, from the version table the plan reported,
   * and records it in the status.
   */
  protected String readCurrentRevision(RolloutContext context) {
    String current = AlembicRevisionReader.describe(services.revisions().read(context.database(),
        VersionTable.of(context.status())));
    context.status().setCurrentRevision(current);
    return current;
  }

  protected StageResult waiting() {
    return new StageResult.Waiting(services.config().jobPollInterval());
  }

  static boolean isTransient(JobOutcome.Failed failed) {
    return failed.errorCode() != null && TRANSIENT_CODES.contains(failed.errorCode());
  }

  /** Whether a failed Job may run again: transient, and not a lock timeout that used up its attempts. */
  protected static boolean mayRetry(RolloutContext context, JobOutcome.Failed failed) {
    return isTransient(failed)
        && !("LOCK_TIMEOUT".equals(failed.errorCode()) && attempt(context.rollout()) >= LOCK_TIMEOUT_ATTEMPTS);
  }

  /**
   * A new attempt of this stage after an exponential backoff; once a lock timeout used up its
   * {@link #LOCK_TIMEOUT_ATTEMPTS}, the rollout fails with reason LockTimeout.
   */
  protected StageResult retry(RolloutContext context, JobOutcome.Failed failed) {
    if (!mayRetry(context, failed)) {
      return new StageResult.Failed(Phase.Failed, Reasons.LOCK_TIMEOUT, stage().name().toLowerCase(Locale.ROOT)
          + " gave up after " + attempt(context.rollout()) + " attempts, each ending in a lock timeout; the last: "
          + failed.message());
    }
    String reason = "LOCK_TIMEOUT".equals(failed.errorCode()) ? Reasons.LOCK_TIMEOUT : Reasons.DATABASE_UNREACHABLE;
    Duration after = backoff(attempt(context.rollout()), services.config().transientRetryInitial(),
        services.config().transientRetryMax());
    String stage = stage().name().toLowerCase(Locale.ROOT);
    return new StageResult.Retry(reason, stage + " attempt " + attempt(context.rollout()) + " could not run ("
        + Messages.clause(failed.message()) + "); retrying in " + after.toSeconds() + "s", after);
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
