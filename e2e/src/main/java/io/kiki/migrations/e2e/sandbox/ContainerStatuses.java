package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a kubelet reports about a container that runs as a local process: the pod status for
 * waiting, running and terminated (with the termination message), and how the process is stopped.
 * Shared by the sandbox kubelet and the local cluster's node agent.
 */
public final class ContainerStatuses {

  public static final int MESSAGE_LIMIT_BYTES = 4096;
  public static final int FALLBACK_LOG_LINES = 80;
  public static final int FALLBACK_LOG_BYTES = 2048;
  public static final Duration KILL_GRACE = Duration.ofSeconds(5);

  private ContainerStatuses() {}

  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * What the kubelet puts into {@code terminated.message}: the termination-message file (capped at
   * 4096 bytes); with {@code FallbackToLogsOnError}, when that is empty and the container failed,
   * the last 80 log lines (at most 2048 bytes).
   */
  public static String terminationMessage(ContainerLaunch launch, int exitCode, String policy)
      throws IOException {
    String message =
        Files.exists(launch.resultFile())
            ? tailBytes(
                Files.readString(launch.resultFile(), StandardCharsets.UTF_8),
                MESSAGE_LIMIT_BYTES,
                false)
            : "";
    if (message.isBlank()
        && exitCode != 0
        && "FallbackToLogsOnError".equals(policy)
        && Files.exists(launch.logFile())) {
      List<String> lines = Files.readAllLines(launch.logFile(), StandardCharsets.UTF_8);
      String tail =
          String.join(
              "\n", lines.subList(Math.max(0, lines.size() - FALLBACK_LOG_LINES), lines.size()));
      message = tailBytes(tail, FALLBACK_LOG_BYTES, true);
    }
    return message;
  }

  private static String tailBytes(String text, int limit, boolean keepEnd) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= limit) {
      return text;
    }
    return keepEnd
        ? new String(bytes, bytes.length - limit, limit, StandardCharsets.UTF_8)
        : new String(bytes, 0, limit, StandardCharsets.UTF_8);
  }

  public static PodStatus waiting(String container, String image, String reason, String message) {
    return new PodStatusBuilder()
        .withPhase("Pending")
        .withHostIP("127.0.0.1")
        .withConditions(
            new PodConditionBuilder()
                .withType("PodScheduled")
                .withStatus("Unschedulable".equals(reason) ? "False" : "True")
                .withReason("Unschedulable".equals(reason) ? reason : null)
                .withMessage("Unschedulable".equals(reason) ? message : null)
                .withLastTransitionTime(ContainerStatuses.now())
                .build())
        .withContainerStatuses(
            "Unschedulable".equals(reason)
                ? List.of()
                : List.of(
                    containerStatus(container, image, false)
                        .withState(
                            new ContainerStateBuilder()
                                .withNewWaiting()
                                .withReason(reason)
                                .withMessage(message)
                                .endWaiting()
                                .build())
                        .build()))
        .build();
  }

  public static PodStatus running(String container, String image, String startedAt, long pid) {
    return running(container, image, startedAt, "sandbox://" + pid);
  }

  /** Running, with the runtime's container ID (e.g. {@code podman://<64 hex digits>}). */
  public static PodStatus running(
      String container, String image, String startedAt, String containerId) {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withHostIP("127.0.0.1")
        .withPodIP("127.0.0.1")
        .withStartTime(startedAt)
        .withConditions(
            new PodConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withLastTransitionTime(startedAt)
                .build())
        .withContainerStatuses(
            containerStatus(container, image, true)
                .withContainerID(containerId)
                .withState(
                    new ContainerStateBuilder()
                        .withNewRunning()
                        .withStartedAt(startedAt)
                        .endRunning()
                        .build())
                .build())
        .build();
  }

  public static PodStatus terminated(
      String container,
      String image,
      int exitCode,
      String reason,
      String message,
      String startedAt,
      String finishedAt,
      String phase) {
    return terminated(
        container, image, exitCode, reason, message, startedAt, finishedAt, phase, null);
  }

  /** Terminated, with the runtime's container ID (null when there was no container). */
  public static PodStatus terminated(
      String container,
      String image,
      int exitCode,
      String reason,
      String message,
      String startedAt,
      String finishedAt,
      String phase,
      String containerId) {
    ContainerStatus status =
        containerStatus(container, image, false)
            .withContainerID(containerId)
            .withState(
                new ContainerStateBuilder()
                    .withNewTerminated()
                    .withContainerID(containerId)
                    .withExitCode(exitCode)
                    .withReason(reason)
                    .withMessage(message == null || message.isEmpty() ? null : message)
                    .withStartedAt(startedAt)
                    .withFinishedAt(finishedAt)
                    .endTerminated()
                    .build())
            .build();
    return new PodStatusBuilder()
        .withPhase(phase)
        .withHostIP("127.0.0.1")
        .withPodIP("127.0.0.1")
        .withStartTime(startedAt)
        .withConditions(
            new PodConditionBuilder()
                .withType("Ready")
                .withStatus("False")
                .withReason("PodCompleted")
                .withLastTransitionTime(finishedAt)
                .build())
        .withContainerStatuses(status)
        .build();
  }

  private static ContainerStatusBuilder containerStatus(
      String container, String image, boolean ready) {
    return new ContainerStatusBuilder()
        .withName(container)
        .withImage(image)
        .withImageID("sandbox://" + image)
        .withReady(ready)
        .withStarted(ready)
        .withRestartCount(0);
  }

  /**
   * SIGTERM to the container's main process first (a shell must not get to run its next command
   * when its child dies), then to what it started; SIGKILL to all of them after the grace period.
   */
  public static void kill(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!p.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
