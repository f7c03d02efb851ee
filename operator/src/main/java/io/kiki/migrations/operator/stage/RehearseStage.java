package io.kiki.migrations.operator.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.api.v1alpha1.BackupRecord;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.HealthCheckSpec;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RehearsalRecord;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.SecretKeyRef;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.database.DatabaseConfigException;
import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.Redaction;
import io.kiki.migrations.operator.database.ScratchDatabases;
import io.kiki.migrations.operator.job.JobFactory;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.job.RunnerResult;
import io.kiki.migrations.operator.status.Reasons;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * spec.rehearsal: after the backup, {@code kiki-migrate rehearse} restores it into a scratch
 * database, runs the planned steps there (back and forth when every step is reversible) and the sql
 * checks, and drops the copy. A failure ends the rollout before the real database is touched.
 */
public class RehearseStage extends JobStage {
  public static final String CHECKS_ENV = "KIKI_REHEARSAL_CHECKS";
  public static final String SERVER_URL_ENV = "KIKI_REHEARSAL_SERVER_URL";
  private static final Logger LOG = LoggerFactory.getLogger(RehearseStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ScratchDatabases scratch;

  public RehearseStage(StageServices services, ScratchDatabases scratch) {
    super(services);
    this.scratch = scratch;
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Rehearse;
  }

  /** Whether a rollout of {@code spec} rehearses after its backup. */
  public static boolean enabled(DatabaseMigrationSpec spec) {
    return spec.getRehearsal() != null
        && Boolean.TRUE.equals(spec.getRehearsal().getEnabled())
        && spec.getBackup() != null
        && Boolean.TRUE.equals(spec.getBackup().getEnabled());
  }

  @Override
  public StageResult run(RolloutContext context) {
    Rollout rollout = context.rollout();
    String name = ScratchDatabases.name(context.resource(), rollout.getId());
    if (rollout.getJobUid() == null) {
      // Before this rollout's Job exists: copies an earlier rollout's killed pod left behind.
      dropLeftovers(context, name);
    }
    List<String> args =
        List.of(
            "rehearse",
            "--file",
            rollout.getBackupFile(),
            "--dir",
            JobFactory.BACKUP_DIR,
            "--target",
            rollout.getTo(),
            "--scratch",
            name);
    Map<String, SecretKeyRef> secretEnv =
        context.spec().getRehearsal().getServerSecretRef() == null
            ? Map.of()
            : Map.of(SERVER_URL_ENV, context.spec().getRehearsal().getServerSecretRef());
    JobOutcome outcome =
        runJob(
            context,
            args,
            deadline(context),
            true,
            Reasons.REHEARSAL_STARTED,
            Map.of(CHECKS_ENV, checksJson(context)),
            secretEnv);
    if (outcome instanceof JobOutcome.Running) {
      return waiting(context, outcome);
    }
    if (outcome instanceof JobOutcome.Succeeded succeeded) {
      dropLeftovers(context, null);
      return passed(context, name, succeeded.result());
    }
    if (outcome instanceof JobOutcome.Failed failed) {
      if (failed.isTransient() && mayRetry(context, failed)) {
        return retry(context, failed);
      }
      dropLeftovers(context, null);
      return failed(context, name, failed);
    }
    if (outcome instanceof JobOutcome.Lost lost) {
      dropLeftovers(context, null);
      return lostRerun(context, lost);
    }
    return waiting(context, outcome);
  }

  /**
   * The Job's deadline: a restore takes about as long as the backup, and the migration may run
   * three times (there, back, there again).
   */
  static String deadline(RolloutContext context) {
    Duration backup =
        DurationParser.parseOr(context.timeouts().getBackup(), JobStage.DEFAULT_DEADLINE);
    Duration migrate =
        DurationParser.parseOr(context.timeouts().getMigrate(), JobStage.DEFAULT_DEADLINE);
    return backup.plus(migrate.multipliedBy(3)).toSeconds() + "s";
  }

  /** The sql checks of spec.verify, for the runner to run on the copy. */
  static String checksJson(RolloutContext context) {
    List<Map<String, String>> checks = new ArrayList<>();
    List<HealthCheckSpec> specs =
        context.verify().getChecks() == null ? List.of() : context.verify().getChecks();
    for (HealthCheckSpec check : specs) {
      if (check.getSql() != null) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("name", check.getName());
        entry.put("sql", check.getSql());
        checks.add(entry);
      }
    }
    try {
      return JSON.writeValueAsString(checks);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private StageResult passed(RolloutContext context, String name, RunnerResult result) {
    RehearsalRecord record = record(context, name, "Passed");
    record.setRestoredBytes(result.number("restoredBytes"));
    record.setRestoreMs(result.number("restoreMs"));
    record.setForwardMs(result.number("forwardMs"));
    record.setBackMs(result.number("backMs"));
    record.setAgainMs(result.number("againMs"));
    record.setDurationMs(result.number("durationMs"));
    record.setRoundTrip(result.bool("roundTrip"));
    markRestored(context, record);
    Long checks = result.number("checks");
    String message =
        "rehearsal on a restored copy ("
            + record.getRestoredBytes()
            + " bytes): "
            + context.rollout().getDirection()
            + " "
            + record.getForwardMs()
            + " ms"
            + (Boolean.TRUE.equals(record.getRoundTrip())
                ? ", back " + record.getBackMs() + " ms, again " + record.getAgainMs() + " ms"
                : " (no round trip: a step is irreversible)")
            + ", "
            + (checks == null ? 0 : checks)
            + " sql check(s) passed; "
            + record.getDurationMs()
            + " ms in all";
    record.setMessage(message);
    return new StageResult.Advance(RolloutStage.Migrate, Reasons.REHEARSAL_SUCCEEDED, message);
  }

  /**
   * The rehearsal restored status.lastBackup's file in full (passed, or failed after the restore):
   * the backup is proven restorable.
   */
  private static void markRestored(RolloutContext context, RehearsalRecord record) {
    BackupRecord backup = context.status().getLastBackup();
    if (record.getRestoreMs() != null
        && backup != null
        && record.getBackupFile() != null
        && record.getBackupFile().equals(backup.getFile())) {
      backup.setRestoredInRehearsal(true);
    }
  }

  StageResult failed(RolloutContext context, String name, JobOutcome.Failed failed) {
    RehearsalRecord record = record(context, name, "Failed");
    failed
        .result()
        .map(r -> r.error().path("revision").asText(null))
        .filter(r -> !r.isBlank())
        .ifPresent(record::setFailedRevision);
    // The restore completed before what failed: the runner says so in the error.
    failed
        .result()
        .map(r -> r.error())
        .filter(e -> e.path("restoreMs").isNumber())
        .ifPresent(
            e -> {
              record.setRestoreMs(e.path("restoreMs").asLong());
              if (e.path("restoredBytes").isNumber()) {
                record.setRestoredBytes(e.path("restoredBytes").asLong());
              }
            });
    markRestored(context, record);
    String leg = failed.result().map(r -> r.error().path("leg").asText("")).orElse("");
    String message = failureMessage(failed, leg, context.status().getCurrentRevision());
    record.setMessage(Redaction.redact(message));
    return new StageResult.Failed(Phase.Failed, Reasons.REHEARSAL_FAILED, message);
  }

  /**
   * Each thing once: what failed on the copy (the runner's message: leg, revision, the database's
   * error), that the real database was not touched and where it is, and what to do.
   */
  static String failureMessage(JobOutcome.Failed failed, String leg, String current) {
    boolean ours =
        failed.is(RunnerError.REHEARSAL_FAILED) || failed.is(RunnerError.REHEARSAL_NOT_PERMITTED);
    String message =
        (ours ? "" : "rehearsal failed: ")
            + Messages.clause(failed.message())
            + ". The real database was not touched and is at "
            + current
            + "; no migration ran on it. ";
    if (failed.is(RunnerError.REHEARSAL_FAILED)
        && (leg.equals("forward") || leg.equals("back") || leg.equals("again"))) {
      message +=
          "Clean the data the error names in the real database, or change the migration (a new image)";
    } else if (failed.is(RunnerError.REHEARSAL_FAILED) && leg.equals("checks")) {
      message += "Fix the data or the migration so that the check holds on the migrated data";
    } else if (failed.is(RunnerError.REHEARSAL_NOT_PERMITTED)) {
      // The runner's message already lists the fixes (CREATEDB, serverSecretRef, rehearsal off).
      return message + "After one of them, change spec.retryToken";
    } else {
      message += "Fix what the error names";
    }
    return message + "; then change spec.retryToken";
  }

  private static RehearsalRecord record(RolloutContext context, String name, String result) {
    RehearsalRecord record = new RehearsalRecord();
    record.setRolloutId(context.rollout().getId());
    record.setResult(result);
    record.setScratchDatabase(name);
    record.setBackupFile(context.rollout().getBackupFile());
    record.setFinishedAt(context.now().truncatedTo(ChronoUnit.SECONDS).toString());
    context.status().setLastRehearsal(record);
    return record;
  }

  /**
   * Drops the resource's scratch databases but {@code keep}; never fails the stage (what cannot be
   * dropped now is dropped before the next rehearsal, and the log says so).
   */
  private void dropLeftovers(RolloutContext context, String keep) {
    try {
      JdbcTarget server = scratch.server(context.resource(), context.database());
      List<String> dropped = scratch.dropAllBut(server, context.resource(), keep);
      if (!dropped.isEmpty()) {
        LOG.info(
            "{}/{}: dropped scratch database(s) {}",
            context.namespace(),
            context.name(),
            String.join(", ", dropped));
      }
    } catch (SQLException | DatabaseConfigException | RuntimeException e) {
      LOG.warn(
          "{}/{}: could not drop leftover scratch databases (dropped before the next rehearsal): {}",
          context.namespace(),
          context.name(),
          Redaction.redact(String.valueOf(e.getMessage())));
    }
  }
}
