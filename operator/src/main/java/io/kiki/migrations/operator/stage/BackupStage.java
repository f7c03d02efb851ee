package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.BackupRecord;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.job.JobFactory;
import io.kiki.migrations.operator.job.JobNames;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.job.RunnerResult;
import io.kiki.migrations.operator.status.Reasons;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Runs {@code kiki-migrate backup} (pg_dump to the backup volume) before the database is changed.
 */
public class BackupStage extends JobStage {
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
        runJob(context, args, context.timeouts().getBackup(), true, Reasons.BACKUP_STARTED);
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
        RolloutStage.Migrate,
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
