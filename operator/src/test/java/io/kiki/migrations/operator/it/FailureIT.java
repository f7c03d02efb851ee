package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.it.TestingKubelet.Failure;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.status.Reasons;
import org.junit.jupiter.api.Test;

/** Failed migrations and verifications, and the rollback paths. */
class FailureIT extends MockClusterTestBase {

  @Test
  void failedMigrationThatLeftTheDatabaseUnchangedFailsWithoutRollback() throws Exception {
    stamp("a1");
    kubelet.fail(
        "upgrade",
        new Failure(RunnerError.MIGRATION_FAILED, "revision b2 failed: column exists", null));
    create(fixture("failing-check.yaml"));
    DatabaseMigration failed = awaitPhase("kiki-campaigns", Phase.Failed);
    assertCondition(failed, "Stalled", "True", Reasons.MIGRATION_FAILED, 1);
    assertCondition(failed, "Ready", "False", Reasons.MIGRATION_FAILED, 1);
    assertCondition(failed, "Reconciling", "False", Reasons.MIGRATION_FAILED, 1);
    assertThat(failed.getStatus().getMessage())
        .contains("unchanged at a1")
        .contains("column exists");
    assertThat(kubelet.commands()).containsExactly("plan", "backup", "upgrade");
    assertThat(revision()).isEqualTo("a1");
    assertThat(failed.getStatus().getHistory().get(0).getOutcome()).isEqualTo(Phase.Failed);
    assertThat(eventReasons("kiki-campaigns"))
        .contains(Reasons.MIGRATION_STARTED, Reasons.MIGRATION_FAILED);
  }

  @Test
  void failedHealthCheckDowngradesBack() throws Exception {
    stamp("a1");
    create(fixture("failing-check.yaml"));
    DatabaseMigration rolledBack = awaitPhase("kiki-campaigns", Phase.RolledBack);
    assertCondition(rolledBack, "Stalled", "True", Reasons.HEALTH_CHECK_FAILED, 1);
    assertCondition(rolledBack, "Ready", "False", Reasons.HEALTH_CHECK_FAILED, 1);
    assertThat(rolledBack.getStatus().getMessage())
        .contains("rolled back to a1")
        .contains("campaigns-readable");
    assertThat(kubelet.commands()).containsExactly("plan", "backup", "upgrade", "downgrade");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-rollback-1")))
        .containsExactly("downgrade", "--target", "a1");
    assertThat(revision()).isEqualTo("a1");
    assertThat(rolledBack.getStatus().getCurrentRevision()).isEqualTo("a1");
    assertThat(rolledBack.getStatus().getAppliedImage()).as("nothing new was applied").isNull();
    assertThat(eventReasons("kiki-campaigns"))
        .containsSubsequence(
            Reasons.VERIFY_STARTED,
            Reasons.HEALTH_CHECK_FAILED,
            Reasons.ROLLBACK_STARTED,
            Reasons.ROLLBACK_SUCCEEDED);
    assertThat(metrics.scrape())
        .contains("kiki_migrations_health_check_failures_total{check=\"campaigns-readable\"")
        .contains(
            "kiki_migrations_rollbacks_total{method=\"Downgrade\",reason=\"HealthCheckFailed\"} 1.0")
        .contains("outcome=\"RolledBack\",reason=\"HealthCheckFailed\"} 1.0");
  }

