package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.e2e.support.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.OperatorEndpoints;
import io.kiki.migrations.e2e.support.OperatorEndpoints.Metrics;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An empty database and a DatabaseMigration targeting head: plan, back up, migrate, verify, Ready. The operator's
 * /metrics, scraped over HTTP while the rollout runs and after it is Ready, tells the same story.
 */
@ExtendWith(ScenarioExtension.class)
class FreshDatabaseMigratesToHeadE2E {

  @Test
  void metricsEndpointShowsTheRolloutWhileItRunsAndWhenReady(Scenario scenario) {
    OperatorEndpoints endpoints = OperatorEndpoints.of(scenario.cluster());
    assertThat(endpoints.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(endpoints.get("/readyz").statusCode()).isEqualTo(200);
    Map<String, String> resource = Map.of("namespace", scenario.namespace(), "name", "kiki-campaigns");
    long applied = Instant.now().getEpochSecond();
    scenario.apply("database.yaml");
    scenario.apply("fresh-database-to-head.yaml");

    Metrics running = await("a scrape during the rollout").atMost(Scenario.ROLLOUT_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .until(endpoints::scrape, m -> !m.find("kiki_migrations_rollout_started_timestamp_seconds", resource).isEmpty()
            && m.value("kiki_migrations_rollout_started_timestamp_seconds", resource) > 0
            // the resource's phase gauges are registered one by one: a scrape can come between two of them
            && m.find("kiki_migrations_phase", resource).size() == Phase.values().length);
    assertThat(running.value("kiki_migrations_rollout_started_timestamp_seconds", resource))
        .as("start of the running rollout, Unix seconds").isCloseTo(applied, within(60.0));
    assertThat(running.value("kiki_migrations_phase", with(resource, "phase", "Ready"))).isZero();
    assertThat(running.find("kiki_migrations_rollouts_total", with(resource, "outcome", "Ready"))).isEmpty();

    DatabaseMigration dbm = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(dbm.getStatus().getPhase()).as(dbm.getStatus().getMessage()).isEqualTo(Phase.Ready);

    Metrics ready = endpoints.scrape();
    assertThat(ready.value("kiki_migrations_rollouts_total", with(resource, "outcome", "Ready"))).isEqualTo(1.0);
    for (String stage : List.of("Plan", "Backup", "Migrate")) {
      assertThat(ready.value("kiki_migrations_stage_duration_seconds_count", with(resource, "stage", stage))).as(stage).isEqualTo(1.0);
      assertThat(ready.value("kiki_migrations_stage_duration_seconds_sum", with(resource, "stage", stage))).as(stage).isPositive();
    }
    assertThat(ready.value("kiki_migrations_backup_size_bytes", resource)).isEqualTo(dbm.getStatus().getLastBackup().getSizeBytes().doubleValue())
        .isPositive();
    assertThat(ready.value("kiki_migrations_current_revision_info", with(resource, "revision", KikiRevisions.HEAD))).isEqualTo(1.0);
    assertThat(ready.value("kiki_migrations_phase", with(resource, "phase", "Ready"))).isEqualTo(1.0);
    assertThat(ready.find("kiki_migrations_phase", resource)).as("one phase at a time")
        .filteredOn(s -> s.value() == 1.0).singleElement().satisfies(s -> assertThat(s.labels()).containsEntry("phase", "Ready"));
    assertThat(ready.value("kiki_migrations_rollout_started_timestamp_seconds", resource)).as("no rollout runs").isZero();
    assertThat(endpoints.get("/readyz").statusCode()).isEqualTo(200);
  }

  private static Map<String, String> with(Map<String, String> labels, String name, String value) {
    Map<String, String> all = new java.util.HashMap<>(labels);
    all.put(name, value);
    return all;
  }

  @Test
  void freshDatabaseIsMigratedToHeadAndReady(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("fresh-database-to-head.yaml");

    DatabaseMigration dbm = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(dbm.getStatus().getPhase()).as(dbm.getStatus().getMessage()).isEqualTo(Phase.Ready);
    assertReady(dbm, 1);
    assertThat(dbm.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.HEAD);
    assertThat(dbm.getStatus().getTargetRevision()).isEqualTo(KikiRevisions.HEAD);
    assertThat(dbm.getStatus().getAppliedImage()).isEqualTo(TestCluster.KIKI_IMAGE);
    assertThat(dbm.getStatus().getLastBackup()).isNotNull();
    assertThat(dbm.getStatus().getLastBackup().getRevision()).isEqualTo("base");
    assertThat(dbm.getStatus().getHistory()).first().satisfies(h -> {
      assertThat(h.getOutcome()).isEqualTo(Phase.Ready);
      assertThat(h.getTo()).isEqualTo(KikiRevisions.HEAD);
      assertThat(h.getGeneration()).isEqualTo(1L);
    });

    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(List.of("users", "campaigns", "campaign_deployments", "campaign_assets")).allMatch(scenario::tableExists);

    List<Job> jobs = scenario.jobs("kiki-campaigns");
    assertThat(jobs).extracting(j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .containsExactlyInAnyOrder("plan", "backup", "upgrade");
    for (Job job : jobs) {
      assertThat(job.getSpec().getBackoffLimit()).isZero();
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isPositive();
      assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
      Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(container.getName()).isEqualTo("kiki-migrate");
      assertThat(container.getImage()).isEqualTo(TestCluster.KIKI_IMAGE);
      assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("KIKI_DATABASE_URL")).singleElement()
          .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kiki-db"));
    }
  }
}
