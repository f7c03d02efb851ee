package io.kiki.migrations.e2e.scenarios;

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
 * A data migration whose downgrade() only logs changes nothing when "downgraded": the plan marks it
 * irreversible, and when the check fails the operator restores the backup instead of reporting a
 * downgrade that left the rows changed.
 */
@ExtendWith(ScenarioExtension.class)
class LoggingOnlyDowngradeRollsBackByRestoreE2E {

  @Test
  void planMarksItIrreversibleAndRollbackRestores(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-log-only",
            Projects.copyOfKiki("log-only")
                .withRevision(
                    "e2e0logs0001_log_only_downgrade.py",
                    Map.of("down_revision", KikiRevisions.HEAD))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("log-only-downgrade.yaml", Map.of("image", TestCluster.KIKI_IMAGE));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> before =
        scenario.query("SELECT id, status FROM campaign_deployments ORDER BY id");

    scenario.apply("log-only-downgrade.yaml", Map.of("image", image));
    DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(rolledBack.getStatus().getPhase())
        .as(rolledBack.getStatus().getMessage())
        .isEqualTo(Phase.RolledBack);
    assertThat(rolledBack.getStatus().getRollout().getIrreversibleSteps())
        .containsExactly("e2e0logs0001");
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRollback())
        .as("no downgrade was tried")
        .isNull();
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRestore())
        .as("rolled back by restore")
        .isNotNull();
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(scenario.query("SELECT id, status FROM campaign_deployments ORDER BY id"))
        .isEqualTo(before);
  }
}
