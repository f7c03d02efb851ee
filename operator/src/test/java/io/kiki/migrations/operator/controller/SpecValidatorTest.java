package io.kiki.migrations.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.HealthCheckSpec;
import io.kiki.migrations.api.v1alpha1.HttpCheckSpec;
import io.kiki.migrations.api.v1alpha1.RollbackSpec;
import io.kiki.migrations.api.v1alpha1.RollbackStrategy;
import io.kiki.migrations.api.v1alpha1.TimeoutsSpec;
import io.kiki.migrations.api.v1alpha1.VerifySpec;
import io.kiki.migrations.operator.TestingResources;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

  @Test
  void validSpecHasNoProblems() {
    assertThat(SpecValidator.validate(TestingResources.resource().getSpec())).isEmpty();
  }

  @Test
  void eachRuleNamesTheField() {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    spec.setTargetRevision("base");
    spec.setImage(" ");
    BackupSpec backup = new BackupSpec();
    backup.setEnabled(false);
    spec.setBackup(backup);
    RollbackSpec rollback = new RollbackSpec();
    rollback.setOnFailure(RollbackStrategy.Restore);
    spec.setRollback(rollback);
    TimeoutsSpec timeouts = new TimeoutsSpec();
    timeouts.setMigrate("30 minutes");
    spec.setTimeouts(timeouts);
    VerifySpec verify = new VerifySpec();
    HealthCheckSpec both = new HealthCheckSpec();
    both.setName("api");
    both.setSql("SELECT 1");
    HttpCheckSpec http = new HttpCheckSpec();
    http.setUrl("ftp://x");
    both.setHttp(http);
    HealthCheckSpec twice = new HealthCheckSpec();
    twice.setName("api");
    verify.setChecks(List.of(both, twice));
    verify.setSuccessThreshold(0);
    spec.setVerify(verify);

    assertThat(SpecValidator.validate(spec))
        .containsExactlyInAnyOrder(
            "spec.image must name the migrations image (e.g. registry.example.com/kiki/migrations:1.6.0)",
            "spec.targetRevision base removes the whole schema: it needs spec.allowDowngrade: true",
            "spec.rollback.onFailure Restore needs spec.backup.enabled: true",
            "spec.timeouts.migrate '30 minutes' is not a duration like 90s, 2m or 1h30m",
            "spec.verify.successThreshold must be at least 1",
            "spec.verify.checks[0] needs exactly one of sql, http, deployment",
            "spec.verify.checks[0].http.url must be an http:// or https:// URL",
            "spec.verify.checks[1].name 'api' is used twice",
            "spec.verify.checks[1] needs exactly one of sql, http, deployment");
  }

  /**
   * What only the operator can check (cron-utils, the JDK's zones) is InvalidSpec naming the field.
   */
  @Test
  void aMaintenanceWindowTheCrdCannotJudgeIsRefusedNamingTheField() {
    var resource = TestingResources.resource();
    DatabaseMigrationSpec spec = resource.getSpec();
    io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec window =
        new io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec();
    window.setSchedule("0 2 31 2 8");
    window.setDuration("4h");
    window.setTimeZone("Mars/Olympus_Mons");
    spec.setMaintenanceWindow(window);
    assertThat(SpecValidator.crdProblems(resource)).as("well-formed for the CRD").isEmpty();
    assertThat(SpecValidator.validate(spec))
        .satisfiesExactlyInAnyOrder(
            p -> assertThat(p).startsWith("spec.maintenanceWindow.schedule '0 2 31 2 8'"),
            p ->
                assertThat(p)
                    .startsWith(
                        "spec.maintenanceWindow.timeZone 'Mars/Olympus_Mons' is not a time"));
  }

  @Test
  void baseWithAllowDowngradeAndBackupWithoutClaim() {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    spec.setTargetRevision("base");
    spec.setAllowDowngrade(true);
    BackupSpec backup = new BackupSpec();
    backup.setEnabled(true);
    spec.setBackup(backup);
    assertThat(SpecValidator.validate(spec))
        .containsExactly("spec.backup.enabled needs spec.backup.persistentVolumeClaim");
  }

  @Test
  void aCheckWithSeveralStatementsIsRefusedBeforePlanning() {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    VerifySpec verify = new VerifySpec();
    HealthCheckSpec check = new HealthCheckSpec();
    check.setName("campaigns-readable");
    check.setSql("COMMIT; DROP TABLE campaigns; SELECT true");
    verify.setChecks(List.of(check));
    spec.setVerify(verify);
    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.verify.checks[0].sql: the query has 3 statements; a "
                + "check runs exactly one read-only query (e.g. SELECT count(*) >= 0 FROM campaign_deployments)");
  }

  @Test
  void aVerifySpecThatCannotPassInTimeIsRefusedWithNumbersThatWork() {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    VerifySpec verify = new VerifySpec();
    verify.setTimeout("5s");
    verify.setInterval("15s");
    verify.setSuccessThreshold(3);
    spec.setVerify(verify);
    assertThat(SpecValidator.validate(spec))
        .containsExactlyInAnyOrder(
            "spec.verify cannot pass in time: "
                + "timeout must be longer than (successThreshold - 1) x interval, the time from the first to the last of 3 "
                + "passing rounds every 15s, that is 30s, but timeout is 5s. Set timeout to 31s or more, or interval to 2s or "
                + "less, or lower successThreshold",
            "spec.verify.interval must not be longer than "
                + "spec.verify.timeout: no second round of checks could run before the timeout");
    verify.setTimeout("31s");
    verify.setInterval("15s");
    assertThat(SpecValidator.validate(spec)).isEmpty();
    verify.setTimeout("5s");
    verify.setInterval("2s");
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @Test
  void theFeasibilityMessageNamesTheBoundaryTheRuleEnforces() {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    VerifySpec verify = new VerifySpec();
    verify.setTimeout("20s");
    verify.setInterval("10s");
    verify.setSuccessThreshold(3);
    spec.setVerify(verify);
    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.verify cannot pass in time: timeout must be longer "
                + "than (successThreshold - 1) x interval, the time from the first to the last of 3 passing rounds every 10s, "
                + "that is 20s, but timeout is 20s. Set timeout to 21s or more, or interval to 9s or less, or lower "
                + "successThreshold");
    verify.setTimeout("21s");
    assertThat(SpecValidator.validate(spec)).isEmpty();
    verify.setTimeout("20s");
    verify.setInterval("9s");
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @Test
  void verifyIntervalMustBePositiveAndNotLongerThanTheTimeout() {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    VerifySpec verify = new VerifySpec();
    verify.setInterval("10m");
    verify.setTimeout("5m");
    spec.setVerify(verify);
    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.verify.interval must not be longer than "
                + "spec.verify.timeout: no second round of checks could run before the timeout");

    verify.setInterval("0s");
    verify.setTimeout("0m");
    assertThat(SpecValidator.validate(spec))
        .containsExactlyInAnyOrder(
            "spec.verify.interval must be longer than 0s (e.g. 10s): it is the time between two rounds of checks",
            "spec.verify.timeout must be longer than 0s (e.g. 5m)");
  }

  @Test
  void checkNamesFollowTheCrdPattern() {
    DatabaseMigrationSpec spec = TestingResources.resource().getSpec();
    VerifySpec verify = new VerifySpec();
    HealthCheckSpec check = new HealthCheckSpec();
    check.setName("Campaigns_Readable");
    check.setSql("SELECT 1");
    verify.setChecks(List.of(check));
    spec.setVerify(verify);
    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.verify.checks[0].name 'Campaigns_Readable' must be "
                + "lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. campaigns-readable)");
  }

  @Test
  void aNameLongerThanALabelValueIsRefused() {
    DatabaseMigration resource = TestingResources.resource();
    assertThat(SpecValidator.validate(resource)).isEmpty();
    resource
        .getMetadata()
        .setName("kiki-campaigns-eu-west-1-production-primary-database-migration-blue01");
    assertThat(SpecValidator.validate(resource))
        .containsExactly(
            "metadata.name must be at most 63 characters (it has 69): "
                + "the operator puts it into label values of the rollout's Jobs and pods, which Kubernetes limits to 63; "
                + "choose a shorter name");
  }
}
