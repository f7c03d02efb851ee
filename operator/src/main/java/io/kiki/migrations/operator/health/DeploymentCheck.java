package io.kiki.migrations.operator.health;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;

/** A Deployment passes when its newest generation is fully rolled out and Available. */
public final class DeploymentCheck {
  private DeploymentCheck() {}

  public static CheckResult run(
      String name, KubernetesClient client, String namespace, String deploymentName) {
    Deployment deployment =
        client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
    if (deployment == null) {
      return CheckResult.fail(
          name, "Deployment " + namespace + "/" + deploymentName + " not found");
    }
    return evaluate(name, deployment);
  }

  static CheckResult evaluate(String name, Deployment deployment) {
    DeploymentStatus status = deployment.getStatus();
    String id = deployment.getMetadata().getName();
    if (status == null) {
      return CheckResult.fail(name, "Deployment " + id + " has no status yet");
    }
    Long generation = deployment.getMetadata().getGeneration();
    if (generation != null
        && (status.getObservedGeneration() == null
            || status.getObservedGeneration() < generation)) {
      return CheckResult.fail(
          name, "Deployment " + id + " has not observed its latest generation yet");
    }
    int wanted =
        deployment.getSpec() == null || deployment.getSpec().getReplicas() == null
            ? 1
            : deployment.getSpec().getReplicas();
    int updated = Objects.requireNonNullElse(status.getUpdatedReplicas(), 0);
    int available = Objects.requireNonNullElse(status.getAvailableReplicas(), 0);
    boolean availableCondition =
        status.getConditions() != null
            && status.getConditions().stream()
                .anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
    if (updated < wanted || available < wanted || !availableCondition) {
      return CheckResult.fail(
          name,
          "Deployment "
              + id
              + ": "
              + updated
              + "/"
              + wanted
              + " updated, "
              + available
              + "/"
              + wanted
              + " available"
              + (availableCondition ? "" : ", not Available"));
    }
    return CheckResult.pass(name);
  }
}
