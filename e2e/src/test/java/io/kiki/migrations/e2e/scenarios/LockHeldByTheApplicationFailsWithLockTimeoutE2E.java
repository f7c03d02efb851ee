package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An application session holds a read lock on campaign_deployments in an open transaction; the
 * migration's ALTER TABLE gives up after spec.timeouts.lock (1s) instead of queueing until the
 * Job's deadline; the operator retries it a bounded number of times, then Failed with reason
 * LockTimeout, naming the table and the blocking session. The database is unchanged.
 */
@ExtendWith(ScenarioExtension.class)
class LockHeldByTheApplicationFailsWithLockTimeoutE2E {
  static final String L1 = "l1000000lock";

  @Test
  void boundedRetriesThenLockTimeout(Scenario scenario) throws Exception {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:locks", Projects.fixture("locks").dir());
    scenario.apply("database.yaml");
    Map<String, String> values =
        Map.of("image", image, "table", "campaign_deployments", "lock", "1s");
    scenario.apply("fixture-project.yaml", with(values, "target", L1));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);

    DatabaseMigration failed;
    long blockingPid;
    try (Connection application = scenario.database().hostAccess().connect()) {
      application.setAutoCommit(false);
      try (Statement s = application.createStatement()) {
        s.execute("SET application_name = 'kiki-api'");
        s.executeQuery("SELECT count(*) FROM campaign_deployments").close();
        try (ResultSet pid = s.executeQuery("SELECT pg_backend_pid()")) {
          pid.next();
          blockingPid = pid.getLong(1);
        }
      }
      scenario.apply("fixture-project.yaml", with(values, "target", "head"));
      failed = scenario.awaitSettled("kiki-campaigns", 2);
      application.rollback();
    }

    assertThat(failed.getStatus().getPhase())
        .as(failed.getStatus().getMessage())
        .isEqualTo(Phase.Failed);
    assertStalled(failed, "LockTimeout", 2);
    assertThat(failed.getStatus().getMessage())
        .contains("gave up after 4 attempts")
        .contains("public.campaign_deployments")
        .contains("pid " + blockingPid)
        .contains("kiki-api")
        .contains("unchanged at " + L1);
    List<Job> migrateJobs =
        scenario.jobs("kiki-campaigns").stream()
            .filter(
                j -> "migrate".equals(j.getMetadata().getLabels().get("migrations.kiki.io/stage")))
            .filter(j -> "2".equals(j.getMetadata().getLabels().get("migrations.kiki.io/rollout")))
            .toList();
    assertThat(migrateJobs).as("one migrate Job per attempt of rollout 2").hasSize(4);
    assertThat(migrateJobs.get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("KIKI_TABLE_LOCK_TIMEOUT");
              assertThat(e.getValue()).isEqualTo("1");
            });
    assertThat(scenario.databaseRevisions()).containsExactly(L1);
    assertThat(
            scenario.query(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = "
                    + "'campaign_deployments' AND column_name = 'archived'"))
        .containsExactly(List.of(0L));
  }

  private static Map<String, String> with(Map<String, String> values, String key, String value) {
    Map<String, String> all = new java.util.HashMap<>(values);
    all.put(key, value);
    return all;
  }
}
