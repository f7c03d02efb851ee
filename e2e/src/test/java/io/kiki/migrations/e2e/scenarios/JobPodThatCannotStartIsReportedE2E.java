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
 * A Job whose pod cannot start (its image cannot be run) never finishes by itself: the Job controller only fails
 * it at its deadline (here 10 minutes). The resource says why long before that: its status names the pod and the
 * kubelet's reason as soon as the operator looks at the running Job again.
 */
@ExtendWith(ScenarioExtension.class)
class JobPodThatCannotStartIsReportedE2E {

  /** A pod about a second after the Job (or none, noticed after 20 s), then one Job poll of the operator. */
  private static final Duration WELL_BEFORE_THE_DEADLINE = Duration.ofSeconds(60);

  @Test
  void statusNamesThePodAndTheReasonWhileTheStageWaits(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("image-cannot-run.yaml");

    DatabaseMigration reported = await("status names the pod's reason").atMost(WELL_BEFORE_THE_DEADLINE)
        .pollInterval(Duration.ofMillis(250)).until(() -> scenario.get("kiki-campaigns"),
            d -> d != null && d.getStatus() != null && d.getStatus().getMessage() != null
                && d.getStatus().getMessage().contains("ErrImagePull"));

    assertThat(reported.getStatus().getPhase()).isEqualTo(Phase.Planning);
    assertThat(reported.getStatus().getMessage())
        .startsWith("plan Job: pod kiki-campaigns-plan-1-")
        .contains("cannot start: ErrImagePull")
        .contains("registry.example.com/kiki/not-a-migrations-image:1.6.0")
        .endsWith("the stage fails at its deadline (spec.timeouts) unless this is fixed");
    assertThat(reported.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Reconciling");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getMessage()).contains("ErrImagePull");
    });
    assertThat(scenario.databaseRevisions()).as("nothing ran").isEmpty();
  }

  /**
   * A pod the API server refuses at admission (here: its ServiceAccount does not exist) never appears; the Job
   * controller only records an Event. Status says so, and where to read the refusal, instead of waiting for the
   * deadline. Only a real API server runs admission.
   */
  @Test
  void statusSaysThePodWasRefusedAndWhereToReadWhy(Scenario scenario) {
    Assumptions.assumeTrue(scenario.cluster() instanceof LocalCluster, "needs admission (-Dkiki.e2e.cluster=local)");
    scenario.apply("database.yaml");
    scenario.apply("pod-refused-at-admission.yaml");

    DatabaseMigration reported = await("status says the pod was refused").atMost(WELL_BEFORE_THE_DEADLINE)
        .pollInterval(Duration.ofMillis(500)).until(() -> scenario.get("kiki-campaigns"),
            d -> d != null && d.getStatus() != null && d.getStatus().getMessage() != null
                && d.getStatus().getMessage().contains("no pod"));

    assertThat(reported.getStatus().getPhase()).isEqualTo(Phase.Planning);
    assertThat(reported.getStatus().getMessage()).startsWith("plan Job: no pod ")
        .contains("the API server refused to create it")
        .contains("`kubectl describe job kiki-campaigns-plan-1 -n " + scenario.namespace() + "` shows the refusal");
    assertThat(scenario.eventTexts()).as("what kubectl describe job shows")
        .anySatisfy(e -> assertThat(e).startsWith("FailedCreate").contains("serviceaccount \"kiki-migrations-typo\" not found"));
    assertThat(scenario.databaseRevisions()).as("nothing ran").isEmpty();
  }
}
