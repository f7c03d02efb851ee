package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ALTER TYPE ... ADD VALUE in op.get_context().autocommit_block(), then a revision using the new
 * value: Alembic's own transaction control works in the operator's Jobs as under `alembic upgrade`,
 * Ready at the head.
 */
@ExtendWith(ScenarioExtension.class)
class AutocommitBlockMigratesUnderTheOperatorE2E {

  @Test
  void readyAtTheRevisionThatUsesTheNewEnumValue(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:enum-values",
            Projects.fixture("enum-values").dir());
    scenario.apply("database.yaml");
    scenario.apply(
        "fixture-project.yaml",
        Map.of("image", image, "target", "head", "table", "campaigns", "lock", "5s"));

    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 1);
    assertThat(scenario.databaseRevisions()).containsExactly("en0000000003");
    assertThat(scenario.query("SELECT id, status::text FROM campaigns ORDER BY id"))
        .containsExactly(List.of(1, "archived"), List.of(2, "live"));
  }
}
