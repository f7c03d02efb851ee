package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The migrate Job is deleted while its (slow) migration runs, as a person or a GitOps prune would:
 * the migration is killed with it (one transaction: the database stays where it was), and the
 * operator never creates it again silently; the rollout fails with JobLost, the database untouched.
 */
@ExtendWith(ScenarioExtension.class)
class MigrateJobDeletedMidRunIsNeverRunTwiceE2E {

  @Test
  void deletedMigrateJobFailsTheRolloutWithJobLost(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-slow",
            Projects.copyOfKiki("slow")
                .withRevision(
                    "e2e0slow0001_slow_step.py",
                    Map.of("down_revision", KikiRevisions.HEAD, "seconds", "20"))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("unknown-target.yaml", Map.of("target", KikiRevisions.HEAD));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);

    scenario.apply("operator-restart.yaml", Map.of("image", image));
    DatabaseMigration migrating =
        await("the migrate Job recorded")
            .atMost(Scenario.ROLLOUT_TIMEOUT)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> scenario.get("kiki-campaigns"),
                d ->
                    d.getStatus() != null
                        && d.getStatus().getRollout() != null
                        && d.getStatus().getRollout().getStage() == RolloutStage.Migrate
                        && d.getStatus().getRollout().getJobUid() != null
                        && d.getMetadata().getGeneration() == 2);
    String jobName = migrating.getStatus().getRollout().getJobs().get(RolloutStage.Migrate);
    scenario
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(scenario.namespace())
        .withName(jobName)
        .delete();

    DatabaseMigration failed = scenario.awaitSettled("kiki-campaigns", 2);
    assertThat(failed.getStatus().getPhase())
        .as(failed.getStatus().getMessage())
        .isEqualTo(Phase.Failed);
    assertThat(failed.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("JobLost"));
    assertThat(failed.getStatus().getMessage()).contains(jobName).contains("not run again");
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(scenario.jobs("kiki-campaigns"))
        .extracting((Job j) -> j.getMetadata().getName())
        .as("the migrate Job was not created again")
        .doesNotContain(jobName)
        .noneMatch(n -> n.startsWith(jobName + "-"));
  }
}
