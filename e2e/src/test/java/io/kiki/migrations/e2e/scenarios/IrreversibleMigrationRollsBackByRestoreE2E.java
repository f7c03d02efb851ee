package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The health check fails after an irreversible data migration (its downgrade() is a no-op): a
 * downgrade cannot undo it, so the operator restores the pre-migration backup; the rows equal the
 * backup's.
 */
@ExtendWith(ScenarioExtension.class)
class IrreversibleMigrationRollsBackByRestoreE2E {

  @Test
  void failingCheckAfterIrreversibleStepRestoresTheBackup(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("irreversible-before.yaml");
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> backedUp = scenario.query("SELECT * FROM campaign_deployments ORDER BY id");

    scenario.apply("irreversible-bump.yaml");
    DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(rolledBack.getStatus().getPhase())
        .as(rolledBack.getStatus().getMessage())
        .isEqualTo(Phase.RolledBack);
    assertCondition(rolledBack, "Stalled", "True", null, 2);
    assertThat(rolledBack.getStatus().getRollout().getIrreversibleSteps())
        .containsExactly(KikiRevisions.BACKFILL);
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRestore())
        .as("rolled back by restore")
        .isNotNull();
    assertThat(rolledBack.getStatus().getLastBackup().getRevision())
        .isEqualTo(KikiRevisions.ARCHIVED);
    assertThat(rolledBack.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.ARCHIVED);

    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.ARCHIVED);
    assertThat(scenario.query("SELECT * FROM campaign_deployments ORDER BY id"))
        .isEqualTo(backedUp);
    assertThat(
            scenario.query("SELECT count(*) FROM campaign_deployments WHERE assets_source IS NULL"))
        .containsExactly(List.of(2L));
  }
}
