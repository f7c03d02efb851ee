package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * spec.approval Manual: after the plan the rollout waits in AwaitingApproval with the plan (steps,
 * SQL, rollback) in a ConfigMap; an annotation naming another hash approves nothing and says so;
 * the right hash runs the rollout and the approval is recorded in history. A plan that no longer
 * holds when the migrate Job runs (the database moved after the review) is refused by the runner.
 */
@ExtendWith(ScenarioExtension.class)
class ManualApprovalRunsOnlyTheApprovedPlanE2E {
  private static final String NAME = "kiki-campaigns";

  @Test
  void staleHashDoesNothingAndTheRightOneRunsThePlan(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("approval.yaml", Map.of("target", KikiRevisions.HEAD, "approval", "Manual"));

    DatabaseMigration waiting = scenario.awaitPhase(NAME, Phase.AwaitingApproval);
    String hash = waiting.getStatus().getRollout().getPlanHash();
    assertThat(hash).matches("[0-9a-f]{16}");
    assertThat(waiting.getStatus().getRollout().getPlanConfigMap()).isEqualTo(NAME + "-plan");
    assertThat(scenario.jobs(NAME)).hasSize(1);
    ConfigMap plan =
        scenario
            .client()
            .configMaps()
            .inNamespace(scenario.namespace())
            .withName(NAME + "-plan")
            .get();
    assertThat(plan.getData()).containsEntry("planHash", hash);
    assertThat(plan.getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo(waiting.getMetadata().getUid());
    assertThat(plan.getData().get("plan.txt"))
        .contains("Plan " + hash)
        .contains("Irreversible steps: " + KikiRevisions.BACKFILL)
        .contains("discards every write made to the database after the backup")
        .contains("CREATE TABLE users")
        .contains("ALTER TABLE campaign_deployments ADD COLUMN completed_at");
    assertThat(scenario.databaseRevisions()).isEmpty();

    annotate(scenario, "0000000000000000");
    DatabaseMigration stale = awaitReconcilingReason(scenario, "ApprovalStale");
    assertThat(stale.getStatus().getPhase()).isEqualTo(Phase.AwaitingApproval);
    assertThat(stale.getStatus().getMessage())
        .contains("names 0000000000000000, but the current plan is " + hash)
        .contains("approves nothing");
    awaitEvent(scenario, "ApprovalStale: ");
    assertThat(scenario.jobs(NAME)).hasSize(1);
    assertThat(scenario.databaseRevisions()).isEmpty();

    annotate(scenario, hash);
    DatabaseMigration ready = scenario.awaitSettled(NAME, 1);
    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 1);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    HistoryEntry entry = ready.getStatus().getHistory().get(0);
    assertThat(entry.getPlanHash()).isEqualTo(hash);
    assertThat(entry.getApprovedAt()).isNotBlank();
    if (scenario.cluster() instanceof LocalCluster) {
      // a real API server keeps managedFields: the client that set the annotation is named
      assertThat(entry.getApprovedBy()).isNotEqualTo("unknown").isNotBlank();
    } else {
      assertThat(entry.getApprovedBy()).isNotBlank();
    }
    awaitEvent(scenario, "Approved: plan " + hash + " approved by ");
  }

  @Test
  void migrateJobRefusesAPlanThatChangedAfterTheApproval(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply(
        "approval.yaml", Map.of("target", KikiRevisions.ARCHIVED, "approval", "Automatic"));
    assertThat(scenario.awaitSettled(NAME, 1).getStatus().getPhase()).isEqualTo(Phase.Ready);

    scenario.apply("approval.yaml", Map.of("target", KikiRevisions.HEAD, "approval", "Manual"));
    DatabaseMigration waiting = scenario.awaitPhase(NAME, Phase.AwaitingApproval);
    String hash = waiting.getStatus().getRollout().getPlanHash();
    scenario.executeSqlFixture("move-version-to-backfill.sql");
    annotate(scenario, hash);

    DatabaseMigration failed = scenario.awaitSettled(NAME, 2);
    assertThat(failed.getStatus().getPhase())
        .as(failed.getStatus().getMessage())
        .isEqualTo(Phase.Failed);
    assertStalled(failed, "PlanChanged", 2);
    assertThat(failed.getStatus().getMessage())
        .contains("not to the planned (and approved) " + hash)
        .contains("Nothing was run");
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);
  }

  private static void annotate(Scenario scenario, String hash) {
    scenario
        .client()
        .resources(DatabaseMigration.class)
        .inNamespace(scenario.namespace())
        .withName(NAME)
        .edit(
            d -> {
              Map<String, String> annotations = new HashMap<>();
              if (d.getMetadata().getAnnotations() != null) {
                annotations.putAll(d.getMetadata().getAnnotations());
              }
              annotations.put(Approval.ANNOTATION, hash);
              d.getMetadata().setAnnotations(annotations);
              return d;
            });
  }

  /** Events are recorded right after the status write that they describe. */
  private static void awaitEvent(Scenario scenario, String prefix) {
    await("event " + prefix)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> scenario.eventTexts().stream().anyMatch(e -> e.startsWith(prefix)));
  }

  private static DatabaseMigration awaitReconcilingReason(Scenario scenario, String reason) {
    return await("Reconciling reason " + reason)
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> scenario.get(NAME),
            d -> {
              if (d.getStatus() == null || d.getStatus().getConditions() == null) {
                return false;
              }
              return d.getStatus().getConditions().stream()
                  .filter(c -> "Reconciling".equals(c.getType()))
                  .map(Condition::getReason)
                  .anyMatch(reason::equals);
            });
  }
}
