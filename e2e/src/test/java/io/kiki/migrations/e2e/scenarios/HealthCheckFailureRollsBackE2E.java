package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.e2e.support.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.OperatorEndpoints;
import io.kiki.migrations.e2e.support.OperatorEndpoints.Metrics;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A SQL health check fails after the migration: the operator downgrades automatically; the data is intact; /metrics
 * counts the rollback, the failed check and the outcome.
 */
@ExtendWith(ScenarioExtension.class)
class HealthCheckFailureRollsBackE2E {

  @Test
  void failingHealthCheckDowngradesAndKeepsTheData(Scenario scenario) {
    Optional<OperatorEndpoints> endpoints = OperatorEndpoints.ifReachable(scenario.cluster());
    Map<String, String> resource = Map.of("namespace", scenario.namespace(), "name", "kiki-campaigns");
    scenario.apply("database.yaml");
    scenario.apply("health-check-failure-before.yaml");
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase()).isEqualTo(Phase.Ready);
    endpoints.ifPresent(e -> assertThat(e.scrape().find("kiki_migrations_rollbacks_total", resource)).isEmpty());
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
    endpoints.ifPresent(e -> assertRollbackMetrics(e.scrape(), resource));
  }

  /** /metrics counts the rollback, the failed check and both outcomes (where the test can reach the operator). */
  private static void assertRollbackMetrics(Metrics metrics, Map<String, String> resource) {
    assertThat(metrics.find("kiki_migrations_rollbacks_total", resource)).as("one rollback, by downgrade")
        .singleElement().satisfies(s -> {
          assertThat(s.value()).isEqualTo(1.0);
          assertThat(s.labels()).containsEntry("method", "Downgrade");
        });
    assertThat(metrics.value("kiki_migrations_health_check_failures_total", with(resource, "check", "deployments-have-completion-times")))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(metrics.find("kiki_migrations_health_check_failures_total", resource))
        .as("only the failing check").allSatisfy(s -> assertThat(s.labels()).containsEntry("check", "deployments-have-completion-times"));
    assertThat(metrics.value("kiki_migrations_rollouts_total", with(resource, "outcome", "RolledBack"))).isEqualTo(1.0);
    assertThat(metrics.value("kiki_migrations_rollouts_total", with(resource, "outcome", "Ready"))).isEqualTo(1.0);
    assertThat(metrics.value("kiki_migrations_phase", with(resource, "phase", "RolledBack"))).isEqualTo(1.0);
    assertThat(metrics.value("kiki_migrations_current_revision_info", with(resource, "revision", KikiRevisions.BACKFILL))).isEqualTo(1.0);
    assertThat(metrics.value("kiki_migrations_rollout_started_timestamp_seconds", resource)).isZero();
  }

  private static Map<String, String> with(Map<String, String> labels, String name, String value) {
    Map<String, String> all = new HashMap<>(labels);
    all.put(name, value);
    return all;
  }
}
