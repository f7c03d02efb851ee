package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.LintReport;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import org.junit.jupiter.api.Test;

/**
 * spec.lint: the plan's lint findings go to status and an event; Block stops the rollout at plan.
 */
class LintIT extends MockClusterTestBase {

  @Test
  void warnRecordsTheFindingAndGoesOn() throws Exception {
    stamp("b2");
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setImage(IMAGE_LINT_FINDING);
    create(resource);

    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 1);
    assertThat(revision()).isEqualTo("c3");
    LintReport lint = ready.getStatus().getRollout().getLint();
    assertThat(lint.getMode()).isEqualTo(LintMode.Warn);
    assertThat(lint.getFindingCount()).isEqualTo(1);
    assertThat(lint.getFindings())
        .singleElement()
        .satisfies(
            finding -> {
              assertThat(finding.getRevision()).isEqualTo("c3");
              assertThat(finding.getRule()).isEqualTo("index-not-concurrent");
              assertThat(finding.getStatement())
                  .isEqualTo("CREATE INDEX ix_c3 ON accounts (email)");
              assertThat(finding.getSaferForm()).contains("CONCURRENTLY");
            });
    assertThat(eventReasons("kiki-campaigns"))
        .containsSubsequence(
            Reasons.PLAN_STARTED, Reasons.LINT_FINDINGS, Reasons.MIGRATION_STARTED);
    Event event =
        events("kiki-campaigns").stream()
            .filter(e -> Reasons.LINT_FINDINGS.equals(e.getReason()))
            .findFirst()
            .orElseThrow();
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getMessage())
        .contains(
            "c3 index-not-concurrent: CREATE INDEX ix_c3 ON accounts (email)",
            "safer: CREATE INDEX CONCURRENTLY");
    assertThat(
            events("kiki-campaigns").stream()
                .filter(e -> Reasons.PLAN_SUCCEEDED.equals(e.getReason()))
                .findFirst()
                .orElseThrow()
                .getMessage())
        .contains("lint: 1 finding(s) (c3 index-not-concurrent)");
  }

  @Test
  void blockStopsAtPlanBeforeAnythingRunsAndWarnLetsItThrough() throws Exception {
    stamp("b2");
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setImage(IMAGE_LINT_FINDING);
    resource.getSpec().setLint(LintMode.Block);
    create(resource);

    DatabaseMigration blocked = awaitPhase("kiki-campaigns", Phase.Blocked);
    assertCondition(blocked, "Stalled", "True", Reasons.LINT_FAILED, 1);
    assertCondition(blocked, "Ready", "False", Reasons.LINT_FAILED, 1);
    assertThat(blocked.getStatus().getMessage())
        .contains(
            "spec.lint is Block",
            "c3 index-not-concurrent: CREATE INDEX ix_c3 ON accounts (email)",
            "# kiki-lint: disable=index-not-concurrent",
            "spec.lint: Warn");
    assertThat(blocked.getStatus().getRollout().getLint().getMode()).isEqualTo(LintMode.Block);
    assertThat(blocked.getStatus().getRollout().getLint().getFindingCount()).isEqualTo(1);
    assertThat(kubelet.commands()).containsExactly("plan");
    assertThat(revision()).isEqualTo("b2");
    assertThat(eventReasons("kiki-campaigns"))
        .containsSubsequence(Reasons.PLAN_STARTED, Reasons.LINT_FAILED);

    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setLint(LintMode.Warn);
          return r;
        });
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 2);
    assertThat(revision()).isEqualTo("c3");
  }

  @Test
  void blockWithoutFindingsRollsOut() throws Exception {
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setImage(IMAGE_V2);
    resource.getSpec().setLint(LintMode.Block);
    create(resource);

    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(ready.getStatus().getRollout().getLint().getFindingCount()).isZero();
    assertThat(eventReasons("kiki-campaigns"))
        .doesNotContain(Reasons.LINT_FINDINGS, Reasons.LINT_FAILED);
  }
}
