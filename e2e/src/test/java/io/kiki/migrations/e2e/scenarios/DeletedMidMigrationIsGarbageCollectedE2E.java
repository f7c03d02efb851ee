package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A DatabaseMigration deleted while its (slow) upgrade Job runs: the garbage collector deletes its
 * Jobs and their pods (the node agent stops the running migration), the database is left at the
 * revision status last reported or at the rollout's target, never half-applied, and a new resource
 * of the same name rolls out cleanly with Jobs of its own. Only {@code local} has a garbage
 * collector.
 */
@ExtendWith(ScenarioExtension.class)
class DeletedMidMigrationIsGarbageCollectedE2E {

  private static final Duration GARBAGE_COLLECTION = Duration.ofMinutes(2);

  @Test
  void jobsAndPodsGoWithTheResourceAndANewOneRollsOutCleanly(Scenario scenario) throws Exception {
    Assumptions.assumeTrue(
        scenario.cluster() instanceof LocalCluster,
        "needs a garbage collector (-Dkiki.e2e.cluster=local)");
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-slow",
            Projects.copyOfKiki("slow")
                .withRevision(
                    "e2e0slow0001_slow_step.py",
                    Map.of("down_revision", KikiRevisions.HEAD, "seconds", "6"))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("fresh-database-to-head.yaml");
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> rows = scenario.query("SELECT * FROM campaigns ORDER BY 1");
    scenario.apply("operator-restart.yaml", Map.of("image", image));
    DatabaseMigration migrating = scenario.awaitPhase("kiki-campaigns", Phase.Migrating);
    String lastReported = migrating.getStatus().getCurrentRevision();
    String oldUid = migrating.getMetadata().getUid();
    await("the upgrade Job's pod runs")
        .atMost(Scenario.ROLLOUT_TIMEOUT)
        .until(() -> runningPods(scenario, oldUid) > 0);
    Set<String> oldJobUids =
        Set.copyOf(
            scenario.jobs("kiki-campaigns").stream().map(j -> j.getMetadata().getUid()).toList());

    scenario.migrations().inNamespace(scenario.namespace()).withName("kiki-campaigns").delete();
    await("the resource is gone")
        .atMost(GARBAGE_COLLECTION)
        .until(() -> scenario.get("kiki-campaigns") == null);

    scenario.apply("operator-restart.yaml", Map.of("image", image));
    String newUid = scenario.get("kiki-campaigns").getMetadata().getUid();
    assertThat(newUid).isNotEqualTo(oldUid);

    await("the old Jobs and their pods are garbage-collected")
        .atMost(GARBAGE_COLLECTION)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> ownedJobs(scenario, oldUid).isEmpty() && podsOfJobs(scenario, oldJobUids) == 0);

    // The database as the deletion left it shows in the new rollout's from: the revision status
    // last reported (the
    // killed upgrade's transaction rolled back) or the target (it had committed), never in between:
    // Alembic runs
    // the upgrade in one transaction.
    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 1);
    assertThat(ready.getStatus().getRollout().getFrom())
        .as("where the deleted rollout left the database")
        .isIn(lastReported, "e2e0slow0001");
    assertThat(scenario.databaseRevisions()).containsExactly("e2e0slow0001");
    assertThat(scenario.tableExists("e2e_slow_marker")).isTrue();
    assertThat(scenario.query("SELECT * FROM campaigns ORDER BY 1"))
        .as("rows kept")
        .isEqualTo(rows)
        .isNotEmpty();
    assertThat(scenario.jobs("kiki-campaigns"))
        .as("the new resource's own Jobs")
        .allSatisfy(
            j ->
                assertThat(j.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo(newUid));
  }

  private static List<Job> ownedJobs(Scenario scenario, String uid) {
    return scenario
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(scenario.namespace())
        .list()
        .getItems()
        .stream()
        .filter(
            j ->
                j.getMetadata().getOwnerReferences() != null
                    && j.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> uid.equals(o.getUid())))
        .toList();
  }

  private static long runningPods(Scenario scenario, String ownerUid) {
    Set<String> jobs =
        Set.copyOf(
            ownedJobs(scenario, ownerUid).stream().map(j -> j.getMetadata().getName()).toList());
    return scenario.client().pods().inNamespace(scenario.namespace()).list().getItems().stream()
        .filter(p -> jobs.contains(p.getMetadata().getLabels().get("batch.kubernetes.io/job-name")))
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .count();
  }

  /**
   * Pods of the given Jobs (by the Job UID label: the new resource's Jobs have the same names)
   * still in the API.
   */
  private static long podsOfJobs(Scenario scenario, Set<String> jobUids) {
    return scenario.client().pods().inNamespace(scenario.namespace()).list().getItems().stream()
        .filter(
            p ->
                jobUids.contains(
                    p.getMetadata().getLabels().get("batch.kubernetes.io/controller-uid")))
        .count();
  }
}
