package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.ContainerImages;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.local.NodeAgent;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.OperatorEndpoints;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Container mode: the operator is the install's Deployment, its pod running the operator image
 * (built from this checkout's jar) under the Deployment's securityContext, with its ServiceAccount
 * token mounted by the node agent as a kubelet would and KUBERNETES_SERVICE_HOST/PORT naming the
 * API server. It reaches /readyz 200 and brings a fresh database to head; the rollout's Jobs ran
 * from the migrations image. Scaled to zero, its pod goes and its container is stopped and removed;
 * scaled back, a new pod is ready.
 */
@ExtendWith(ScenarioExtension.class)
class OperatorDeploymentRunsTheRolloutInContainersE2E {

  @Test
  void operatorPodFromItsImageCompletesTheRollout(Scenario scenario) throws Exception {
    assumeThat(scenario.cluster())
        .as("runs on the local cluster in container mode (-Dkiki.e2e.nodeAgent=container)")
        .isInstanceOfSatisfying(
            LocalCluster.class,
            c -> assumeThat(c.nodeAgentMode()).isEqualTo(NodeAgent.Mode.CONTAINER));
    LocalCluster cluster = (LocalCluster) scenario.cluster();

    List<Pod> pods = cluster.operatorPods();
    assertThat(pods)
        .as("the Deployment's one pod")
        .singleElement()
        .satisfies(
            pod -> {
              assertThat(pod.getSpec().getNodeName()).isEqualTo(NodeAgent.NODE_NAME);
              assertThat(pod.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(o -> assertThat(o.getKind()).isEqualTo("ReplicaSet"));
              assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
              assertThat(pod.getSpec().getVolumes())
                  .as("the ServiceAccount admission plugin's token volume")
                  .anySatisfy(v -> assertThat(v.getProjected()).isNotNull());
            });
    ContainerStatus status = pods.get(0).getStatus().getContainerStatuses().get(0);
    assertThat(status.getImage()).isEqualTo(ContainerImages.OPERATOR_IMAGE);
    assertThat(status.getContainerID()).startsWith("podman://");

    // The process in the container: the Deployment's user and group, no capabilities, no privilege
    // escalation.
    Map<String, String> process =
        processStatus(status.getContainerID().substring("podman://".length()));
    assertThat(process.get("Uid").split("\\s+")).containsOnly("65532");
    assertThat(process.get("Gid").split("\\s+")).containsOnly("65532");
    assertThat(process.get("CapEff")).isEqualTo("0000000000000000");
    assertThat(process.get("CapBnd")).isEqualTo("0000000000000000");
    assertThat(process.get("NoNewPrivs")).isEqualTo("1");

    OperatorEndpoints endpoints = OperatorEndpoints.of(cluster);
    assertThat(endpoints.get("/readyz").statusCode()).isEqualTo(200);
    assertThat(endpoints.get("/healthz").statusCode()).isEqualTo(200);

    scenario.apply("database.yaml");
    scenario.apply("fresh-database-to-head.yaml");
    DatabaseMigration dbm = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(dbm.getStatus().getPhase()).as(dbm.getStatus().getMessage()).isEqualTo(Phase.Ready);
    assertThat(dbm.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.HEAD);
    assertThat(dbm.getStatus().getLastBackup().getSizeBytes()).isPositive();
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);

    List<Pod> jobPods =
        scenario.client().pods().inNamespace(scenario.namespace()).list().getItems();
    assertThat(jobPods)
        .as("the rollout's Job pods")
        .hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(
            pod -> {
              ContainerStatus s = pod.getStatus().getContainerStatuses().get(0);
              assertThat(s.getImage()).isEqualTo(TestCluster.KIKI_IMAGE);
              assertThat(s.getContainerID()).startsWith("podman://");
              assertThat(s.getState().getTerminated().getExitCode()).isZero();
              assertThat(s.getState().getTerminated().getMessage())
                  .as("the runner's result, read from its termination message")
                  .startsWith("{");
            });

    Deployment deployment =
        cluster
            .client()
            .apps()
            .deployments()
            .inNamespace(LocalCluster.OPERATOR_NAMESPACE)
            .withName(LocalCluster.OPERATOR_DEPLOYMENT)
            .get();
    assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(1);

    // Scaled to zero: the pod is deleted, and the node agent stops and removes its container (by
    // ID) as a kubelet would
    String containerId = status.getContainerID().substring("podman://".length());
    cluster.stopOperator();
    assertThat(cluster.operatorPods()).isEmpty();
    assertThat(podman("container", "exists", containerId))
        .as("the deleted pod's container")
        .isEqualTo(1);
    cluster.startOperator();
    org.awaitility.Awaitility.await("a new operator pod running")
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(cluster.operatorPods())
                    .singleElement()
                    .satisfies(
                        pod -> {
                          assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
                          assertThat(pod.getStatus().getContainerStatuses().get(0).getContainerID())
                              .startsWith("podman://")
                              .isNotEqualTo(status.getContainerID());
                        }));
    assertThat(endpoints.get("/readyz").statusCode()).isEqualTo(200);
  }

  private static int podman(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("podman", "--runtime", "runc"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    return p.waitFor();
  }

  /** /proc/PID/status of the container's main process, as fields. */
  private static Map<String, String> processStatus(String containerId)
      throws IOException, InterruptedException {
    Process inspect =
        new ProcessBuilder(
                "podman", "--runtime", "runc", "inspect", "--format", "{{.State.Pid}}", containerId)
            .redirectErrorStream(true)
            .start();
    String pid =
        new String(inspect.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(inspect.waitFor()).as("podman inspect: " + pid).isZero();
    return Files.readAllLines(Path.of("/proc", pid, "status")).stream()
        .filter(l -> l.contains(":"))
        .collect(
            Collectors.toMap(
                l -> l.substring(0, l.indexOf(':')),
                l -> l.substring(l.indexOf(':') + 1).strip(),
                (a, b) -> a));
  }
}
