package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec;
import io.kiki.migrations.api.v1alpha1.RehearsalSpec;
import io.kiki.migrations.operator.TestingResources;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** One Job plans and migrates only when no gate stands between the plan and the migration. */
class PlanThenMigrateTest {
  static DatabaseMigrationSpec spec(Consumer<DatabaseMigrationSpec> change) {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    BackupSpec backup = new BackupSpec();
    backup.setEnabled(false);
    spec.setBackup(backup);
    change.accept(spec);
    return spec;
  }

  @Test
  void withNoGateOneJobPlansAndMigrates() {
    assertThat(PlanThenMigrate.applies(spec(s -> {}))).isTrue();
    assertThat(PlanThenMigrate.applies(spec(s -> s.setLint(LintMode.Warn)))).isTrue();
    assertThat(PlanThenMigrate.applies(spec(s -> s.setApproval(Approval.Automatic)))).isTrue();
  }

  @Test
  void everyGateBetweenPlanAndMigrateKeepsTwoJobs() {
    assertThat(PlanThenMigrate.applies(spec(s -> s.getBackup().setEnabled(true))))
        .as("a backup")
        .isFalse();
    assertThat(PlanThenMigrate.applies(spec(s -> s.setLint(LintMode.Block))))
        .as("a blocking lint")
        .isFalse();
    assertThat(PlanThenMigrate.applies(spec(s -> s.setApproval(Approval.Manual))))
        .as("a person's approval")
        .isFalse();
    MaintenanceWindowSpec window = new MaintenanceWindowSpec();
    window.setSchedule("0 2 * * 6");
    window.setDuration("4h");
    assertThat(PlanThenMigrate.applies(spec(s -> s.setMaintenanceWindow(window))))
        .as("a maintenance window")
        .isFalse();
    RehearsalSpec rehearsal = new RehearsalSpec();
    rehearsal.setEnabled(true);
    assertThat(PlanThenMigrate.applies(spec(s -> s.setRehearsal(rehearsal))))
        .as("a rehearsal")
        .isFalse();
  }
}
