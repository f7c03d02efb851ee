package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.it.TestingKubelet.Failure;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.status.Reasons;
import org.junit.jupiter.api.Test;

/**
 * KIKI_PLAN_THEN_MIGRATE (the operator's default): one Job plans and upgrades when nothing gates
 * between the two stages, and every refusal of the plan still stops the rollout before it migrates.
 */
class PlanThenMigrateIT extends MockClusterTestBase {

  @Override
  boolean planThenMigrate() {
    return true;
  }

  @Test
  void withoutBackupOneJobPlansAndUpgrades() throws Exception {
    create(fixture("basic.yaml"));
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);

    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 1);
    assertThat(revision()).isEqualTo("c3");
    assertThat(kubelet.jobNames()).containsExactly("kiki-campaigns-plan-1");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-plan-1")))
        .containsExactly("plan", "--target", "head", "--then-upgrade");
    var rollout = ready.getStatus().getRollout();
    assertThat(rollout.getJobs().getPlan()).isEqualTo("kiki-campaigns-plan-1");
    assertThat(rollout.getJobs().getMigrate()).isEqualTo("kiki-campaigns-plan-1");
    assertThat(rollout.getPlanHash()).isNotBlank();
    assertThat(rollout.getFrom()).isEqualTo("base");
    assertThat(rollout.getTo()).isEqualTo("c3");
    assertThat(ready.getStatus().getHistory().get(0).getOutcome()).isEqualTo(Phase.Ready);
    assertThat(eventReasons("kiki-campaigns"))
        .containsSubsequence(
            Reasons.PLAN_STARTED,
            Reasons.PLAN_SUCCEEDED,
            Reasons.MIGRATION_SUCCEEDED,
            Reasons.SUCCEEDED)
        .doesNotContain(Reasons.MIGRATION_STARTED);
    assertThat(metrics.scrape())
        .contains("stage=\"Plan\"")
        .contains("stage=\"Migrate\"")
        .doesNotContain("stage=\"Backup\"");
  }

  @Test
  void aBackupKeepsTheMigrateJobOfItsOwn() throws Exception {
    DatabaseMigration resource = fixture("basic.yaml");
    BackupSpec backup = new BackupSpec();
    backup.setEnabled(true);
    backup.setPersistentVolumeClaim("kiki-backups");
    resource.getSpec().setBackup(backup);
    create(resource);
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);

    assertThat(kubelet.commands()).containsExactly("plan", "backup", "upgrade");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-plan-1")))
        .containsExactly("plan", "--target", "head");
    assertThat(ready.getStatus().getRollout().getJobs().getMigrate())
        .isEqualTo("kiki-campaigns-migrate-1");
  }

  @Test
  void aBlockingLintKeepsTheMigrateJobOfItsOwn() throws Exception {
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setLint(LintMode.Block);
    create(resource);
    awaitPhase("kiki-campaigns", Phase.Ready);

    assertThat(kubelet.commands()).containsExactly("plan", "upgrade");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-plan-1")))
        .containsExactly("plan", "--target", "head");
  }

  @Test
  void aDowngradeTheSpecDoesNotAllowIsRefusedBeforeAnythingMigrates() throws Exception {
    stamp("c3");
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setTargetRevision("a1");
    create(resource);
    DatabaseMigration blocked = awaitPhase("kiki-campaigns", Phase.Blocked);

    assertCondition(blocked, "Stalled", "True", Reasons.DOWNGRADE_NOT_ALLOWED, 1);
    assertThat(kubelet.commands()).containsExactly("plan");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-plan-1")))
        .contains("--then-upgrade");
    assertThat(revision()).isEqualTo("c3");
  }

  @Test
  void aFailedUpgradeThatLeftTheDatabaseUnchangedFailsWithThePlanRecorded() throws Exception {
    stamp("a1");
    kubelet.fail(
        "upgrade",
        new Failure(RunnerError.MIGRATION_FAILED, "revision b2 failed: column exists", null));
    create(fixture("basic.yaml"));
    DatabaseMigration failed = awaitPhase("kiki-campaigns", Phase.Failed);

    assertCondition(failed, "Stalled", "True", Reasons.MIGRATION_FAILED, 1);
    assertThat(failed.getStatus().getMessage())
        .contains("unchanged at a1")
        .contains("column exists");
    assertThat(kubelet.commands()).containsExactly("plan");
    assertThat(failed.getStatus().getRollout().getTo()).isEqualTo("c3");
    assertThat(failed.getStatus().getRollout().getPlanHash()).isNotBlank();
    assertThat(revision()).isEqualTo("a1");
    assertThat(eventReasons("kiki-campaigns"))
        .containsSubsequence(Reasons.PLAN_SUCCEEDED, Reasons.MIGRATION_FAILED);
  }

  @Test
  void aFailedUpgradeThatMovedTheDatabaseIsRolledBack() throws Exception {
    stamp("a1");
    kubelet.fail("upgrade", new Failure(RunnerError.MIGRATION_FAILED, "revision c3 failed", "b2"));
    create(fixture("basic.yaml"));
    DatabaseMigration rolledBack = awaitPhase("kiki-campaigns", Phase.RolledBack);

    assertCondition(rolledBack, "Stalled", "True", Reasons.MIGRATION_FAILED, 1);
    assertThat(kubelet.commands()).containsExactly("plan", "downgrade");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-rollback-1")))
        .containsExactly("downgrade", "--target", "a1");
    assertThat(revision()).isEqualTo("a1");
  }

  @Test
  void anImageWhoseRunnerCannotThenUpgradePlansAloneAndMigratesInAJobOfItsOwn() throws Exception {
    kubelet.fail(
        "plan --then-upgrade",
        new Failure(
            RunnerError.BAD_ARGUMENTS,
            "unrecognized arguments: --then-upgrade (usage: kiki-migrate [-h] COMMAND ...)",
            null));
    create(fixture("basic.yaml"));
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);

    assertThat(revision()).isEqualTo("c3");
    assertThat(kubelet.jobNames())
        .containsExactly(
            "kiki-campaigns-plan-1", "kiki-campaigns-plan-1-2", "kiki-campaigns-migrate-1");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-plan-1-2")))
        .containsExactly("plan", "--target", "head");
    assertThat(ready.getStatus().getRollout().getJobs().getMigrate())
        .isEqualTo("kiki-campaigns-migrate-1");
  }
}
