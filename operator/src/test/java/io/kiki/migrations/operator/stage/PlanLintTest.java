package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.job.RunnerResult;
import io.kiki.migrations.operator.status.Reasons;
import org.junit.jupiter.api.Test;

/**
 * The plan's lint object as the runner writes it, read into status, and what spec.lint makes of it.
 */
class PlanLintTest {
  private static final String PLAN =
      "{\"ok\":true,\"command\":\"plan\",\"current\":[\"a1\"],\"heads\":[\"c3\"],"
          + "\"target\":\"c3\",\"direction\":\"upgrade\",\"steps\":[{\"revision\":\"b2\"},{\"revision\":\"c3\"}],"
          + "\"stepCount\":2,\"irreversibleSteps\":[],\"planHash\":\"abcdef0123456789\",%s}";
  private static final String LINT =
      "\"lint\":{\"findingCount\":7,\"findings\":["
          + "{\"revision\":\"b2\",\"rule\":\"index-not-concurrent\",\"statement\":\"CREATE INDEX ix ON t (a)\","
          + "\"saferForm\":\"CREATE INDEX CONCURRENTLY\"},{\"revision\":\"c3\",\"rule\":\"set-not-null\",\"statement\":\"s\","
          + "\"saferForm\":\"f\"},{\"revision\":\"c3\",\"rule\":\"set-not-null\",\"statement\":\"s\",\"saferForm\":\"f\"},"
          + "{\"revision\":\"c3\",\"rule\":\"set-not-null\",\"statement\":\"s\",\"saferForm\":\"f\"},"
          + "{\"revision\":\"c3\",\"rule\":\"set-not-null\",\"statement\":\"s\",\"saferForm\":\"f\"},"
          + "{\"revision\":\"c3\",\"rule\":\"drop-column\",\"statement\":\"s\",\"saferForm\":\"f\"}],"
          + "\"waivedCount\":1,\"waiverCount\":2,\"waivers\":[{\"revision\":\"c3\",\"rule\":\"drop-table\",\"reason\":\"empty\","
          + "\"waived\":1},{\"revision\":\"b2\",\"rule\":\"no-such-rule\",\"reason\":\"\",\"waived\":0,\"problem\":\"unknown rule\"}],"
          + "\"unrenderableCount\":1,\"unrenderable\":[{\"revision\":\"c3\",\"reason\":\"AttributeError\"}],\"future\":1}";

  static PlanResult plan(String lint) throws Exception {
    return PlanResult.of(new RunnerResult(new ObjectMapper().readTree(String.format(PLAN, lint))));
  }

  @Test
  void warnRecordsTheLintCappedAndSaysSoInThePlanMessage() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");

    StageResult result = PlanStage.afterPlan(context, plan(LINT));

