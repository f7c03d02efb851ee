package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.job.RunnerResult;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Decisions of the Job stages after their Job ended (the Jobs themselves run in the ITs). */
class JobStageDecisionsTest {
  final StageServices services =
      new StageServices(null, null, null, OperatorConfig.defaults(), OperatorMetrics.discarding());

  static JobOutcome.Failed failed(RunnerError error, String message) throws Exception {
    String json =
        "{\"ok\":false,\"command\":\"upgrade\",\"error\":{\"code\":\""
            + error.name()
            + "\",\"message\":\""
            + message
            + "\"}}";
    return new JobOutcome.Failed(
        Optional.of(new RunnerResult(new ObjectMapper().readTree(json))), "Job failed");
  }

  static RolloutContext migrating(DatabaseMigration resource) {
    RolloutContext context = TestingResources.context(resource, RolloutStage.Migrate, "a1");
    context.rollout().setTo("c3");
    context.rollout().setDirection("upgrade");
    return context;
  }

  @Test
  void failedMigrationWithTheDatabaseUnchangedFails() throws Exception {
    MigrateStage stage = new MigrateStage(services);
    StageResult result =
        stage.afterFailure(
            migrating(TestingResources.resource()),
            failed(RunnerError.MIGRATION_FAILED, "revision b2 failed"),
            "a1");
    assertThat(result).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) result).outcome()).isEqualTo(Phase.Failed);
    assertThat(((StageResult.Failed) result).reason()).isEqualTo(Reasons.MIGRATION_FAILED);
    assertThat(((StageResult.Failed) result).message())
        .contains("unchanged at a1")
        .contains("revision b2 failed");
  }

  /**
   * The runner's real MIGRATION_FAILED result: its message says everything; the operator composes
   * from its parts.
   */
  @Test
  void failedMigrationMessageStatesEachFactOnce() throws Exception {
    String json =
        "{\"ok\":false,\"command\":\"upgrade\",\"error\":{\"code\":\"MIGRATION_FAILED\","
            + "\"message\":\"upgrade to c3 failed in revision c3: relation \\\"no_such_table\\\" does not exist. Nothing "
            + "was committed: the database is unchanged at a1. Fix the migration and build a new image.\",\"revision\":\"c3\","
            + "\"current\":[\"a1\"],"
            + "\"cause\":\"relation \\\"no_such_table\\\" does not exist\"}}";
    JobOutcome.Failed failed =
        new JobOutcome.Failed(
            Optional.of(new RunnerResult(new ObjectMapper().readTree(json))), "Job failed");
    StageResult result =
        new MigrateStage(services)
            .afterFailure(migrating(TestingResources.resource()), failed, "a1");
    assertThat(((StageResult.Failed) result).message())
        .isEqualTo(
            "upgrade to c3 failed in revision c3: relation "
                + "\"no_such_table\" does not exist; the database is unchanged at a1. Fix the migration and build a new image");

    StageResult moved =
        new MigrateStage(services)
            .afterFailure(migrating(TestingResources.resource()), failed, "b2");
    assertThat(((StageResult.Undo) moved).message())
        .isEqualTo(
            "upgrade to c3 failed in revision c3: relation "
                + "\"no_such_table\" does not exist; the database moved to b2; downgrading");
  }

  /**
   * The Job ended without a runner result (pod gone), but the operator reads the target revision
   * itself.
   */
  @Test
  void migrationAtTheTargetWithoutARunnerResultIsVerifiedNotRolledBack() {
    JobOutcome.Failed lost =
        new JobOutcome.Failed(
            Optional.empty(),
            "Job kiki-campaigns-migrate-1 completed but its pod left no kiki-migrate result in the termination message");
    StageResult result =
        new MigrateStage(services).afterFailure(migrating(TestingResources.resource()), lost, "c3");
    assertThat(result).isInstanceOf(StageResult.Advance.class);
    assertThat(((StageResult.Advance) result).next()).isEqualTo(RolloutStage.Verify);
    assertThat(((StageResult.Advance) result).reason()).isEqualTo(Reasons.MIGRATION_SUCCEEDED);

    StageResult halfway =
        new MigrateStage(services).afterFailure(migrating(TestingResources.resource()), lost, "b2");
    assertThat(((StageResult.Undo) halfway).next())
        .as("not at the target: undo")
        .isEqualTo(RolloutStage.Rollback);
  }

  @Test
  void lockTimeoutIsRetriedWithBackoff() throws Exception {
    MigrateStage stage = new MigrateStage(services);
    RolloutContext context = migrating(TestingResources.resource());
    context.rollout().setAttempt(3);
    StageResult result =
        stage.afterFailure(context, failed(RunnerError.LOCK_TIMEOUT, "advisory lock busy"), "a1");
    assertThat(result).isInstanceOf(StageResult.Retry.class);
    assertThat(((StageResult.Retry) result).reason()).isEqualTo(Reasons.LOCK_TIMEOUT);
    assertThat(((StageResult.Retry) result).after()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void aRunnerMessageEndingInAFullStopIsNotGivenASecond() throws Exception {
    MigrateStage stage = new MigrateStage(services);
    RolloutContext context = migrating(TestingResources.resource());
    context.rollout().setAttempt(JobStage.MAX_ATTEMPTS);
    StageResult result =
        stage.afterFailure(
            context,
            failed(
                RunnerError.DATABASE_UNREACHABLE,
                "db:5432 refused: the server does not support SSL."),
            "a1");
    assertThat(((StageResult.Failed) result).message())
        .contains("does not support SSL. The database is at")
        .doesNotContain("..");
  }

  @Test
  void lockTimeoutFailsTheRolloutOnceItsAttemptsAreUsedUp() throws Exception {
    MigrateStage stage = new MigrateStage(services);
    RolloutContext context = migrating(TestingResources.resource());
    context.rollout().setAttempt(JobStage.LOCK_TIMEOUT_ATTEMPTS);
    StageResult result =
        stage.afterFailure(
            context,
            failed(
                RunnerError.LOCK_TIMEOUT,
                "table public.campaign_deployments held by pid 42; Nothing was committed"),
            "a1");
    assertThat(result).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) result).outcome()).isEqualTo(Phase.Failed);
    assertThat(((StageResult.Failed) result).reason()).isEqualTo(Reasons.LOCK_TIMEOUT);
    assertThat(((StageResult.Failed) result).message())
        .contains("gave up after 4 attempts")
        .contains("campaign_deployments held by pid 42");

    RolloutContext moved = migrating(TestingResources.resource());
    moved.rollout().setAttempt(1);
    StageResult partly =
        stage.afterFailure(moved, failed(RunnerError.LOCK_TIMEOUT, "revision c3 waited"), "b2");
    assertThat(((StageResult.Undo) partly).next())
        .as("some revisions committed: undo, not retry")
        .isEqualTo(RolloutStage.Rollback);
  }

  @Test
  void anUnverifiedBackupSaysWhyInTheRunnersWords() throws Exception {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Backup, "a1");
    String json =
        "{\"ok\":true,\"command\":\"backup\",\"file\":\"k-1.dump\",\"sizeBytes\":2048,\"sha256\":\"ab\","
            + "\"revision\":\"a1\",\"verified\":false,\"verifyMessage\":\"it does not own table public.audit_log. Migrate "
            + "as the role that owns the database's objects, or restore by hand as their owner.\"}";
    StageResult failed =
        BackupStage.afterBackup(context, new RunnerResult(new ObjectMapper().readTree(json)));
    assertThat(((StageResult.Failed) failed).message())
        .isEqualTo(
            "backup k-1.dump is not verified: it does not own table public.audit_log. Migrate as the role that "
                + "owns the database's objects, or restore by hand as their owner; the database was not changed");
  }

  @Test
  void withRehearsalTheBackupIsFollowedByTheRehearsal() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    BackupSpec backup = new BackupSpec();
    backup.setEnabled(true);
    resource.getSpec().setBackup(backup);
    io.kiki.migrations.api.v1alpha1.RehearsalSpec rehearsal =
        new io.kiki.migrations.api.v1alpha1.RehearsalSpec();
    rehearsal.setEnabled(true);
    resource.getSpec().setRehearsal(rehearsal);
    RolloutContext context = TestingResources.context(resource, RolloutStage.Backup, "a1");
    String ok =
        "{\"ok\":true,\"command\":\"backup\",\"file\":\"k-1.dump\",\"sizeBytes\":2048,\"sha256\":\"ab\","
            + "\"revision\":\"a1\",\"verified\":true}";

    StageResult done =
        BackupStage.afterBackup(context, new RunnerResult(new ObjectMapper().readTree(ok)));

    assertThat(((StageResult.Advance) done).next()).isEqualTo(RolloutStage.Rehearse);
    backup.setEnabled(false);
    assertThat(RehearseStage.enabled(resource.getSpec()))
        .as("no backup, nothing to rehearse on")
        .isFalse();
  }

  @Test
  void rehearsalFailureSaysEachThingOnceAndMarksTheRestoredBackup() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    RolloutContext context =
        TestingResources.context(resource, RolloutStage.Rehearse, "du0000000001");
    context.rollout().setBackupFile("k-1.dump");
    io.kiki.migrations.api.v1alpha1.BackupRecord backup =
        new io.kiki.migrations.api.v1alpha1.BackupRecord();
    backup.setFile("k-1.dump");
    context.status().setLastBackup(backup);
    String json =
        "{\"ok\":false,\"command\":\"rehearse\",\"error\":{\"code\":\"REHEARSAL_FAILED\","
            + "\"message\":\"rehearsal on a restored copy failed while upgrade (forward) in revision"
            + " du0000000002: could not create unique index \\\"uq_accounts_email\\\"\","
            + "\"leg\":\"forward\",\"revision\":\"du0000000002\",\"restoreMs\":40,"
            + "\"restoredBytes\":8000000}}";
    JobOutcome.Failed failed =
        new JobOutcome.Failed(
            Optional.of(new RunnerResult(new ObjectMapper().readTree(json))), "Job failed");

    StageResult done = new RehearseStage(services, null).failed(context, "kiki_rh_x", failed);

    String message = ((StageResult.Failed) done).message();
    assertThat(message)
        .isEqualTo(
            "rehearsal on a restored copy failed while upgrade (forward) in revision du0000000002:"
                + " could not create unique index \"uq_accounts_email\". The real database was not"
                + " touched and is at du0000000001; no migration ran on it. Clean the data the error"
                + " names in the real database, or change the migration (a new image); then change"
                + " spec.retryToken");
    assertThat(backup.getRestoredInRehearsal())
        .as("the restore completed before the step failed")
        .isTrue();
    assertThat(context.status().getLastRehearsal().getRestoredBytes()).isEqualTo(8000000L);

    backup.setRestoredInRehearsal(null);
    new RehearseStage(services, null)
        .failed(
            context,
            "kiki_rh_x",
            failed(
                RunnerError.REHEARSAL_FAILED,
                "rehearsal on a restored copy failed while restoring"));
    assertThat(backup.getRestoredInRehearsal()).as("no restore, no proof").isNull();

    assertThat(
            RehearseStage.failureMessage(
                failed(
                    RunnerError.REHEARSAL_NOT_PERMITTED,
                    "role app may not create the scratch database kiki_rh_x on db (permission denied)."
                        + " Grant it (ALTER ROLE app CREATEDB), or give spec.rehearsal.serverSecretRef a"
                        + " server where the role may create databases, or turn spec.rehearsal off"),
                "",
                "du0000000001"))
        .endsWith(
            "or turn spec.rehearsal off. The real database was not touched and is at du0000000001;"
                + " no migration ran on it. After one of them, change spec.retryToken")
        .containsOnlyOnce("not touched");
  }

  @Test
  void failedMigrationThatMovedTheDatabaseRollsBack() throws Exception {
    MigrateStage stage = new MigrateStage(services);
    StageResult result =
        stage.afterFailure(
            migrating(TestingResources.resource()),
            failed(RunnerError.MIGRATION_FAILED, "revision c3 failed"),
            "b2");
    assertThat(result).isInstanceOf(StageResult.Undo.class);
    assertThat(((StageResult.Undo) result).next()).isEqualTo(RolloutStage.Rollback);
    assertThat(((StageResult.Undo) result).reason()).isEqualTo(Reasons.MIGRATION_FAILED);
  }

  @Test
  void backupMustBeVerified() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    BackupSpec backup = new BackupSpec();
    backup.setEnabled(true);
    resource.getSpec().setBackup(backup);
    RolloutContext context = TestingResources.context(resource, RolloutStage.Backup, "a1");
    String ok =
        "{\"ok\":true,\"command\":\"backup\",\"file\":\"k-1.dump\",\"sizeBytes\":2048,\"sha256\":\"ab\","
            + "\"revision\":\"a1\",\"verified\":true}";
    StageResult done =
        BackupStage.afterBackup(context, new RunnerResult(new ObjectMapper().readTree(ok)));
    assertThat(done)
        .isEqualTo(
            new StageResult.Advance(
                RolloutStage.Migrate,
                Reasons.BACKUP_SUCCEEDED,
                "backup k-1.dump (2048 bytes, revision a1)"));
    assertThat(context.rollout().getBackupFile()).isEqualTo("k-1.dump");
    assertThat(context.status().getLastBackup().getSha256()).isEqualTo("ab");

    RolloutContext unverified = TestingResources.context(resource, RolloutStage.Backup, "a1");
    StageResult failed =
        BackupStage.afterBackup(
            unverified,
            new RunnerResult(
                new ObjectMapper()
                    .readTree(ok.replace("\"verified\":true", "\"verified\":false"))));
    assertThat(((StageResult.Failed) failed).reason()).isEqualTo(Reasons.BACKUP_FAILED);
    assertThat(unverified.rollout().getBackupFile())
        .as("an unreadable backup is not used for restore")
        .isNull();
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    assertThat(JobStage.backoff(1, Duration.ofSeconds(2), Duration.ofMinutes(5)))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(JobStage.backoff(4, Duration.ofSeconds(2), Duration.ofMinutes(5)))
        .isEqualTo(Duration.ofSeconds(16));
    assertThat(JobStage.backoff(40, Duration.ofSeconds(2), Duration.ofMinutes(5)))
        .isEqualTo(Duration.ofMinutes(5));
  }

  /**
   * Transient failures: at most MAX_ATTEMPTS Jobs, then the rollout fails (Stalled) with the
   * reason.
   */
  @Test
  void transientRetriesAreBoundedAndThenFailWithTheReason() throws Exception {
    MigrateStage stage = new MigrateStage(services);
    RolloutContext context = migrating(TestingResources.resource());
    context.rollout().setAttempt(JobStage.MAX_ATTEMPTS - 1);
    assertThat(
            stage.afterFailure(
                context, failed(RunnerError.DATABASE_UNREACHABLE, "connection refused"), "a1"))
        .isInstanceOf(StageResult.Retry.class);
    context.rollout().setAttempt(JobStage.MAX_ATTEMPTS);
    StageResult last =
        stage.afterFailure(
            context, failed(RunnerError.DATABASE_UNREACHABLE, "connection refused"), "a1");
    assertThat(last).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) last).outcome()).isEqualTo(Phase.Failed);
    assertThat(((StageResult.Failed) last).reason()).isEqualTo(Reasons.DATABASE_UNREACHABLE);
    assertThat(((StageResult.Failed) last).message())
        .contains("gave up after 5 attempts")
        .contains("connection refused");
  }

  /** A migrate Job deleted before its result was read: the database decides, nothing runs twice. */
  @Test
  void lostMigrateJobGoesOnAtTheTargetAndFailsWhereTheDatabaseIsUnchanged() {
    MigrateStage stage = new MigrateStage(services);
    JobOutcome.Lost lost =
        new JobOutcome.Lost("migrate Job kiki-campaigns-migrate-3 (uid u) was deleted");
    StageResult atTarget = stage.afterLost(migrating(TestingResources.resource()), lost, "c3");
    assertThat(atTarget).isInstanceOf(StageResult.Advance.class);
    assertThat(((StageResult.Advance) atTarget).next()).isEqualTo(RolloutStage.Verify);
    assertThat(((StageResult.Advance) atTarget).message())
        .contains("result was lost")
        .contains("at the target");
    StageResult unchanged = stage.afterLost(migrating(TestingResources.resource()), lost, "a1");
    assertThat(unchanged).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) unchanged).reason()).isEqualTo(Reasons.JOB_LOST);
    assertThat(((StageResult.Failed) unchanged).message())
        .contains("unchanged at a1")
        .contains("not run again");
  }
}
