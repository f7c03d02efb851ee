package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tables but no version table (the schema came from create_all): Blocked at plan, naming the stamp
 * to run; no backup, no migration, nothing written.
 */
@ExtendWith(ScenarioExtension.class)
class UnversionedDatabaseBlocksWithTheStampToRunE2E {

  @Test
  void blockedBeforeAnythingIsWritten(Scenario scenario) {
    scenario.executeSqlFixture("unversioned-users.sql");
    scenario.apply("database.yaml");
    scenario.apply(
        "fixture-project.yaml",
        Map.of("image", TestCluster.KIKI_IMAGE, "target", "head", "table", "users", "lock", "5s"));

    DatabaseMigration blocked = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(blocked.getStatus().getPhase())
        .as(blocked.getStatus().getMessage())
        .isEqualTo(Phase.Blocked);
    assertStalled(blocked, "UnversionedDatabase", 1);
    assertThat(blocked.getStatus().getMessage())
        .contains("no version table")
        .contains("stamp --revision " + KikiRevisions.HEAD)
        .contains("public.users");
    assertThat(scenario.jobs("kiki-campaigns")).as("only the plan ran").hasSize(1);
    assertThat(scenario.tableExists("alembic_version")).isFalse();
    assertThat(scenario.query("SELECT count(*) FROM users")).containsExactly(List.of(1L));
  }
}