  @Test
  void failedDowngradeRestoresTheBackup() throws Exception {
    stamp("a1");
    kubelet.fail(
        "downgrade", new Failure(RunnerError.MIGRATION_FAILED, "downgrade of c3 failed", null));
    create(fixture("failing-check.yaml"));
    DatabaseMigration rolledBack = awaitPhase("kiki-campaigns", Phase.RolledBack);
    assertCondition(rolledBack, "Stalled", "True", Reasons.HEALTH_CHECK_FAILED, 1);
    assertThat(kubelet.commands())
        .containsExactly("plan", "backup", "upgrade", "downgrade", "restore");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-restore-1")))
        .containsExactly(
            "restore", "--file", "/backups/" + rolledBack.getStatus().getLastBackup().getFile());
    assertThat(revision()).isEqualTo("a1");
    assertThat(eventReasons("kiki-campaigns"))
        .containsSubsequence(
            Reasons.ROLLBACK_STARTED,
            Reasons.ROLLBACK_FAILED,
            Reasons.RESTORE_STARTED,
            Reasons.RESTORE_SUCCEEDED);
    assertThat(rolledBack.getStatus().getMessage())
        .as("the final message: what happened, not the step that was next")
        .startsWith(
            "restored backup "
                + rolledBack.getStatus().getLastBackup().getFile()
                + " (database at a1) after: ")
        .contains(
            "; then downgrade back to a1 failed and the database is still at c3: downgrade of c3 failed")
        .doesNotContain("downgrading")
        .doesNotContain("; restoring backup");
  }

  @Test
  void failedRestoreEndsFailedWithRollbackFailed() throws Exception {
    stamp("a1");
    kubelet.fail(
        "downgrade", new Failure(RunnerError.MIGRATION_FAILED, "downgrade of c3 failed", null));
    kubelet.fail(
        "restore",
        new Failure(
            RunnerError.RESTORE_FAILED, "pg_restore: error: could not read input file", null));
    create(fixture("failing-check.yaml"));
    DatabaseMigration failed = awaitPhase("kiki-campaigns", Phase.Failed);
    assertCondition(failed, "Stalled", "True", Reasons.ROLLBACK_FAILED, 1);
    assertThat(failed.getStatus().getMessage())
        .contains("restore of backup")
        .contains("could not read input file");
    assertThat(revision()).isEqualTo("c3");
    assertThat(failed.getStatus().getCurrentRevision()).isEqualTo("c3");
  }

  @Test
  void irreversibleStepIsUndoneByRestore() throws Exception {
    stamp("b2");
    DatabaseMigration resource = fixture("failing-check.yaml");
    resource.getSpec().setImage(IMAGE_IRREVERSIBLE);
    create(resource);
    DatabaseMigration rolledBack = awaitPhase("kiki-campaigns", Phase.RolledBack);
    assertThat(rolledBack.getStatus().getRollout().getIrreversibleSteps()).containsExactly("x9");
    assertThat(kubelet.commands()).containsExactly("plan", "backup", "upgrade", "restore");
    assertThat(revision()).isEqualTo("b2");
    assertThat(metrics.scrape())
        .contains("kiki_migrations_rollbacks_total{method=\"Restore\"")
        .doesNotContain("method=\"Downgrade\"");
  }

  @Test
  void irreversibleStepWithoutBackupFailsWithAClearReason() throws Exception {
    stamp("b2");
    DatabaseMigration resource = fixture("failing-check.yaml");
    resource.getSpec().setImage(IMAGE_IRREVERSIBLE);
    resource.getSpec().setBackup(null);
    create(resource);
    DatabaseMigration failed = awaitPhase("kiki-campaigns", Phase.Failed);
    assertCondition(failed, "Stalled", "True", Reasons.IRREVERSIBLE_WITHOUT_BACKUP, 1);
    assertThat(failed.getStatus().getMessage()).contains("x9").contains("no backup");
    assertThat(kubelet.commands()).containsExactly("plan", "upgrade");
    assertThat(revision()).isEqualTo("x9");
  }

  @Test
  void failedMigrationThatMovedTheDatabaseIsRolledBack() throws Exception {
    stamp("a1");
    kubelet.fail("upgrade", new Failure(RunnerError.MIGRATION_FAILED, "revision c3 failed", "b2"));
    create(fixture("failing-check.yaml"));
    DatabaseMigration rolledBack = awaitPhase("kiki-campaigns", Phase.RolledBack);
    assertCondition(rolledBack, "Stalled", "True", Reasons.MIGRATION_FAILED, 1);
    assertThat(kubelet.commands()).containsExactly("plan", "backup", "upgrade", "downgrade");
    assertThat(revision()).isEqualTo("a1");
  }
}
