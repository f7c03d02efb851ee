package io.kiki.migrations.operator.job;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.operator.event.EventRecorder;
import io.kiki.migrations.operator.job.JobFactory.JobRequest;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a stage's Job: finds it (informer cache, then the API) or creates it, and reads its outcome from the Job's
 * conditions and the pod's termination message. Creating is idempotent: the name is deterministic and
 * AlreadyExists means a previous reconcile (or operator) created it.
 */
public class JobRunner {
  /** The informer cache of the operator's Jobs. */
  public interface JobCache {
    Optional<Job> get(String namespace, String name);
  }

  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  /** Container waiting reasons of the kubelet that need a fix (image, Secret, config), not patience. */
  static final Set<String> CANNOT_START = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
      "CreateContainerConfigError", "CreateContainerError", "RunContainerError");
  /** The Job controller creates a pod within a second or two; this long without one, it was refused. */
  static final Duration NO_POD_AFTER = Duration.ofSeconds(20);
  private final KubernetesClient client;
  private final EventRecorder events;
  private final Duration resultGracePeriod;
  private volatile JobCache cache = (namespace, name) -> Optional.empty();

  public JobRunner(KubernetesClient client, EventRecorder events, Duration resultGracePeriod) {
    this.client = client;
    this.events = events;
    this.resultGracePeriod = resultGracePeriod;
  }

  public void useCache(JobCache cache) {
    this.cache = cache;
  }

  public JobOutcome run(DatabaseMigration owner, JobRequest request, String startedReason, Instant now) {
    String namespace = owner.getMetadata().getNamespace();
    Job job = cache.get(namespace, request.name())
        .orElseGet(() -> client.batch().v1().jobs().inNamespace(namespace).withName(request.name()).get());
    if (job == null) {
      create(owner, request, startedReason);
      return new JobOutcome.Running();
    }
    if (!controlledBy(job, owner)) {
      return notOurs(owner, job);
    }
    return outcome(job, now);
  }

  /** The Job's controller is this very resource (same UID), not an earlier resource of the same name. */
  static boolean controlledBy(Job job, DatabaseMigration owner) {
    return controller(job).map(ref -> Objects.equals(ref.getUid(), owner.getMetadata().getUid())).orElse(false);
  }

  private static Optional<OwnerReference> controller(HasMetadata resource) {
    List<OwnerReference> refs = resource.getMetadata().getOwnerReferences();
    return refs == null ? Optional.empty()
        : refs.stream().filter(ref -> Boolean.TRUE.equals(ref.getController())).findFirst();
  }

  /**
   * A Job with this stage's name that this resource does not control. Rollout ids restart at generation 1 when a
   * resource is deleted and recreated, so the Job of a deleted predecessor (before garbage collection removed it)
   * has the same name: its result is about another rollout and must never be trusted. The stage waits until the
   * garbage collector has deleted it with its owner (the operator may not delete Jobs: its ClusterRole grants
   * none). A Job that no DatabaseMigration of this name controls is somebody else's: the stage fails without
   * touching it.
   */
  private JobOutcome notOurs(DatabaseMigration owner, Job job) {
    Optional<OwnerReference> controller = controller(job);
    boolean predecessor = controller.isPresent() && DatabaseMigration.class.getSimpleName().equals(controller.get().getKind())
        && owner.getMetadata().getName().equals(controller.get().getName());
    if (!predecessor) {
      return new JobOutcome.Failed(Optional.empty(), "a Job named " + name(job) + " exists that this DatabaseMigration "
          + "does not own; nothing was run. Delete or rename that Job");
    }
    LOG.info("Job {} belongs to an earlier DatabaseMigration {} (uid {}); waiting for garbage collection to delete it",
        name(job), owner.getMetadata().getName(), controller.get().getUid());
    return new JobOutcome.Running();
  }

  private void create(DatabaseMigration owner, JobRequest request, String startedReason) {
    Job job = JobFactory.build(owner, request);
    try {
      client.batch().v1().jobs().inNamespace(owner.getMetadata().getNamespace()).resource(job).create();
      String stage = request.stage().name().toLowerCase(Locale.ROOT);
      events.record(owner, startedReason, stage + " Job " + request.name() + " started: kiki-migrate "
          + String.join(" ", request.args()) + " (image " + request.image() + ")");
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.debug("Job {} already exists", request.name());
    }
  }

  JobOutcome outcome(Job job, Instant now) {
    JobState state = JobState.of(job);
    if (state.kind() == JobState.Kind.RUNNING) {
      return new JobOutcome.Running(podProblem(job, now).orElse(null));
    }
    Optional<RunnerResult> result = result(job);
    if (state.kind() == JobState.Kind.SUCCEEDED) {
      if (result.isPresent()) {
        return result.get().ok() ? new JobOutcome.Succeeded(result.get())
            : new JobOutcome.Failed(result, "Job " + name(job) + " completed but the runner reported a failure");
      }
      Instant finished = Optional.ofNullable(job.getStatus().getCompletionTime()).map(Instant::parse).orElse(now);
      if (Duration.between(finished, now).compareTo(resultGracePeriod) < 0) {
        return new JobOutcome.Running();
      }
      return new JobOutcome.Failed(Optional.empty(), "Job " + name(job) + " completed but its pod left no kiki-migrate "
          + "result in the termination message; check the pod's logs");
    }
    return new JobOutcome.Failed(result.filter(r -> !r.ok()), "Job " + name(job) + " failed"
        + (state.reason() == null ? "" : " (" + state.reason() + ")")
        + (state.message() == null ? "" : ": " + state.message()));
  }

  /** The runner's result from the newest pod of the Job that has a terminated kiki-migrate container. */
  Optional<RunnerResult> result(Job job) {
    List<Pod> pods = client.pods().inNamespace(job.getMetadata().getNamespace())
        .withLabel(Labels.JOB_NAME, name(job)).list().getItems();
    return pods.stream()
        .filter(p -> ownedByJob(p, job))
        .sorted(Comparator.comparing((Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), "")).reversed())
        .map(JobRunner::terminationMessage)
        .flatMap(Optional::stream)
        .map(RunnerResult::parse)
        .flatMap(Optional::stream)
        .findFirst();
  }

  /**
   * Why the Job's pod cannot start: the kiki-migrate container waiting for a reason that does not go away by itself
   * (image, config), as the kubelet reports it; the pod unschedulable; or no pod at all {@link #NO_POD_AFTER} after
   * the Job was created (the API server refused to create it: the Job controller only records that in an Event).
   * Empty while it starts or runs normally.
   */
  Optional<String> podProblem(Job job, Instant now) {
    List<Pod> pods = client.pods().inNamespace(job.getMetadata().getNamespace())
        .withLabel(Labels.JOB_NAME, name(job)).list().getItems().stream().filter(p -> ownedByJob(p, job)).toList();
    String created = job.getMetadata().getCreationTimestamp();
    if (pods.isEmpty() && created != null && Duration.between(Instant.parse(created), now).compareTo(NO_POD_AFTER) > 0) {
      return Optional.of("no pod " + Duration.between(Instant.parse(created), now).toSeconds() + "s after the Job was created: "
          + "the API server refused to create it (Pod Security admission, a missing ServiceAccount or another admission "
          + "policy); `kubectl describe job " + name(job) + " -n " + job.getMetadata().getNamespace() + "` shows the refusal");
    }
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String podName = pod.getMetadata().getName();
      if (pod.getStatus().getConditions() != null) {
        for (var condition : pod.getStatus().getConditions()) {
          if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())) {
            return Optional.of("pod " + podName + " cannot be scheduled: " + condition.getReason() + ": " + condition.getMessage());
          }
        }
      }
      if (pod.getStatus().getContainerStatuses() != null) {
        for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
          var waiting = status.getState() == null ? null : status.getState().getWaiting();
          if (JobFactory.CONTAINER.equals(status.getName()) && waiting != null && CANNOT_START.contains(waiting.getReason())) {
            return Optional.of("pod " + podName + " cannot start: " + waiting.getReason()
                + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** A pod another Job of the same name left behind (no GC) does not speak for this Job. */
  private static boolean ownedByJob(Pod pod, Job job) {
    Optional<OwnerReference> controller = controller(pod);
    String uidLabel = pod.getMetadata().getLabels() == null ? null
        : pod.getMetadata().getLabels().get("batch.kubernetes.io/controller-uid");
    String jobUid = job.getMetadata().getUid();
    if (controller.isPresent()) {
      return Objects.equals(controller.get().getUid(), jobUid);
    }
    return uidLabel == null || Objects.equals(uidLabel, jobUid);
  }

  static Optional<String> terminationMessage(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
      if (!JobFactory.CONTAINER.equals(status.getName())) {
        continue;
      }
      ContainerStateTerminated terminated = status.getState() == null ? null : status.getState().getTerminated();
      if (terminated == null && status.getLastState() != null) {
        terminated = status.getLastState().getTerminated();
      }
      if (terminated != null && terminated.getMessage() != null) {
        return Optional.of(terminated.getMessage());
      }
    }
    return Optional.empty();
  }

  private static String name(Job job) {
    return job.getMetadata().getName();
  }

  /** The state of a Job from its conditions (Complete/Failed) or, before they are set, its counters. */
  public record JobState(Kind kind, String reason, String message) {
    public enum Kind { RUNNING, SUCCEEDED, FAILED }

    public static JobState of(Job job) {
      if (job.getStatus() == null) {
        return new JobState(Kind.RUNNING, null, null);
      }
      if (job.getStatus().getConditions() != null) {
        for (JobCondition condition : job.getStatus().getConditions()) {
          if (!"True".equals(condition.getStatus())) {
            continue;
          }
          if ("Complete".equals(condition.getType())) {
            return new JobState(Kind.SUCCEEDED, condition.getReason(), condition.getMessage());
          }
          if ("Failed".equals(condition.getType())) {
            return new JobState(Kind.FAILED, condition.getReason(), condition.getMessage());
          }
        }
      }
      if (job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0) {
        return new JobState(Kind.SUCCEEDED, null, null);
      }
      if (job.getStatus().getFailed() != null && job.getStatus().getFailed() > 0) {
        return new JobState(Kind.FAILED, null, null);
      }
      return new JobState(Kind.RUNNING, null, null);
    }
  }
}
