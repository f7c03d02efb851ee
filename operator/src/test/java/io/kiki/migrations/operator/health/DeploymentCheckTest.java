package io.kiki.migrations.operator.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

class DeploymentCheckTest {

  static Deployment deployment(
      long generation, long observed, int updated, int available, String availableStatus) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("kiki-api")
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observed)
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(available)
        .addNewCondition()
        .withType("Available")
        .withStatus(availableStatus)
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void passesOnlyWhenTheLatestGenerationIsRolledOutAndAvailable() {
    assertThat(DeploymentCheck.evaluate("api", deployment(2, 2, 2, 2, "True")).passed()).isTrue();
    assertThat(DeploymentCheck.evaluate("api", deployment(3, 2, 2, 2, "True")).message())
        .contains("latest generation");
    assertThat(DeploymentCheck.evaluate("api", deployment(2, 2, 1, 2, "True")).message())
        .contains("1/2 updated");
    assertThat(DeploymentCheck.evaluate("api", deployment(2, 2, 2, 2, "False")).message())
        .contains("not Available");
  }
}
