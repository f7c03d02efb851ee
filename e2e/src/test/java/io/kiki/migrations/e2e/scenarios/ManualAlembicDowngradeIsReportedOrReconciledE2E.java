package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Someone runs {@code alembic downgrade -1} by hand under a Ready resource (the seed's
 * troubleshooting section tells people to). With spec.driftPolicy Report the resource says so
 * within one spec.driftCheckInterval and changes nothing; with Reconcile a rollout of the same
 * generation brings the database back through plan, backup, migrate and verify. A version table
 * stamped to a revision the image does not know stops at the plan, before any backup.
 */
@ExtendWith(ScenarioExtension.class)
class ManualAlembicDowngradeIsReportedOrReconciledE2E {
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  /** One interval, plus the slack of a loaded 2-core machine and the status write. */
  private static final Duration WITHIN = INTERVAL.plusSeconds(5);

  private static final String NAME = "kiki-campaigns";

  private static void readyAtHead(Scenario scenario, String policy) {
    scenario.apply("database.yaml");
    scenario.apply("drift.yaml", Map.of("policy", policy));
    DatabaseMigration ready = scenario.awaitSettled(NAME, 1);
    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
  }

  @Test
  void reportSaysWhereTheDatabaseIsWithinOneIntervalAndTouchesNothing(Scenario scenario) {
    readyAtHead(scenario, "Report");
    int jobs = scenario.jobs(NAME).size();

    scenario.alembic("downgrade", "-1");
    Instant moved = Instant.now();
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);
    DatabaseMigration drifted = scenario.awaitPhase(NAME, Phase.Drifted);
    assertThat(Duration.between(moved, Instant.now())).isLessThan(WITHIN);
    assertCondition(drifted, "Ready", "False", "Drifted", 1);
    assertCondition(drifted, "Stalled", "True", "Drifted", 1);
    assertCondition(drifted, "Drifted", "True", "RevisionChanged", 1);
    assertThat(drifted.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.BACKFILL);
    assertThat(drifted.getStatus().getMessage())
        .contains("is at " + KikiRevisions.BACKFILL + ", not at " + KikiRevisions.HEAD)
        .contains("spec.driftPolicy is Report")
        .contains("change spec.retryToken");
    assertThat(scenario.eventTexts()).anyMatch(e -> e.startsWith("Drifted: "));

    // Another interval at the same revision: one event in all, no Job, the database as it was.
    sleep(INTERVAL.plusSeconds(2));
    assertThat(scenario.client().v1().events().inNamespace(scenario.namespace()).list().getItems())
        .filteredOn(e -> "Drifted".equals(e.getReason()))
        .hasSize(1);
    assertThat(scenario.jobs(NAME)).hasSize(jobs);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);

    scenario.alembic("upgrade", "head");
    DatabaseMigration back = scenario.awaitPhase(NAME, Phase.Ready);
    assertReady(back, 1);
    assertCondition(back, "Drifted", "False", "AtTarget", 1);
    assertThat(scenario.jobs(NAME)).hasSize(jobs);
  }

  @Test
  void reconcileBringsTheDatabaseBackThroughTheBackupAndStopsAtAnUnknownRevision(
      Scenario scenario) {
    readyAtHead(scenario, "Reconcile");
    scenario.alembic("downgrade", "-1");
    Instant moved = Instant.now();
    await("the drift's plan Job")
        .atMost(WITHIN)
        .until(() -> jobNames(scenario).contains(NAME + "-plan-1-drift1"));
    assertThat(Duration.between(moved, Instant.now())).isLessThan(WITHIN);

    DatabaseMigration back =
        await("Ready after the drift's rollout")
            .atMost(Scenario.ROLLOUT_TIMEOUT)
            .until(
                () -> scenario.get(NAME),
                d ->
                    d.getStatus().getPhase() == Phase.Ready
                        && d.getStatus().getHistory().size() == 2);
    assertReady(back, 1);
    assertCondition(back, "Drifted", "False", "AtTarget", 1);
    assertThat(back.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(scenario.tableExists("campaign_deployments")).isTrue();
    HistoryEntry drift = back.getStatus().getHistory().get(0);
    assertThat(drift.getTrigger()).isEqualTo("Drift");
    assertThat(drift.getId()).isEqualTo("1-drift1");
    assertThat(drift.getFrom()).isEqualTo(KikiRevisions.BACKFILL);
    assertThat(drift.getTo()).isEqualTo(KikiRevisions.HEAD);
    assertThat(drift.getBackupFile()).as("the backup gate ran").isNotBlank();
    assertThat(jobNames(scenario)).contains(NAME + "-backup-1-drift1", NAME + "-migrate-1-drift1");

    // Stamped to a revision no image knows (as a newer project's `alembic stamp` writes it).
    scenario.query("UPDATE alembic_version SET version_num = 'f0f0f0f0f0f0' RETURNING 1");
    DatabaseMigration blocked =
        await("Blocked at the second drift's plan")
            .atMost(Scenario.ROLLOUT_TIMEOUT)
            .until(() -> scenario.get(NAME), d -> d.getStatus().getPhase() == Phase.Blocked);
    assertCondition(blocked, "Stalled", "True", "UnknownCurrentRevision", 1);
    assertCondition(blocked, "Drifted", "True", "RevisionChanged", 1);
    assertThat(blocked.getStatus().getHistory().get(0).getTrigger()).isEqualTo("Drift");
    assertThat(jobNames(scenario))
        .contains(NAME + "-plan-1-drift2")
        .noneMatch(n -> n.startsWith(NAME + "-backup-1-drift2"))
        .noneMatch(n -> n.startsWith(NAME + "-migrate-1-drift2"));
    assertThat(scenario.databaseRevisions()).containsExactly("f0f0f0f0f0f0");
  }

  private static List<String> jobNames(Scenario scenario) {
    return scenario.jobs(NAME).stream().map(Job::getMetadata).map(m -> m.getName()).toList();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
