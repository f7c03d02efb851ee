package io.kiki.migrations.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kiki.migrations.api.v1alpha1.BackupRecord;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.database.DatabaseLocks;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.stage.StageResult;
import io.kiki.migrations.operator.status.ConditionTypes;
import io.kiki.migrations.operator.status.Reasons;
import io.kiki.migrations.operator.status.StatusRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every transition of the rollout's table, driven directly and synchronously: a stage result in,
 * the status, events, requeue, lock and metrics out. The Secret a refused URL is rechecked against
 * lives on a mock API server.
 */
@EnableKubernetesMockClient(crud = true)
class RolloutTransitionsTest {
  static KubernetesClient client;

  static final String DATABASE = "db.kiki:5432/kiki";
  final Instant started = Instant.parse("2026-11-24T05:00:00Z");
  final Instant now = started.plusSeconds(12);
  final OperatorConfig config = OperatorConfig.defaults();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final DatabaseLocks locks = new DatabaseLocks(Duration.ofMinutes(1));
  RolloutTransitions transitions;
  DatabaseMigration resource;
  DatabaseMigrationStatus status;

  @BeforeEach
  void rolloutInProgress() {
    transitions = new RolloutTransitions(config, new OperatorMetrics(registry), locks, client);
    resource = TestingResources.resource();
    status = TestingResources.context(resource, RolloutStage.Plan, "a1").status();
    Rollout rollout = status.getRollout();
    rollout.setDatabase(DATABASE);
    rollout.setTo("c3");
    rollout.setDirection("upgrade");
    rollout.setAttempt(1);
    rollout.setStartedAt(started.toString());
    rollout.setStageStartedAt(started.toString());
    rollout.setJobUid("uid-of-the-plan-job");
    StatusRecorder.progressing(status, Phase.Planning, Reasons.PLANNING, "planning", 3, started);
    assertThat(locks.tryAcquire(DATABASE, DatabaseLocks.key(resource), List.of(resource), started))
        .isEmpty();
  }

  Decision apply(RolloutStage current, StageResult result) {
    status.getRollout().setStage(current);
    return transitions.apply(resource, status, current, result, now);
  }

  @Test
  void waitingWithoutAMessageOnlyLooksAgainLater() {
    DatabaseMigrationStatus before = StatusRecorder.copy(status);
    Decision decision = apply(RolloutStage.Plan, new StageResult.Waiting(Duration.ofSeconds(10)));
    assertThat(StatusRecorder.same(before, status)).isTrue();
    assertThat(decision.requeue()).isEqualTo(Duration.ofSeconds(10));
    assertThat(decision.events()).isEmpty();
    assertThat(decision.runsNextStage()).isFalse();
  }

  @Test
  void waitingForAReasonSaysSoOnceAndKeepsThePhase() {
    StageResult waiting =
        new StageResult.Waiting(Duration.ofSeconds(10), "pod waits: ErrImagePull", "ErrImagePull");
    Decision first = apply(RolloutStage.Plan, waiting);
    assertThat(status.getPhase()).isEqualTo(Phase.Planning);
    assertCondition(ConditionTypes.RECONCILING, "True", "ErrImagePull");
    assertThat(first.events())
        .containsExactly(new Decision.Event("ErrImagePull", "pod waits: ErrImagePull"));
    assertThat(apply(RolloutStage.Plan, waiting).events())
        .as("the same reason again: no second event")
        .isEmpty();

    Decision running =
        apply(
            RolloutStage.Plan,
            new StageResult.Waiting(Duration.ofSeconds(10), "plan Job is running"));
    assertCondition(ConditionTypes.RECONCILING, "True", Phase.Planning.name());
    assertThat(running.events()).isEmpty();
  }

