package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.job.RunnerResult;
import io.kiki.migrations.operator.status.Reasons;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanStageTest {

  static PlanResult plan(
      List<String> current, String target, String direction, List<String> irreversible) {
    return new PlanResult(
        current,
        List.of("c3"),
        target,
        direction,
        List.of("b2", "c3"),
        irreversible,
        2,
        "abcdef0123456789",
        VersionTable.DEFAULT);
  }

  @Test
  void upgradeGoesToBackupWhenEnabledElseToMigrate() {
    DatabaseMigration resource = TestingResources.resource();
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");
    StageResult result =
        PlanStage.afterPlan(context, plan(List.of("a1"), "c3", "upgrade", List.of()));
    assertThat(result)
        .isEqualTo(
            new StageResult.Advance(
                RolloutStage.Migrate,
                Reasons.PLAN_SUCCEEDED,
                "plan abcdef0123456789: upgrade from a1 to c3, 2 step(s)"));
    assertThat(context.rollout().getTo()).isEqualTo("c3");
    assertThat(context.rollout().getDirection()).isEqualTo("upgrade");
    assertThat(context.rollout().getPlanHash()).isEqualTo("abcdef0123456789");
    assertThat(context.rollout().getSteps()).containsExactly("b2", "c3");
    assertThat(context.status().getTargetRevision()).isEqualTo("c3");

    BackupSpec backup = new BackupSpec();
    backup.setEnabled(true);
    backup.setPersistentVolumeClaim("kiki-backups");
    resource.getSpec().setBackup(backup);
    StageResult withBackup =
        PlanStage.afterPlan(
            TestingResources.context(resource, RolloutStage.Plan, "a1"),
            plan(List.of("a1"), "c3", "upgrade", List.of("c3")));
    assertThat(((StageResult.Advance) withBackup).next()).isEqualTo(RolloutStage.Backup);
    assertThat(((StageResult.Advance) withBackup).message())
        .endsWith(
            "irreversible: c3 (a rollback restores the backup, which discards writes made after it)");
  }

  @Test
  void theVersionTableThePlanReportsIsRecordedForTheOperatorsReads() throws Exception {
    String json =
        "{\"ok\":true,\"command\":\"plan\",\"current\":[],\"heads\":[\"v2\"],\"target\":\"v2\","
            + "\"direction\":\"upgrade\",\"steps\":[{\"revision\":\"v1\"},{\"revision\":\"v2\"}],\"stepCount\":2,"
            + "\"irreversibleSteps\":[],\"planHash\":\"0123\",\"versionTable\":{\"schema\":\"kiki_meta\",\"name\":\"kiki_version\"}}";
    PlanResult plan = PlanResult.of(new RunnerResult(new ObjectMapper().readTree(json)));
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Plan, "base");
    PlanStage.afterPlan(context, plan);
    assertThat(VersionTable.of(context.status()))
        .isEqualTo(new VersionTable("kiki_meta", "kiki_version"));
    assertThat(VersionTable.of(context.status()).sql()).isEqualTo("kiki_meta.kiki_version");

    PlanResult older =
        PlanResult.of(
            new RunnerResult(
                new ObjectMapper().readTree(json.replaceAll(",\"versionTable\".*}}", "}"))));
    assertThat(older.versionTable())
        .as("a runner that does not report it: Alembic's default")
        .isEqualTo(VersionTable.DEFAULT);
    assertThat(new VersionTable(null, "Kiki\"Version").sql()).isEqualTo("\"Kiki\"\"Version\"");
  }

  @Test
  void targetAlreadyReachedIsReadyWithoutMigrating() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Plan, "c3");
    StageResult result = PlanStage.afterPlan(context, plan(List.of("c3"), "c3", "none", List.of()));
    assertThat(result)
        .isEqualTo(new StageResult.Ready(Reasons.UP_TO_DATE, "database already at c3"));
  }

  @Test
  void downgradeNeedsAllowDowngrade() {
    DatabaseMigration resource = TestingResources.resource();
    StageResult refused =
        PlanStage.afterPlan(
            TestingResources.context(resource, RolloutStage.Plan, "c3"),
            plan(List.of("c3"), "a1", "downgrade", List.of()));
    assertThat(refused).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) refused).outcome()).isEqualTo(Phase.Blocked);
    assertThat(((StageResult.Failed) refused).reason()).isEqualTo(Reasons.DOWNGRADE_NOT_ALLOWED);
    assertThat(((StageResult.Failed) refused).message()).contains("spec.allowDowngrade: true");

    resource.getSpec().setAllowDowngrade(true);
    StageResult allowed =
        PlanStage.afterPlan(
            TestingResources.context(resource, RolloutStage.Plan, "c3"),
            plan(List.of("c3"), "a1", "downgrade", List.of()));
    assertThat(((StageResult.Advance) allowed).next()).isEqualTo(RolloutStage.Migrate);
  }

  /**
   * After an image revert the plan ran with status.appliedImage: the refusal names the image that
   * would downgrade.
   */
  @Test
  void downgradeNotAllowedNamesTheImageThatWouldRunIt() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Plan, "c3");
    context.rollout().setRequestedImage("kiki/migrations:1");
    context.rollout().setImage("kiki/migrations:2");
    StageResult refused =
        PlanStage.afterPlan(context, plan(List.of("c3"), "b2", "downgrade", List.of()));
    assertThat(((StageResult.Failed) refused).message())
        .contains("would run with status.appliedImage kiki/migrations:2")
        .contains("spec.image kiki/migrations:1 does not know revision c3")
        .contains("set spec.image back to kiki/migrations:2");
  }

  @Test
  void planErrorsMapToReasons() {
    assertThat(PlanStage.decideFailure(RunnerError.MULTIPLE_HEADS.name(), "merge"))
        .isEqualTo(new StageResult.Failed(Phase.Blocked, Reasons.MULTIPLE_HEADS, "merge"));
    assertThat(PlanStage.decideFailure(RunnerError.UNKNOWN_REVISION.name(), "no such"))
        .isEqualTo(new StageResult.Failed(Phase.Blocked, Reasons.UNKNOWN_REVISION, "no such"));
    assertThat(PlanStage.decideFailure(RunnerError.UNKNOWN_CURRENT_REVISION.name(), "unknown"))
        .isEqualTo(
            new StageResult.Failed(Phase.Blocked, Reasons.UNKNOWN_CURRENT_REVISION, "unknown"));
    assertThat(PlanStage.decideFailure(RunnerError.TARGET_WOULD_BRANCH.name(), "branch"))
        .isEqualTo(new StageResult.Failed(Phase.Blocked, Reasons.TARGET_WOULD_BRANCH, "branch"));
    assertThat(PlanStage.decideFailure(RunnerError.UNVERSIONED_DATABASE.name(), "stamp"))
        .isEqualTo(new StageResult.Failed(Phase.Blocked, Reasons.UNVERSIONED_DATABASE, "stamp"));
    assertThat(PlanStage.decideFailure(RunnerError.BAD_VERSION_TABLE.name(), "rows"))
        .isEqualTo(new StageResult.Failed(Phase.Blocked, Reasons.BAD_VERSION_TABLE, "rows"));
    assertThat(PlanStage.decideFailure(RunnerError.BAD_DATABASE_URL.name(), "bad"))
        .as("Stalled and rechecked like every URL problem")
        .isEqualTo(
            new StageResult.Misconfigured(
                Reasons.INVALID_DATABASE_URL,
                "bad. Fix the URL in the Secret "
                    + "(spec.database.urlSecretRef): the plan runs again once the Secret changes, no retryToken needed"));
    assertThat(
            ((StageResult.Misconfigured)
                    PlanStage.decideFailure(
                        RunnerError.BAD_DATABASE_URL.name(),
                        "Use one of postgresql://, sqlite://."))
                .message())
        .as("the runner's own full stop is not doubled")
        .startsWith("Use one of postgresql://, sqlite://. Fix");
    assertThat(PlanStage.decideFailure(RunnerError.INTERNAL_ERROR.name(), "bug"))
        .isEqualTo(
            new StageResult.Failed(Phase.Failed, Reasons.PLAN_FAILED, "INTERNAL_ERROR: bug"));
    assertThat(PlanStage.decideFailure("A_CODE_OF_A_NEWER_RUNNER", "new"))
        .isEqualTo(
            new StageResult.Failed(
                Phase.Failed, Reasons.PLAN_FAILED, "A_CODE_OF_A_NEWER_RUNNER: new"));
    assertThat(PlanStage.decideFailure(null, "Job failed (DeadlineExceeded)"))
        .isEqualTo(
            new StageResult.Failed(
                Phase.Failed, Reasons.PLAN_FAILED, "Job failed (DeadlineExceeded)"));
  }

  @Test
  void fallbackTargetForAnImageThatDoesNotKnowTheDatabase() {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    HistoryEntry older = entry("kiki/migrations:1", Phase.Ready, "b2");
    HistoryEntry failed = entry("kiki/migrations:1", Phase.Failed, "c3");
    HistoryEntry newer = entry("kiki/migrations:2", Phase.Ready, "c3");
    status.setHistory(List.of(newer, failed, older));
    assertThat(PlanStage.fallbackTarget("head", "kiki/migrations:1", status, null)).contains("b2");
    assertThat(PlanStage.fallbackTarget("a1", "kiki/migrations:1", status, null)).contains("a1");
    assertThat(PlanStage.fallbackTarget("head", "kiki/migrations:1", status, "b2x"))
        .contains("b2x");
    assertThat(PlanStage.fallbackTarget("head", "kiki/migrations:0", status, null))
        .isEqualTo(Optional.empty());
  }

  static HistoryEntry entry(String image, Phase outcome, String to) {
    HistoryEntry entry = new HistoryEntry();
    entry.setImage(image);
    entry.setOutcome(outcome);
    entry.setTo(to);
    return entry;
  }

  @Test
  void unknownCurrentRevisionWithNoOtherImageAdvisesTheStampNotTheSameImage() throws Exception {
    String json =
        "{\"ok\":false,\"command\":\"plan\",\"error\":{\"code\":\"UNKNOWN_CURRENT_REVISION\","
            + "\"message\":\"the database is at revision f00d ... Run this with the image that applied that"
            + " revision (status.appliedImage), which can downgrade it\",\"current\":[\"f00d\"],"
            + "\"unknown\":[\"f00d\"],\"heads\":[\"c3\"],\"target\":\"c3\"}}";
    var failed =
        new io.kiki.migrations.operator.job.JobOutcome.Failed(
            Optional.of(new RunnerResult(new ObjectMapper().readTree(json))), "Job failed");

    StageResult same = PlanStage.noImageCanDowngrade("kiki/app:2", "kiki/app:2", failed);
    StageResult none = PlanStage.noImageCanDowngrade("kiki/app:2", null, failed);

    assertThat(same)
        .isEqualTo(
            new StageResult.Failed(
                Phase.Blocked,
                Reasons.UNKNOWN_CURRENT_REVISION,
                "the database is at revision f00d, which spec.image kiki/app:2 does not contain (its"
                    + " heads: c3). status.appliedImage is this same image, so no image the operator"
                    + " knows can downgrade it. Stamp the revision the schema really is at"
                    + " (`kiki-migrate stamp --revision <id>`, the seed's `alembic stamp`), then change"
                    + " spec.retryToken"));
    assertThat(((StageResult.Failed) none).message())
        .contains("No status.appliedImage is recorded", "otherwise stamp the revision")
        .doesNotContain("which can downgrade it");
  }
}