    assertThat(result).isInstanceOf(StageResult.Advance.class);
    assertThat(((StageResult.Advance) result).next()).isEqualTo(RolloutStage.Migrate);
    assertThat(((StageResult.Advance) result).message())
        .isEqualTo(
            "plan abcdef0123456789: upgrade from a1 to c3, 2 step(s); "
                + "lint: 7 finding(s) (b2 index-not-concurrent, c3 set-not-null, c3 set-not-null, c3 set-not-null, "
                + "c3 set-not-null, ...), 1 waived (c3 drop-table), waivers of unknown rules in b2, 1 step(s) not linted: cannot "
                + "be rendered offline (c3)");
    var lint = context.rollout().getLint();
    assertThat(lint.getMode()).isEqualTo(LintMode.Warn);
    assertThat(lint.getFindingCount()).isEqualTo(7);
    assertThat(lint.getFindings()).hasSize(PlanLint.LIST_CAP);
    assertThat(lint.getWaivers())
        .extracting(w -> w.getRule())
        .containsExactly("drop-table", "no-such-rule");
    assertThat(lint.getUnrenderable())
        .singleElement()
        .satisfies(u -> assertThat(u.getReason()).isEqualTo("AttributeError"));
  }

  @Test
  void blockWithFindingsStopsAtPlanAsBlockedLintFailed() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    resource.getSpec().setLint(LintMode.Block);
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");

    StageResult result = PlanStage.afterPlan(context, plan(LINT));

    assertThat(result).isInstanceOf(StageResult.Failed.class);
    StageResult.Failed failed = (StageResult.Failed) result;
    assertThat(failed.outcome()).isEqualTo(Phase.Blocked);
    assertThat(failed.reason()).isEqualTo(Reasons.LINT_FAILED);
    assertThat(failed.message())
        .startsWith(
            "spec.lint is Block and the planned SQL has 7 lint finding(s): "
                + "b2 index-not-concurrent: CREATE INDEX ix ON t (a) -> safer: CREATE INDEX CONCURRENTLY; ")
        .endsWith(
            "Nothing was changed. For each finding above, change its revision to the safer form (a new image)"
                + " or waive the rule in that revision's file: b2 `# kiki-lint: disable=index-not-concurrent"
                + " -- <reason>`, c3 `# kiki-lint: disable=set-not-null -- <reason>` (the unlisted findings'"
                + " revisions and rules too); or set spec.lint: Warn");
    assertThat(context.rollout().getLint().getMode()).isEqualTo(LintMode.Block);
  }

  @Test
  void blockAdviceNamesEveryRevisionAndRuleNotOnlyTheFirst() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    resource.getSpec().setLint(LintMode.Block);
    String two =
        "\"lint\":{\"findingCount\":3,\"findings\":["
            + "{\"revision\":\"b2\",\"rule\":\"index-not-concurrent\",\"statement\":\"s\",\"saferForm\":\"f\"},"
            + "{\"revision\":\"c3\",\"rule\":\"set-not-null\",\"statement\":\"s\",\"saferForm\":\"f\"},"
            + "{\"revision\":\"c3\",\"rule\":\"drop-column\",\"statement\":\"s\",\"saferForm\":\"f\"}],"
            + "\"waivedCount\":0,\"waiverCount\":0,\"waivers\":[],\"unrenderableCount\":0,\"unrenderable\":[]}";
    String one =
        "\"lint\":{\"findingCount\":1,\"findings\":["
            + "{\"revision\":\"c3\",\"rule\":\"drop-column\",\"statement\":\"s\",\"saferForm\":\"f\"}],"
            + "\"waivedCount\":0,\"waiverCount\":0,\"waivers\":[],\"unrenderableCount\":0,\"unrenderable\":[]}";

    String several =
        ((StageResult.Failed)
                PlanStage.afterPlan(
                    TestingResources.context(resource, RolloutStage.Plan, "a1"), plan(two)))
            .message();
    String single =
        ((StageResult.Failed)
                PlanStage.afterPlan(
                    TestingResources.context(resource, RolloutStage.Plan, "a1"), plan(one)))
            .message();

    assertThat(several)
        .endsWith(
            "b2 `# kiki-lint: disable=index-not-concurrent -- <reason>`, "
                + "c3 `# kiki-lint: disable=set-not-null,drop-column -- <reason>`; or set spec.lint: Warn");
    assertThat(single)
        .endsWith(
            "Change the revision c3 to the safer form (a new image), waive the rule in its file with "
                + "`# kiki-lint: disable=drop-column -- <reason>`, or set spec.lint: Warn");
  }

  @Test
  void blockWithoutFindingsGoesOnAndAQuietLintLeavesTheMessageAlone() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    resource.getSpec().setLint(LintMode.Block);
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");

    StageResult result =
        PlanStage.afterPlan(
            context,
            plan(
                "\"lint\":{\"findingCount\":0,\"findings\":[],\"waivedCount\":0,"
                    + "\"waiverCount\":0,\"waivers\":[],\"unrenderableCount\":0,\"unrenderable\":[]}"));

    assertThat(result)
        .isEqualTo(
            new StageResult.Advance(
                RolloutStage.Migrate,
                Reasons.PLAN_SUCCEEDED,
                "plan abcdef0123456789: upgrade from a1 to c3, 2 step(s)"));
  }

  @Test
  void aRunnerWithoutTheLintIsRecordedAsSkippedAndDoesNotBlock() throws Exception {
    DatabaseMigration resource = TestingResources.resource();
    resource.getSpec().setLint(LintMode.Block);
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");

    StageResult result = PlanStage.afterPlan(context, plan("\"other\":1"));

    assertThat(((StageResult.Advance) result).message())
        .endsWith("; lint skipped: " + PlanLint.NOT_REPORTED);
    assertThat(context.rollout().getLint().getSkipped()).isEqualTo(PlanLint.NOT_REPORTED);
  }
}
