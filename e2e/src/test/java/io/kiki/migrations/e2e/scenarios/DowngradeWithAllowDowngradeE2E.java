package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A target behind the database is refused (Blocked) until allowDowngrade is set; then it
 * downgrades, data kept.
 */
@ExtendWith(ScenarioExtension.class)
class DowngradeWithAllowDowngradeE2E {

  @Test
  void downgradeNeedsAllowDowngradeAndKeepsTheData(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("downgrade.yaml", Map.of("target", "head", "allowDowngrade", "false"));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> users = scenario.query("SELECT * FROM users ORDER BY id");

    scenario.apply(
        "downgrade.yaml", Map.of("target", KikiRevisions.BACKFILL, "allowDowngrade", "false"));
    DatabaseMigration refused = scenario.awaitSettled("kiki-campaigns", 2);
    assertThat(refused.getStatus().getPhase()).isEqualTo(Phase.Blocked);
    assertStalled(refused, "DowngradeNotAllowed", 2);
    assertThat(refused.getStatus().getMessage()).contains("allowDowngrade");
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);

    scenario.apply(
        "downgrade.yaml", Map.of("target", KikiRevisions.BACKFILL, "allowDowngrade", "true"));
    DatabaseMigration downgraded = scenario.awaitSettled("kiki-campaigns", 3);

    assertThat(downgraded.getStatus().getPhase())
        .as(downgraded.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(downgraded, 3);
    assertThat(downgraded.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.BACKFILL);
    assertThat(downgraded.getStatus().getHistory().get(0).getDirection()).isEqualTo("downgrade");
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);
    assertThat(
            scenario.query(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'campaign_deployments' AND column_name = 'completed_at'"))
        .containsExactly(List.of(0L));
    assertThat(scenario.query("SELECT * FROM users ORDER BY id")).isEqualTo(users);
    assertThat(scenario.query("SELECT id FROM campaign_deployments ORDER BY id"))
        .containsExactly(List.of(100), List.of(101), List.of(102));
  }
}
