package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two DatabaseMigrations point at the same database: one rollout at a time. While the first
 * migrates (slowly), the second waits; then it finds the database already at its target and has
 * nothing to migrate.
 */
@ExtendWith(ScenarioExtension.class)
class TwoResourcesOnOneDatabaseAreSerialisedE2E {

  static final Set<Phase> TOUCHING_THE_DATABASE =
      EnumSet.of(Phase.BackingUp, Phase.Migrating, Phase.RollingBack, Phase.Restoring);

  @Test
  void secondResourceWaitsForTheFirst(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-slow",
            Projects.copyOfKiki("slow")
                .withRevision(
                    "e2e0slow0001_slow_step.py",
                    Map.of("down_revision", KikiRevisions.HEAD, "seconds", "5"))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("two-resources.yaml", Map.of("name", "campaigns-api", "image", image));
    scenario.apply("two-resources.yaml", Map.of("name", "campaigns-worker", "image", image));

    List<String> overlaps = new ArrayList<>();
    Set<Phase> seenByWorker = EnumSet.noneOf(Phase.class);
    Set<Phase> seenByApi = EnumSet.noneOf(Phase.class);
    await()
        .atMost(Scenario.ROLLOUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Phase api = phase(scenario.get("campaigns-api"));
              Phase worker = phase(scenario.get("campaigns-worker"));
              if (api != null) {
                seenByApi.add(api);
              }
              if (worker != null) {
                seenByWorker.add(worker);
              }
              if (TOUCHING_THE_DATABASE.contains(api) && TOUCHING_THE_DATABASE.contains(worker)) {
                overlaps.add("api " + api + " while worker " + worker);
              }
              return settled(scenario.get("campaigns-api"))
                  && settled(scenario.get("campaigns-worker"));
            });

    assertThat(overlaps).as("both resources touched the database at the same time").isEmpty();
    assertThat(phase(scenario.get("campaigns-api"))).isEqualTo(Phase.Ready);
    assertThat(phase(scenario.get("campaigns-worker"))).isEqualTo(Phase.Ready);
    assertThat(scenario.databaseRevisions()).containsExactly("e2e0slow0001");
    long migrations =
        scenario.jobs("campaigns-api").stream()
                .filter(TwoResourcesOnOneDatabaseAreSerialisedE2E::isUpgrade)
                .count()
            + scenario.jobs("campaigns-worker").stream()
                .filter(TwoResourcesOnOneDatabaseAreSerialisedE2E::isUpgrade)
                .count();
    assertThat(migrations).as("one upgrade Job in all").isEqualTo(1);
    assertThat(seenByApi.contains(Phase.Waiting) || seenByWorker.contains(Phase.Waiting))
        .as("one of them waited (api saw %s, worker saw %s)", seenByApi, seenByWorker)
        .isTrue();
  }

  private static boolean isUpgrade(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
    return "upgrade"
        .equals(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0));
  }

  private static Phase phase(DatabaseMigration dbm) {
    return dbm == null || dbm.getStatus() == null ? null : dbm.getStatus().getPhase();
  }

  private static boolean settled(DatabaseMigration dbm) {
    return dbm != null
        && dbm.getStatus() != null
        && dbm.getStatus().getPhase() != null
        && dbm.getStatus().getPhase().isTerminal()
        && dbm.getStatus().getObservedGeneration() != null
        && dbm.getStatus().getObservedGeneration() >= dbm.getMetadata().getGeneration();
  }
}
