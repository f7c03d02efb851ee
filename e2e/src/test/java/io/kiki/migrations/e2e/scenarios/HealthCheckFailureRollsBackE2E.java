package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.OperatorEndpoints;
import io.kiki.migrations.e2e.support.OperatorEndpoints.Metrics;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A SQL health check fails after the migration: the operator downgrades automatically; the data is
 * intact; /metrics counts the rollback, the failed check and the outcome.
 */
@ExtendWith(ScenarioExtension.class)
class HealthCheckFailureRollsBackE2E {

  @Test
  void failingHealthCheckDowngradesAndKeepsTheData(Scenario scenario) {
    Optional<OperatorEndpoints> endpoints = OperatorEndpoints.ifReachable(scenario.cluster());
    Map<String, String> resource =
        Map.of("namespace", scenario.namespace(), "name", "kiki-campaigns");
    scenario.apply("database.yaml");
    scenario.apply("health-check-failure-before.yaml");
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    // Counters are shared by all resources (not labelled by resource): compare two scrapes.
    Optional<Metrics> metricsBefore = endpoints.map(OperatorEndpoints::scrape);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> before = scenario.query("SELECT * FROM campaign_deployments ORDER BY id");

    scenario.apply("health-check-failure-bump.yaml");
    DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(rolledBack.getStatus().getPhase())
        .as(rolledBack.getStatus().getMessage())
        .isEqualTo(Phase.RolledBack);
    assertCondition(rolledBack, "Ready", "False", null, 2);
    assertCondition(rolledBack, "Stalled", "True", null, 2);
    assertThat(rolledBack.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.BACKFILL);
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRollback())
        .as("rolled back by downgrade")
        .isNotNull();
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRestore())
        .as("no restore needed")
        .isNull();
    assertThat(rolledBack.getStatus().getHistory().get(0).getOutcome()).isEqualTo(Phase.RolledBack);
    assertThat(rolledBack.getStatus().getMessage()).contains("deployments-have-completion-times");

    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);
    assertThat(scenario.query("SELECT * FROM campaign_deployments ORDER BY id")).isEqualTo(before);
    endpoints.ifPresent(
        e -> assertRollbackMetrics(metricsBefore.orElseThrow(), e.scrape(), resource));
  }

  /**
   * /metrics counts the rollback, the failed check and the outcome (where the test can reach the
   * operator).
   */
  private static void assertRollbackMetrics(
      Metrics before, Metrics after, Map<String, String> resource) {
    Map<String, String> downgrade = Map.of("method", "Downgrade");
    assertThat(
            after.sum("kiki_migrations_rollbacks_total", downgrade)
                - before.sum("kiki_migrations_rollbacks_total", downgrade))
        .as("one rollback, by downgrade")
        .isEqualTo(1.0);
    Map<String, String> restore = Map.of("method", "Restore");
    assertThat(after.sum("kiki_migrations_rollbacks_total", restore))
        .isEqualTo(before.sum("kiki_migrations_rollbacks_total", restore));
    Map<String, String> check = Map.of("check", "deployments-have-completion-times");
    assertThat(
            after.sum("kiki_migrations_health_check_failures_total", check)
                - before.sum("kiki_migrations_health_check_failures_total", check))
        .isGreaterThanOrEqualTo(1.0);
    Map<String, String> rolledBack = Map.of("outcome", "RolledBack");
    assertThat(
            after.sum("kiki_migrations_rollouts_total", rolledBack)
                - before.sum("kiki_migrations_rollouts_total", rolledBack))
        .isEqualTo(1.0);
    assertThat(after.find("kiki_migrations_phase", resource))
        .singleElement()
        .satisfies(s -> assertThat(s.labels()).containsEntry("phase", "RolledBack"));
    assertThat(after.find("kiki_migrations_rollout_started_timestamp_seconds", resource)).isEmpty();
  }
}
