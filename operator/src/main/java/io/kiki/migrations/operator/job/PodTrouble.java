package io.kiki.migrations.operator.job;

import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a running Job's pod does not get going, in Kubernetes' own words: a container waiting reason
 * (ErrImagePull, ImagePullBackOff, CreateContainerConfigError, ...), Unschedulable, or FailedCreate
 * when the Job controller made no pod at all (a quota, an admission policy, Pod Security). Read
 * within one reconcile, so status and an event say it long before the Job's deadline.
 */
final class PodTrouble {
  /**
   * Waiting reasons that mean the container is not running yet for a reason a person has to fix.
   */
  static final Set<String> WAITING_TROUBLE =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "ErrImageNeverPull",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  /**
   * Reasons that cannot resolve by themselves: the pod spec is immutable, so this pod can never
   * start.
   */
  static final Set<String> UNRESOLVABLE = Set.of("InvalidImageName", "ErrImageNeverPull");

  private PodTrouble() {}

  static Optional<JobOutcome.Running> of(
      Job job, List<Pod> pods, Instant now, Duration noPodGrace) {
    String jobName = job.getMetadata().getName();
    for (Pod pod : pods) {
      String podName = pod.getMetadata().getName();
      List<ContainerStatus> statuses = new ArrayList<>();
      if (pod.getStatus() != null && pod.getStatus().getInitContainerStatuses() != null) {
        statuses.addAll(pod.getStatus().getInitContainerStatuses());
      }
      if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
        statuses.addAll(pod.getStatus().getContainerStatuses());
      }
      for (ContainerStatus status : statuses) {
        ContainerStateWaiting waiting =
            status.getState() == null ? null : status.getState().getWaiting();
        if (waiting != null && WAITING_TROUBLE.contains(waiting.getReason())) {
          return Optional.of(
              new JobOutcome.Running(
                  waiting.getReason(),
                  "Job "
                      + jobName
                      + ": pod "
                      + podName
                      + " container "
                      + status.getName()
                      + " is waiting: "
                      + waiting.getReason()
                      + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()),
                  UNRESOLVABLE.contains(waiting.getReason())));
        }
      }
      List<PodCondition> conditions =
          pod.getStatus() == null || pod.getStatus().getConditions() == null
              ? List.of()
              : pod.getStatus().getConditions();
      for (PodCondition condition : conditions) {
        if ("PodScheduled".equals(condition.getType())
            && "False".equals(condition.getStatus())
            && condition.getReason() != null) {
          return Optional.of(
              new JobOutcome.Running(
                  condition.getReason(),
                  "Job "
                      + jobName
                      + ": pod "
                      + podName
                      + " cannot be scheduled: "
                      + condition.getReason()
                      + (condition.getMessage() == null ? "" : ": " + condition.getMessage()),
                  false));
        }
      }
    }
    if (pods.isEmpty() && job.getMetadata().getCreationTimestamp() != null) {
      Duration age = Duration.between(Instant.parse(job.getMetadata().getCreationTimestamp()), now);
      if (age.compareTo(noPodGrace) > 0) {
        return Optional.of(
            new JobOutcome.Running(
                "FailedCreate",
                "Job "
                    + jobName
                    + " has no pod after "
                    + age.toSeconds()
                    + "s: the Job controller could not create it (a ResourceQuota, an admission policy or Pod "
                    + "Security may refuse it); `kubectl describe job "
                    + jobName
                    + " -n "
                    + job.getMetadata().getNamespace()
                    + "` shows why",
                false));
      }
    }
    return Optional.empty();
  }
}
