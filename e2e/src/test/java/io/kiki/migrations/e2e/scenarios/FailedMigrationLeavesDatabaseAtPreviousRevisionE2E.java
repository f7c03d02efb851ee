package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A migration that fails half-way (after creating a table and updating rows) is undone by
 * PostgreSQL's transactional DDL: the database stays at its previous revision with its data, and
 * the resource is Failed.
 */
@ExtendWith(ScenarioExtension.class)
class FailedMigrationLeavesDatabaseAtPreviousRevisionE2E {

  static final String BROKEN_IMAGE = "registry.example.com/kiki/migrations:1.7.0-broken";

  @Test
  void halfDoneMigrationLeavesPreviousRevisionAndData(Scenario scenario) {
    String broken =
        scenario.image(
            BROKEN_IMAGE,
            Projects.copyOfKiki("broken")
                .withRevision(
                    "e2e0fail0001_half_done.py", Map.of("down_revision", KikiRevisions.HEAD))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("failed-migration.yaml", Map.of("image", TestCluster.KIKI_IMAGE));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> before = scenario.query("SELECT * FROM campaign_deployments ORDER BY id");

    scenario.apply("failed-migration.yaml", Map.of("image", broken));
    DatabaseMigration failed = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(failed.getStatus().getPhase())
        .as(failed.getStatus().getMessage())
        .isEqualTo(Phase.Failed);
    assertStalled(failed, "MigrationFailed", 2);
    assertThat(failed.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.HEAD);
    assertThat(failed.getStatus().getMessage()).contains("e2e0fail0001");
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(scenario.tableExists("e2e_half_done")).isFalse();
    assertThat(scenario.query("SELECT * FROM campaign_deployments ORDER BY id")).isEqualTo(before);
  }
}
