package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * spec.suspend set while a (slow) migration runs: the migration finishes (never killed half-way),
 * the rollout holds before verification in phase Suspended; spec.suspend: false continues it there,
 * and it becomes Ready. A resource created suspended starts nothing.
 */
@ExtendWith(ScenarioExtension.class)
class SuspendMidRolloutHoldsAfterTheStageE2E {

  @Test
  void suspendedMidMigrationHoldsBeforeVerifyAndResumeFinishes(Scenario scenario) throws Exception {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-slow",
            Projects.copyOfKiki("slow")
                .withRevision(
                    "e2e0slow0001_slow_step.py",
                    Map.of("down_revision", KikiRevisions.HEAD, "seconds", "8"))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("suspend.yaml", Map.of("image", image, "suspend", "false"));
    scenario.awaitPhase("kiki-campaigns", Phase.Migrating);

    scenario.apply("suspend.yaml", Map.of("image", image, "suspend", "true"));
    DatabaseMigration suspended = scenario.awaitPhase("kiki-campaigns", Phase.Suspended);
    assertThat(scenario.databaseRevisions())
        .as("the migration in flight finished")
        .containsExactly("e2e0slow0001");
    assertThat(suspended.getStatus().getRollout().getStage()).isEqualTo(RolloutStage.Verify);
    assertThat(suspended.getStatus().getRollout().getHeldBy()).isEqualTo("Suspended");
    assertCondition(suspended, "Ready", "False", "Suspended", 2);
    assertCondition(suspended, "Reconciling", "False", "Suspended", 2);
    Thread.sleep(3000);
    DatabaseMigration still = scenario.get("kiki-campaigns");
    assertThat(still.getStatus().getPhase()).as("it holds").isEqualTo(Phase.Suspended);
    assertThat(still.getStatus().getRollout().getConsecutivePasses())
        .as("no verification while suspended")
        .isIn(null, 0);

    scenario.apply("suspend.yaml", Map.of("image", image, "suspend", "false"));
    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 3);
    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 3);
    assertThat(ready.getStatus().getHistory())
        .anySatisfy(
            h -> {
              assertThat(h.getGeneration()).isEqualTo(1L);
              assertThat(h.getOutcome()).isEqualTo(Phase.Ready);
            });
    assertThat(scenario.jobs("kiki-campaigns"))
        .extracting(
            j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .as(
            "the held rollout went on with its Jobs, none twice; the resume started no rollout of its"
                + " own (spec.suspend only steers the operator)")
        .containsExactlyInAnyOrder("plan", "backup", "upgrade");
    assertThat(ready.getStatus().getHistory()).hasSize(1);
  }

  @Test
  void aResourceCreatedSuspendedStartsNothing(Scenario scenario) throws Exception {
    scenario.apply("database.yaml");
    scenario.apply("suspend.yaml", Map.of("image", TestCluster.KIKI_IMAGE, "suspend", "true"));
    DatabaseMigration suspended = scenario.awaitPhase("kiki-campaigns", Phase.Suspended);
    assertCondition(suspended, "Ready", "False", "Suspended", 1);
    Thread.sleep(2000);
    assertThat(scenario.jobs("kiki-campaigns")).isEmpty();
    assertThat(scenario.databaseRevisions()).isEmpty();
  }
}
