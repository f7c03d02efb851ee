package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Job whose pod the API server refuses never finishes by itself: the Job controller only fails it
 * at its deadline (here 10 minutes). The resource says why long before that. (A pod that exists but
 * cannot pull its image: {@link JobThatCannotPullItsImageSaysSoE2E}.)
 */
@ExtendWith(ScenarioExtension.class)
class JobPodRefusedAtAdmissionIsReportedE2E {

  /** No pod, noticed after the operator's grace period, then one Job poll of the operator. */
  private static final Duration WELL_BEFORE_THE_DEADLINE = Duration.ofSeconds(60);

  /**
   * A pod the API server refuses at admission (here: its ServiceAccount does not exist) never
   * appears; the Job controller only records an Event. Status says so, and where to read the
   * refusal, instead of waiting for the deadline. Only a real API server runs admission.
   */
  @Test
  void statusSaysThePodWasRefusedAndWhereToReadWhy(Scenario scenario) {
    Assumptions.assumeTrue(
        scenario.cluster() instanceof LocalCluster, "needs admission (-Dkiki.e2e.cluster=local)");
    scenario.apply("database.yaml");
    scenario.apply("pod-refused-at-admission.yaml");

    DatabaseMigration reported =
        await("status says the pod was refused")
            .atMost(WELL_BEFORE_THE_DEADLINE)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> scenario.get("kiki-campaigns"),
                d ->
                    d != null
                        && d.getStatus() != null
                        && d.getStatus().getMessage() != null
                        && d.getStatus().getMessage().contains("no pod"));

    assertThat(reported.getStatus().getPhase()).isEqualTo(Phase.Planning);
    assertThat(reported.getStatus().getMessage())
        .startsWith("Job kiki-campaigns-plan-1 has no pod after ")
        .contains("the Job controller could not create it")
        .contains(
            "`kubectl describe job kiki-campaigns-plan-1 -n "
                + scenario.namespace()
                + "` shows why");
    assertThat(reported.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Reconciling");
              assertThat(c.getReason()).isEqualTo("FailedCreate");
            });
    assertThat(scenario.eventTexts())
        .as("what kubectl describe job shows")
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("FailedCreate")
                    .contains("serviceaccount \"kiki-migrations-typo\" not found"));
    assertThat(scenario.databaseRevisions()).as("nothing ran").isEmpty();
  }
}
