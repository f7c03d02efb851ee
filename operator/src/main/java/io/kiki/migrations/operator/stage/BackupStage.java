package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.BackupRecord;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.job.JobFactory;
import io.kiki.migrations.operator.job.JobNames;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.job.RunnerResult;
import io.kiki.migrations.operator.status.Reasons;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code kiki-migrate backup} (pg_dump to the backup volume) before the database is changed.
 */
public class BackupStage extends JobStage {
  /**
   * The version table the plan reported, for the runner: given it, {@code kiki-migrate backup}
   * reads the revision with psql instead of importing SQLAlchemy and Alembic and running env.py
   * (most of a small database's backup time). Runners before this ignore them.
   */
  public static final String VERSION_TABLE_ENV = "KIKI_VERSION_TABLE";

  public static final String VERSION_TABLE_SCHEMA_ENV = "KIKI_VERSION_TABLE_SCHEMA";

  public BackupStage(StageServices services) {
    super(services);
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Backup;
  }

  @Override
  public StageResult run(RolloutContext context) {
    List<String> args =
        List.of(
            "backup",
            "--dir",
            JobFactory.BACKUP_DIR,
            "--name",
            JobNames.fit(context.name(), JobNames.MAX_BACKUP_NAME),
            "--keep",
            String.valueOf(context.backup().getKeep() == null ? 5 : context.backup().getKeep()));
    JobOutcome outcome =
        runJob(
            context,
            args,
            context.timeouts().getBackup(),
            true,
            Reasons.BACKUP_STARTED,
            versionTableEnv(context.status()));
    if (outcome instanceof JobOutcome.Succeeded succeeded) {
      return afterBackup(context, succeeded.result());
    }
    if (outcome instanceof JobOutcome.Failed failed) {
      return failed.isTransient()
          ? retry(context, failed)
          : new StageResult.Failed(
              Phase.Failed,
              Reasons.BACKUP_FAILED,
              "backup failed, the database was not changed: " + failed.message());
    }
    if (outcome instanceof JobOutcome.Lost lost) {
      return lostRerun(context, lost);
    }
    return waiting(context, outcome);
  }

  /**
   * KIKI_VERSION_TABLE (and _SCHEMA) as the last plan reported them; nothing when no plan reported
   * one (a status from before the runner reported it): the runner then runs env.py as before.
   */
  static Map<String, String> versionTableEnv(DatabaseMigrationStatus status) {
    if (status == null || status.getVersionTable() == null || status.getVersionTable().isEmpty()) {
      return Map.of();
    }
    VersionTable table = VersionTable.of(status);
    return table.schema() == null
        ? Map.of(VERSION_TABLE_ENV, table.name())
        : Map.of(VERSION_TABLE_ENV, table.name(), VERSION_TABLE_SCHEMA_ENV, table.schema());
  }

  static StageResult afterBackup(RolloutContext context, RunnerResult result) {
    BackupRecord backup = new BackupRecord();
    backup.setFile(result.text("file"));
    backup.setSizeBytes(result.number("sizeBytes"));
    backup.setSha256(result.text("sha256"));
    backup.setRevision(result.text("revision"));
    backup.setVerified(result.bool("verified"));
    backup.setTakenAt(context.now().truncatedTo(ChronoUnit.SECONDS).toString());
    context.status().setLastBackup(backup);
    if (!Boolean.TRUE.equals(backup.getVerified())) {
      String why =
          result.text("verifyMessage") != null
              ? result.text("verifyMessage")
              : "it could not be read back (pg_restore --list failed)";
      return new StageResult.Failed(
          Phase.Failed,
          Reasons.BACKUP_FAILED,
          "backup "
              + backup.getFile()
              + " is not verified: "
              + Messages.clause(why)
              + "; the database was not changed");
    }
    context.rollout().setBackupFile(backup.getFile());
    return new StageResult.Advance(
        RehearseStage.enabled(context.spec()) ? RolloutStage.Rehearse : RolloutStage.Migrate,
        Reasons.BACKUP_SUCCEEDED,
        "backup "
            + backup.getFile()
            + " ("
            + backup.getSizeBytes()
            + " bytes, revision "
            + backup.getRevision()
            + ")");
  }
}
