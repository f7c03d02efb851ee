package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator stops while a (slow) migration Job runs and starts again: it finds its Job instead
 * of making a second one, and the rollout completes.
 */
@ExtendWith(ScenarioExtension.class)
class OperatorRestartMidMigrationCompletesWithOneJobE2E {

  @Test
  void restartedOperatorAdoptsTheRunningJob(Scenario scenario) throws Exception {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-slow",
            Projects.copyOfKiki("slow")
                .withRevision(
                    "e2e0slow0001_slow_step.py",
                    Map.of("down_revision", KikiRevisions.HEAD, "seconds", "8"))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("operator-restart.yaml", Map.of("image", image));
    scenario.awaitPhase("kiki-campaigns", Phase.Migrating);

    scenario.cluster().stopOperator();
    try {
      Thread.sleep(3000);
      assertThat(scenario.get("kiki-campaigns").getStatus().getPhase()).isEqualTo(Phase.Migrating);
    } finally {
      scenario.cluster().startOperator();
    }
    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 1);
    assertThat(scenario.databaseRevisions()).containsExactly("e2e0slow0001");
    List<Job> jobs = scenario.jobs("kiki-campaigns");
    assertThat(jobs)
        .extracting(
            j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .as("one Job per stage, none twice")
        .containsExactlyInAnyOrder("plan", "backup", "upgrade");
  }
}
