package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
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
 * An empty database and a DatabaseMigration targeting head: plan, back up, migrate, verify, Ready.
 * The operator's /metrics, scraped over HTTP while the rollout runs and after it is Ready, tells
 * the same story.
 */
@ExtendWith(ScenarioExtension.class)
class FreshDatabaseMigratesToHeadE2E {

  @Test
  void metricsEndpointShowsTheRolloutWhileItRunsAndWhenReady(Scenario scenario) {
    OperatorEndpoints endpoints = OperatorEndpoints.of(scenario.cluster());
    assertThat(endpoints.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(endpoints.get("/readyz").statusCode()).isEqualTo(200);
    Map<String, String> resource =
        Map.of("namespace", scenario.namespace(), "name", "kiki-campaigns");
    long applied = Instant.now().getEpochSecond();
    // Counters and stage histograms are shared by all resources (not labelled by resource): compare
    // two scrapes.
    Metrics before = endpoints.scrape();
    scenario.apply("database.yaml");
    scenario.apply("fresh-database-to-head.yaml");

    Metrics running =
        await("a scrape during the rollout")
            .atMost(Scenario.ROLLOUT_TIMEOUT)
            .pollInterval(Duration.ofMillis(100))
            // a phase change registers the next series and then removes the old one: a scrape can
            // come between the two
            .until(
                endpoints::scrape,
                m ->
                    !m.find("kiki_migrations_rollout_started_timestamp_seconds", resource).isEmpty()
                        && m.find("kiki_migrations_phase", resource).size() == 1);
    assertThat(running.value("kiki_migrations_rollout_started_timestamp_seconds", resource))
        .as("start of the running rollout, Unix seconds")
        .isCloseTo(applied, within(60.0));
    assertThat(running.find("kiki_migrations_phase", resource))
        .as("one phase series per resource")
        .singleElement()
        .satisfies(s -> assertThat(s.labels().get("phase")).isNotEqualTo("Ready"));

    DatabaseMigration dbm = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(dbm.getStatus().getPhase()).as(dbm.getStatus().getMessage()).isEqualTo(Phase.Ready);

    Metrics ready =
        await("a scrape after the last phase change")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            // the status is written before the metrics are updated: Ready can be read first
            .until(
                endpoints::scrape,
                m ->
                    m.find("kiki_migrations_phase", resource).stream()
                        .map(sample -> sample.labels().get("phase"))
                        .toList()
                        .equals(List.of("Ready")));
    Map<String, String> readyOutcome = Map.of("outcome", "Ready");
    assertThat(
            ready.sum("kiki_migrations_rollouts_total", readyOutcome)
                - before.sum("kiki_migrations_rollouts_total", readyOutcome))
        .isEqualTo(1.0);
    for (String stage : List.of("Plan", "Backup", "Migrate")) {
      Map<String, String> succeeded = Map.of("stage", stage, "outcome", "succeeded");
      assertThat(
              ready.sum("kiki_migrations_stage_duration_seconds_count", succeeded)
                  - before.sum("kiki_migrations_stage_duration_seconds_count", succeeded))
          .as(stage)
          .isEqualTo(1.0);
      assertThat(
              ready.sum("kiki_migrations_stage_duration_seconds_sum", succeeded)
                  - before.sum("kiki_migrations_stage_duration_seconds_sum", succeeded))
          .as(stage)
          .isPositive();
    }
    assertThat(
            ready.sum("kiki_migrations_backup_size_bytes_sum", Map.of())
                - before.sum("kiki_migrations_backup_size_bytes_sum", Map.of()))
        .isEqualTo(dbm.getStatus().getLastBackup().getSizeBytes().doubleValue())
        .isPositive();
    assertThat(ready.find("kiki_migrations_phase", resource))
        .as("one phase series per resource")
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.labels()).containsEntry("phase", "Ready");
              assertThat(s.value()).isEqualTo(1.0);
            });
    assertThat(ready.find("kiki_migrations_rollout_started_timestamp_seconds", resource))
        .as("no rollout runs")
        .isEmpty();
    assertThat(endpoints.get("/readyz").statusCode()).isEqualTo(200);
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
    assertThat(dbm.getStatus().getHistory())
        .first()
        .satisfies(
            h -> {
              assertThat(h.getOutcome()).isEqualTo(Phase.Ready);
              assertThat(h.getTo()).isEqualTo(KikiRevisions.HEAD);
              assertThat(h.getGeneration()).isEqualTo(1L);
            });

    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(List.of("users", "campaigns", "campaign_deployments", "campaign_assets"))
        .allMatch(scenario::tableExists);

    List<Job> jobs = scenario.jobs("kiki-campaigns");
    assertThat(jobs)
        .extracting(
            j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .containsExactlyInAnyOrder("plan", "backup", "upgrade");
    for (Job job : jobs) {
      assertThat(job.getSpec().getBackoffLimit()).isZero();
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isPositive();
      assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
      Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(container.getName()).isEqualTo("kiki-migrate");
      assertThat(container.getImage()).isEqualTo(TestCluster.KIKI_IMAGE);
      assertThat(container.getEnv())
          .filteredOn(e -> e.getName().equals("KIKI_DATABASE_URL"))
          .singleElement()
          .satisfies(
              e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kiki-db"));
    }
  }
}
