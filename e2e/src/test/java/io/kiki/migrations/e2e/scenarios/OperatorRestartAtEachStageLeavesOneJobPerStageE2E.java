package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fault injection: the operator is stopped the moment a rollout enters each stage (before or after
 * it created the stage's Job: the status records the intent first) and started again. Every rollout
 * ends as it would have without the restart, with exactly one Job per stage and the database at the
 * revision its outcome says, its rows intact.
 */
@ExtendWith(ScenarioExtension.class)
class OperatorRestartAtEachStageLeavesOneJobPerStageE2E {

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"Planning", "BackingUp", "Migrating", "Verifying"})
  void upgradeCompletes(Phase restartAt, Scenario scenario) throws Exception {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-slow",
            Projects.copyOfKiki("slow")
                .withRevision(
                    "e2e0slow0001_slow_step.py",
                    Map.of("down_revision", KikiRevisions.HEAD, "seconds", "3"))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("operator-restart.yaml", Map.of("image", image));
    restartWhenEntering(scenario, restartAt);

    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(scenario.databaseRevisions()).containsExactly("e2e0slow0001");
    assertThat(commands(scenario.jobs("kiki-campaigns")))
        .as("one Job per stage, none twice")
        .containsExactlyInAnyOrder("plan", "backup", "upgrade");
  }

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"RollingBack"})
  void downgradeAfterAFailingCheckCompletes(Phase restartAt, Scenario scenario) throws Exception {
    scenario.apply("database.yaml");
    scenario.apply("health-check-failure-before.yaml");
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> before = scenario.query("SELECT * FROM campaign_deployments ORDER BY id");
    int jobsBefore = scenario.jobs("kiki-campaigns").size();

    scenario.apply("health-check-failure-bump.yaml");
    restartWhenEntering(scenario, restartAt);

    DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);
    assertThat(rolledBack.getStatus().getPhase())
        .as(rolledBack.getStatus().getMessage())
        .isEqualTo(Phase.RolledBack);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);
    assertThat(scenario.query("SELECT * FROM campaign_deployments ORDER BY id")).isEqualTo(before);
    List<Job> jobs = scenario.jobs("kiki-campaigns");
    assertThat(commands(jobs.subList(jobsBefore, jobs.size())))
        .as("the second rollout: one Job per stage")
        .containsExactlyInAnyOrder("plan", "backup", "upgrade", "downgrade");
  }

  @ParameterizedTest
  @EnumSource(
      value = Phase.class,
      names = {"Restoring"})
  void restoreAfterAnIrreversibleStepCompletes(Phase restartAt, Scenario scenario)
      throws Exception {
    scenario.apply("database.yaml");
    scenario.apply("irreversible-before.yaml");
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.executeSqlFixture("kiki-rows.sql");
    List<List<Object>> backedUp = scenario.query("SELECT * FROM campaign_deployments ORDER BY id");
    int jobsBefore = scenario.jobs("kiki-campaigns").size();

    scenario.apply("irreversible-bump.yaml");
    restartWhenEntering(scenario, restartAt);

    DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);
    assertThat(rolledBack.getStatus().getPhase())
        .as(rolledBack.getStatus().getMessage())
        .isEqualTo(Phase.RolledBack);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.ARCHIVED);
    assertThat(scenario.query("SELECT * FROM campaign_deployments ORDER BY id"))
        .isEqualTo(backedUp);
    List<Job> jobs = scenario.jobs("kiki-campaigns");
    assertThat(commands(jobs.subList(jobsBefore, jobs.size())))
        .as("the second rollout: one Job per stage")
        .containsExactlyInAnyOrder("plan", "backup", "upgrade", "restore");
  }

  /**
   * Stops the operator as soon as the resource is in {@code phase} (polled every 20ms), waits,
   * starts it again.
   */
  private static void restartWhenEntering(Scenario scenario, Phase phase)
      throws InterruptedException {
    await("phase " + phase)
        .atMost(Scenario.ROLLOUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> scenario.get("kiki-campaigns"),
            d -> d != null && d.getStatus() != null && d.getStatus().getPhase() == phase);
    scenario.cluster().stopOperator();
    try {
      Thread.sleep(2000);
    } finally {
      scenario.cluster().startOperator();
    }
  }

  private static List<String> commands(List<Job> jobs) {
    return jobs.stream()
        .map(j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .toList();
  }
}
