package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.LintReport;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runner's `lint` fixture project: li0000000002 creates an index without CONCURRENTLY on
 * accounts, which li0000000001 created (with rows). The real kiki-migrate renders the step offline
 * and lints it. With spec.lint Block the rollout stops at plan (LintFailed, no migrate Job, the
 * database untouched); with Warn it goes on to Ready and the finding stays in status.
 */
@ExtendWith(ScenarioExtension.class)
class LintFindingBlocksOrWarnsE2E {
  private static final String INDEX_STATEMENT =
      "CREATE INDEX ix_accounts_email ON accounts (email)";

  @Test
  void blockStopsAtPlanAndWarnReachesReadyWithTheFinding(Scenario scenario) {
    String image =
        scenario.image("registry.example.com/kiki/migrations:lint", Projects.fixture("lint").dir());
    scenario.apply("database.yaml");
    scenario.apply("lint.yaml", Map.of("image", image, "target", "li0000000001", "lint", "Block"));
    DatabaseMigration first = scenario.awaitSettled("kiki-accounts", 1);
    assertThat(first.getStatus().getPhase())
        .as(first.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(first.getStatus().getRollout().getLint().getFindingCount())
        .as("an index on a table created in the same plan is fine")
        .isZero();

    scenario.apply("lint.yaml", Map.of("image", image, "target", "li0000000002", "lint", "Block"));
    DatabaseMigration blocked = scenario.awaitSettled("kiki-accounts", 2);

    assertThat(blocked.getStatus().getPhase())
        .as(blocked.getStatus().getMessage())
        .isEqualTo(Phase.Blocked);
    assertStalled(blocked, "LintFailed", 2);
    assertThat(blocked.getStatus().getMessage())
        .contains(
            "li0000000002 index-not-concurrent: " + INDEX_STATEMENT, "CREATE INDEX CONCURRENTLY");
    assertThat(scenario.databaseRevisions())
        .as("the database is untouched")
        .containsExactly("li0000000001");
    assertThat(
            scenario.query(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1"))
        .containsExactly(List.of("accounts_pkey"), List.of("ix_accounts_id_email"));
    assertThat(scenario.jobs("kiki-accounts"))
        .as("rollout 2 ran its plan only")
        .extracting(j -> j.getMetadata().getName())
        .noneMatch(
            name ->
                name.contains("-migrate-")
                    && name.endsWith(blocked.getStatus().getRollout().getId()));
    assertThat(scenario.eventTexts())
        .anyMatch(text -> text.startsWith("LintFailed: ") && text.contains(INDEX_STATEMENT));

    scenario.apply("lint.yaml", Map.of("image", image, "target", "li0000000002", "lint", "Warn"));
    DatabaseMigration ready = scenario.awaitSettled("kiki-accounts", 3);

    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 3);
    assertThat(scenario.databaseRevisions()).containsExactly("li0000000002");
    LintReport lint = ready.getStatus().getRollout().getLint();
    assertThat(lint.getMode()).isEqualTo(LintMode.Warn);
    assertThat(lint.getFindingCount()).isEqualTo(1);
    assertThat(lint.getFindings())
        .singleElement()
        .satisfies(
            finding -> {
              assertThat(finding.getRevision()).isEqualTo("li0000000002");
              assertThat(finding.getRule()).isEqualTo("index-not-concurrent");
              assertThat(finding.getStatement()).isEqualTo(INDEX_STATEMENT);
            });
    assertThat(scenario.eventTexts())
        .anyMatch(text -> text.startsWith("LintFindings: ") && text.contains(INDEX_STATEMENT));
  }
}
