package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.e2e.support.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A SQL health check fails after the migration: the operator downgrades automatically; the data is intact. */
@ExtendWith(ScenarioExtension.class)
class HealthCheckFailureRollsBackE2E {

  @Test
  void failingHealthCheckDowngradesAndKeepsTheData(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("health-check-failure-before.yaml");
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase()).isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> before = scenario.query("SELECT * FROM campaign_deployments ORDER BY id");

    scenario.apply("health-check-failure-bump.yaml");
    DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(rolledBack.getStatus().getPhase()).as(rolledBack.getStatus().getMessage()).isEqualTo(Phase.RolledBack);
    assertCondition(rolledBack, "Ready", "False", null, 2);
    assertCondition(rolledBack, "Stalled", "True", null, 2);
    assertThat(rolledBack.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.BACKFILL);
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRollback()).as("rolled back by downgrade").isNotNull();
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRestore()).as("no restore needed").isNull();
    assertThat(rolledBack.getStatus().getHistory().get(0).getOutcome()).isEqualTo(Phase.RolledBack);
    assertThat(rolledBack.getStatus().getMessage()).contains("deployments-have-completion-times");

    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);
    assertThat(scenario.query("SELECT * FROM campaign_deployments ORDER BY id")).isEqualTo(before);
  }
}