  @Test
  void retryRunsTheStageAgainAsANewAttemptAfterTheBackoff() {
    Decision decision =
        apply(
            RolloutStage.Migrate,
            new StageResult.Retry(
                Reasons.DATABASE_UNREACHABLE,
                "migrate attempt 1 could not run; retrying in 2s",
                Duration.ofSeconds(2)));
    Rollout rollout = status.getRollout();
    assertThat(rollout.getAttempt()).isEqualTo(2);
    assertThat(rollout.getJobs().get(RolloutStage.Migrate)).isEqualTo("kiki-campaigns-migrate-3-2");
    assertThat(rollout.getJobUid()).as("the next attempt's Job is a new one").isNull();
    assertThat(rollout.getNextAttemptAt()).isEqualTo(now.plusSeconds(2).toString());
    assertThat(status.getPhase()).isEqualTo(Phase.Migrating);
    assertCondition(ConditionTypes.RECONCILING, "True", Reasons.DATABASE_UNREACHABLE);
    assertThat(decision.requeue()).isEqualTo(Duration.ofSeconds(2));
    assertThat(decision.runsNextStage()).isFalse();
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.DATABASE_UNREACHABLE);
    assertThat(stageCount(RolloutStage.Migrate, "retried")).isEqualTo(1);
  }

  @Test
  void aPlanLeadsToTheBackupWhoseJobNameIsRecordedBeforeItRuns() {
    status.getRollout().setAttempt(2);
    Decision decision =
        apply(
            RolloutStage.Plan,
            new StageResult.Advance(
                RolloutStage.Backup, Reasons.PLAN_SUCCEEDED, "plan: upgrade from a1 to c3"));
    Rollout rollout = status.getRollout();
    assertThat(rollout.getStage()).isEqualTo(RolloutStage.Backup);
    assertThat(rollout.getAttempt()).isEqualTo(1);
    assertThat(rollout.getJobs().get(RolloutStage.Backup)).isEqualTo("kiki-campaigns-backup-3");
    assertThat(rollout.getJobUid()).isNull();
    assertThat(rollout.getStageStartedAt()).isEqualTo(now.toString());
    assertThat(status.getPhase()).isEqualTo(Phase.BackingUp);
    assertCondition(ConditionTypes.RECONCILING, "True", Phase.BackingUp.name());
    assertThat(decision.runsNextStage())
        .as("the backup Job starts as soon as this status is written")
        .isTrue();
    assertThat(decision.events())
        .containsExactly(new Decision.Event(Reasons.PLAN_SUCCEEDED, "plan: upgrade from a1 to c3"));
    assertThat(stageCount(RolloutStage.Plan, "succeeded")).isEqualTo(1);
  }

  @Test
  void aBackupLeadsToTheMigrationAndIsMeasured() {
    BackupRecord backup = new BackupRecord();
    backup.setSizeBytes(2048L);
    status.setLastBackup(backup);
    Decision decision =
        apply(
            RolloutStage.Backup,
            new StageResult.Advance(
                RolloutStage.Migrate, Reasons.BACKUP_SUCCEEDED, "backup b.dump"));
    assertThat(status.getRollout().getJobs().get(RolloutStage.Migrate))
        .isEqualTo("kiki-campaigns-migrate-3");
    assertThat(status.getPhase()).isEqualTo(Phase.Migrating);
    assertThat(decision.runsNextStage()).isTrue();
    assertThat(registry.find("kiki.migrations.backup.size").summary().totalAmount())
        .isEqualTo(2048.0);
  }

  @Test
  void aMigrationLeadsToVerificationWhichHasNoJob() {
    Decision decision =
        apply(
            RolloutStage.Migrate,
            new StageResult.Advance(
                RolloutStage.Verify, Reasons.MIGRATION_SUCCEEDED, "upgrade from a1 to c3 done"));
    Rollout rollout = status.getRollout();
    assertThat(rollout.getStage()).isEqualTo(RolloutStage.Verify);
    assertThat(rollout.getVerifyStartedAt()).isEqualTo(now.toString());
    assertThat(rollout.getConsecutivePasses()).isZero();
    assertThat(rollout.getJobs().get(RolloutStage.Verify)).isNull();
    assertThat(status.getPhase()).isEqualTo(Phase.Verifying);
    assertThat(decision.runsNextStage()).isTrue();
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.MIGRATION_SUCCEEDED, Reasons.VERIFY_STARTED);
  }

  @Test
  void aFailedVerificationIsUndoneByADowngradeThatRemembersWhy() {
    Decision decision =
        apply(
            RolloutStage.Verify,
            new StageResult.Undo(
                RolloutStage.Rollback,
                Reasons.HEALTH_CHECK_FAILED,
                "checks failed; downgrading",
                "checks failed"));
    Rollout rollout = status.getRollout();
    assertThat(rollout.getStage()).isEqualTo(RolloutStage.Rollback);
    assertThat(rollout.getRollbackReason()).isEqualTo(Reasons.HEALTH_CHECK_FAILED);
    assertThat(rollout.getRollbackMessage()).isEqualTo("checks failed");
    assertThat(rollout.getJobs().get(RolloutStage.Rollback)).isEqualTo("kiki-campaigns-rollback-3");
    assertThat(status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(status.getMessage()).isEqualTo("checks failed; downgrading");
    assertThat(decision.runsNextStage()).isTrue();
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.HEALTH_CHECK_FAILED);
    assertThat(count("kiki.migrations.rollbacks", "method", "Downgrade")).isEqualTo(1);
    assertThat(stageCount(RolloutStage.Verify, "failed")).isEqualTo(1);
  }

  @Test
  void aFailedDowngradeIsUndoneByTheRestoreAndTheFinalMessageTellsBoth() {
    apply(
        RolloutStage.Verify,
        new StageResult.Undo(
            RolloutStage.Rollback,
            Reasons.HEALTH_CHECK_FAILED,
            "checks failed; downgrading",
            "checks failed"));
    Decision decision =
        apply(
            RolloutStage.Rollback,
            new StageResult.Undo(
                RolloutStage.Restore,
                Reasons.ROLLBACK_FAILED,
                "downgrade failed; restoring backup b.dump",
                "downgrade failed"));
    Rollout rollout = status.getRollout();
    assertThat(rollout.getStage()).isEqualTo(RolloutStage.Restore);
    assertThat(rollout.getRollbackReason())
        .as("why the rollout is undone stays the first cause")
        .isEqualTo(Reasons.HEALTH_CHECK_FAILED);
    assertThat(rollout.getRollbackMessage()).isEqualTo("checks failed; then downgrade failed");
    assertThat(rollout.getJobs().get(RolloutStage.Restore)).isEqualTo("kiki-campaigns-restore-3");
    assertThat(status.getPhase()).isEqualTo(Phase.Restoring);
    assertThat(decision.runsNextStage()).isTrue();
    assertThat(count("kiki.migrations.rollbacks", "method", "Restore")).isEqualTo(1);
  }

  @Test
  void readyEndsTheRolloutRecordsItAndFreesTheDatabase() {
    status.getRollout().setRequestedImage("kiki/migrations:2");
    Decision decision =
        apply(RolloutStage.Verify, new StageResult.Ready(Reasons.SUCCEEDED, "database at c3"));
    assertThat(status.getPhase()).isEqualTo(Phase.Ready);
    assertThat(status.getAppliedImage()).isEqualTo("kiki/migrations:2");
    assertCondition(ConditionTypes.READY, "True", Reasons.SUCCEEDED);
    assertCondition(ConditionTypes.RECONCILING, "False", Reasons.SUCCEEDED);
    assertHistory(Phase.Ready, Reasons.SUCCEEDED, "database at c3");
    assertThat(decision.events())
        .containsExactly(new Decision.Event(Reasons.SUCCEEDED, "database at c3"));
    assertThat(decision.requeue())
        .as("then the database is watched for leaving its target")
        .isEqualTo(config.configRecheckInterval());
    assertThat(decision.runsNextStage()).isFalse();
    assertDatabaseFree();
    assertThat(count("kiki.migrations.rollouts", "outcome", "Ready")).isEqualTo(1);
  }

  @Test
  void aSuccessfulDowngradeIsRolledBackNotFailed() {
    status.getRollout().setRollbackReason(Reasons.HEALTH_CHECK_FAILED);
    Decision decision =
        apply(
            RolloutStage.Rollback,
            new StageResult.RolledBack(
                Reasons.HEALTH_CHECK_FAILED, "rolled back to a1 after: checks failed"));
    assertThat(status.getPhase()).isEqualTo(Phase.RolledBack);
    assertCondition(ConditionTypes.STALLED, "True", Reasons.HEALTH_CHECK_FAILED);
    assertHistory(
        Phase.RolledBack, Reasons.HEALTH_CHECK_FAILED, "rolled back to a1 after: checks failed");
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.ROLLBACK_SUCCEEDED);
    assertThat(stageCount(RolloutStage.Rollback, "succeeded")).isEqualTo(1);
    assertThat(count("kiki.migrations.rollouts", "outcome", "RolledBack")).isEqualTo(1);
    assertDatabaseFree();
  }

  @Test
  void aSuccessfulRestoreIsRolledBackToo() {
    Decision decision =
        apply(
            RolloutStage.Restore,
            new StageResult.RolledBack(Reasons.MIGRATION_FAILED, "restored backup b.dump"));
    assertThat(status.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.RESTORE_SUCCEEDED);
  }

  @Test
  void aFailureEndsTheRolloutUntilTheGenerationChanges() {
    Decision decision =
        apply(
            RolloutStage.Migrate,
            new StageResult.Failed(
                Phase.Failed,
                Reasons.MIGRATION_FAILED,
                "upgrade to c3 failed; the database is unchanged at a1"));
    assertThat(status.getPhase()).isEqualTo(Phase.Failed);
    assertCondition(ConditionTypes.STALLED, "True", Reasons.MIGRATION_FAILED);
    assertCondition(ConditionTypes.READY, "False", Reasons.MIGRATION_FAILED);
    assertHistory(
        Phase.Failed,
        Reasons.MIGRATION_FAILED,
        "upgrade to c3 failed; the database is unchanged at a1");
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.MIGRATION_FAILED);
    assertThat(decision.requeue())
        .as("terminal: nothing to look at until the spec changes")
        .isNull();
    assertThat(stageCount(RolloutStage.Migrate, "failed")).isEqualTo(1);
    assertDatabaseFree();
  }

  @Test
  void aPlanThatCannotRunIsBlocked() {
    Decision decision =
        apply(
            RolloutStage.Plan,
            new StageResult.Failed(Phase.Blocked, Reasons.MULTIPLE_HEADS, "two heads"));
    assertThat(status.getPhase()).isEqualTo(Phase.Blocked);
    assertHistory(Phase.Blocked, Reasons.MULTIPLE_HEADS, "two heads");
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.MULTIPLE_HEADS);
    assertDatabaseFree();
  }

  @Test
  void aRefusedUrlIsPendingAndRecheckedAgainstTheSecretsVersion() {
    String version =
        client
            .secrets()
            .inNamespace("kiki")
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("kiki-db")
                    .endMetadata()
                    .addToStringData("KIKI_DATABASE_URL", "postgresql://db")
                    .build())
            .create()
            .getMetadata()
            .getResourceVersion();
    Decision decision =
        apply(
            RolloutStage.Plan,
            new StageResult.Misconfigured(
                Reasons.INVALID_DATABASE_URL, "bad URL. Fix the URL in the Secret"));
    assertThat(status.getPhase()).isEqualTo(Phase.Pending);
    assertCondition(ConditionTypes.STALLED, "True", Reasons.INVALID_DATABASE_URL);
    assertThat(status.getRollout().getRefusedSecretVersion()).isNotNull().isEqualTo(version);
    assertThat(decision.requeue()).isEqualTo(config.configRecheckInterval());
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.INVALID_DATABASE_URL);
    assertDatabaseFree();
  }

  @Test
  void theResultTypesRefuseWhatTheyDoNotMean() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new StageResult.Failed(Phase.RolledBack, "r", "m"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new StageResult.Undo(RolloutStage.Migrate, "r", "m", "c"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  void assertCondition(String type, String value, String reason) {
    var condition = StatusRecorder.find(status, type);
    assertThat(condition.getStatus()).as(type).isEqualTo(value);
    assertThat(condition.getReason()).as(type + " reason").isEqualTo(reason);
    assertThat(condition.getObservedGeneration()).isEqualTo(3L);
  }

  void assertHistory(Phase outcome, String reason, String message) {
    HistoryEntry entry = status.getHistory().get(0);
    assertThat(entry.getOutcome()).isEqualTo(outcome);
    assertThat(entry.getReason()).isEqualTo(reason);
    assertThat(entry.getMessage()).isEqualTo(message);
    assertThat(entry.getFrom()).isEqualTo("a1");
    assertThat(entry.getTo()).isEqualTo("c3");
    assertThat(entry.getStartedAt()).isEqualTo(started.toString());
    assertThat(entry.getFinishedAt()).isEqualTo(now.toString());
  }

  @Test
  void plannedAndMigratedEndsThePlanThenAppliesTheMigrationAsTheMigrateStage() {
    Decision decision =
        apply(
            RolloutStage.Plan,
            new StageResult.PlannedAndMigrated(
                "plan 0123: upgrade from a1 to c3, 2 step(s)",
                Duration.ofSeconds(5),
                new StageResult.Advance(
                    RolloutStage.Verify,
                    Reasons.MIGRATION_SUCCEEDED,
                    "upgrade from a1 to c3 done")));

    Rollout rollout = status.getRollout();
    assertThat(rollout.getStage()).isEqualTo(RolloutStage.Verify);
    assertThat(status.getPhase()).isEqualTo(Phase.Verifying);
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(
            Reasons.PLAN_SUCCEEDED, Reasons.MIGRATION_SUCCEEDED, Reasons.VERIFY_STARTED);
    assertThat(decision.runsNextStage()).isTrue();
    assertThat(stageCount(RolloutStage.Plan, "succeeded")).isEqualTo(1);
    assertThat(stageCount(RolloutStage.Migrate, "succeeded")).isEqualTo(1);
    assertThat(
            registry
                .find("kiki.migrations.stage.duration")
                .tag("stage", "Migrate")
                .timer()
                .totalTime(java.util.concurrent.TimeUnit.SECONDS))
        .as("the migration's share of the Job's 12 s")
        .isEqualTo(5.0);
  }

  @Test
  void aTransientFailureOfThePlannedMigrationRunsThePlanJobAgainUnderItsNewName() {
    Rollout rollout = status.getRollout();
    rollout.getJobs().setPlan("kiki-campaigns-plan-3");
    rollout.getJobs().setMigrate("kiki-campaigns-plan-3");
    apply(
        RolloutStage.Plan,
        new StageResult.PlannedAndMigrated(
            "plan",
            Duration.ZERO,
            new StageResult.Retry(
                Reasons.LOCK_TIMEOUT, "migrate attempt 1 could not run", Duration.ofSeconds(2))));

    assertThat(rollout.getStage()).isEqualTo(RolloutStage.Plan);
    assertThat(rollout.getAttempt()).isEqualTo(2);
    assertThat(rollout.getJobs().getPlan()).isEqualTo("kiki-campaigns-plan-3-2");
    assertThat(rollout.getJobs().getMigrate())
        .as("the intent follows the plan Job")
        .isEqualTo("kiki-campaigns-plan-3-2");
    assertThat(stageCount(RolloutStage.Plan, "retried")).isEqualTo(1);
  }

  /** Another resource on the same database may take it now. */
  void assertDatabaseFree() {
    DatabaseMigration other = TestingResources.resource();
    other.getMetadata().setName("other");
    assertThat(locks.tryAcquire(DATABASE, DatabaseLocks.key(other), List.of(resource, other), now))
        .isEmpty();
  }

  double count(String name, String tag, String value) {
    return registry.find(name).tag(tag, value).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  long stageCount(RolloutStage stage, String outcome) {
    return registry
        .find("kiki.migrations.stage.duration")
        .tag("stage", stage.name())
        .tag("outcome", outcome)
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }
}
