package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The plan Job's pod cannot pull its image: the status and an event say so in Kubernetes' words
 * long before the Job's 10 minute deadline, and the database is untouched.
 */
@ExtendWith(ScenarioExtension.class)
class JobThatCannotPullItsImageSaysSoE2E {

  @Test
  void imagePullErrorIsInStatusAndAnEventWithinSeconds(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("image-cannot-be-pulled.yaml");

    DatabaseMigration stuck =
        await("an image pull reason in the Reconciling condition")
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> scenario.get("kiki-campaigns"),
                d ->
                    reconciling(d) != null
                        && Set.of("ErrImagePull", "ImagePullBackOff")
                            .contains(reconciling(d).getReason()));

    assertThat(stuck.getStatus().getPhase()).isEqualTo(Phase.Planning);
    assertThat(stuck.getStatus().getMessage())
        .contains("kiki-campaigns-plan-1")
        .contains("no-such-migrations");
    assertThat(scenario.eventTexts())
        .anySatisfy(e -> assertThat(e).containsPattern("ErrImagePull|ImagePullBackOff"));
    assertThat(scenario.databaseRevisions()).as("nothing ran").isEmpty();
  }

  private static Condition reconciling(DatabaseMigration resource) {
    return resource == null
            || resource.getStatus() == null
            || resource.getStatus().getConditions() == null
        ? null
        : resource.getStatus().getConditions().stream()
            .filter(c -> "Reconciling".equals(c.getType()))
            .findFirst()
            .orElse(null);
  }
}
