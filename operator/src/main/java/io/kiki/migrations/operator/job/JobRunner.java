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
import io.kiki.migrations.operator.stage.Messages;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a stage's Job: finds it (informer cache, then the API) or creates it, and reads its outcome
 * from the Job's conditions and the pod's termination message. Creating is idempotent: the name is
 * deterministic and AlreadyExists means a previous reconcile (or operator) created it.
 */
public class JobRunner {
  /** The informer cache of the operator's Jobs. */
  public interface JobCache {
    Optional<Job> get(String namespace, String name);
  }

  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
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

  public JobOutcome run(
      DatabaseMigration owner, JobRequest request, String startedReason, Instant now) {
    return run(owner, request, startedReason, now, null, uid -> {});
  }

  /**
   * Finds or creates the Job. {@code recordedUid} is the UID the status recorded for this Job, if
   * any: a Job that was seen once and is gone now is {@link JobOutcome.Lost}, never created again.
   * {@code seen} receives the UID of the Job once it exists, for the status.
   */
  public JobOutcome run(
      DatabaseMigration owner,
      JobRequest request,
      String startedReason,
      Instant now,
      String recordedUid,
      Consumer<String> seen) {
    String namespace = owner.getMetadata().getNamespace();
    Job job =
        cache
            .get(namespace, request.name())
            .orElseGet(
                () ->
                    client
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(namespace)
                        .withName(request.name())
                        .get());
    if (job == null && recordedUid != null) {
      return new JobOutcome.Lost(
          request.stage().name().toLowerCase(Locale.ROOT)
              + " Job "
              + request.name()
              + " (uid "
              + recordedUid
              + ") was deleted before the operator read its result (by a person, a ttlSecondsAfterFinished "
              + "or a GitOps prune); it is not created again");
    }
    if (job == null) {
      Job created = create(owner, request, startedReason);
      if (created != null && created.getMetadata().getUid() != null) {
        seen.accept(created.getMetadata().getUid());
      }
      return new JobOutcome.Running();
    }
    if (!controlledBy(job, owner)) {
      return notOurs(owner, job);
    }
    seen.accept(job.getMetadata().getUid());
    return outcome(job, now);
  }

  /**
   * The Job's controller is this very resource (same UID), not an earlier resource of the same
   * name.
   */
  static boolean controlledBy(Job job, DatabaseMigration owner) {
    return controller(job)
        .map(ref -> Objects.equals(ref.getUid(), owner.getMetadata().getUid()))
        .orElse(false);
  }

  private static Optional<OwnerReference> controller(HasMetadata resource) {
    List<OwnerReference> refs = resource.getMetadata().getOwnerReferences();
    return refs == null
        ? Optional.empty()
        : refs.stream().filter(ref -> Boolean.TRUE.equals(ref.getController())).findFirst();
  }

  /**
   * A Job with this stage's name that this resource does not control. Rollout ids restart at
   * generation 1 when a resource is deleted and recreated, so the Job of a deleted predecessor (no
   * garbage collector, or GC lag) has the same name: its result is about another rollout and must
   * never be trusted, and the operator may not delete it (it has no delete permission on Jobs).
   * Garbage collection removes it; the stage runs under a new name. A Job that no DatabaseMigration
   * of this name controls is somebody else's: the stage fails without touching it.
   */
  private JobOutcome notOurs(DatabaseMigration owner, Job job) {
    Optional<OwnerReference> controller = controller(job);
    boolean predecessor =
        controller.isPresent()
            && DatabaseMigration.class.getSimpleName().equals(controller.get().getKind())
            && owner.getMetadata().getName().equals(controller.get().getName());
    if (!predecessor) {
      return new JobOutcome.Failed(
          Optional.empty(),
          "a Job named "
              + name(job)
              + " exists that this DatabaseMigration "
              + "does not own; nothing was run. Delete or rename that Job");
    }
    return new JobOutcome.NameTaken(
        "Job "
            + name(job)
            + " belongs to an earlier DatabaseMigration "
            + owner.getMetadata().getName()
            + " (uid "
            + controller.get().getUid()
            + "), left to garbage collection and "
            + "not trusted");
  }

  /**
   * The created Job, or null when it already existed (a previous reconcile or operator created it).
   */
  private Job create(DatabaseMigration owner, JobRequest request, String startedReason) {
    Job job = JobFactory.build(owner, request);
    try {
      Job created =
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(owner.getMetadata().getNamespace())
              .resource(job)
              .create();
      String stage = request.stage().name().toLowerCase(Locale.ROOT);
      events.record(
          owner,
          startedReason,
          stage
              + " Job "
              + request.name()
              + " started: kiki-migrate "
              + String.join(" ", request.args())
              + " (image "
              + request.image()
              + ")");
      return created;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.debug("Job {} already exists", request.name());
      return null;
    }
  }

  JobOutcome outcome(Job job, Instant now) {
    JobState state = JobState.of(job);
    if (state.kind() == JobState.Kind.RUNNING) {
      List<Pod> pods = pods(job);
      // kiki-migrate has exited, but the pod runs on (a sidecar such as Istio's proxy): its own
      // result is the answer.
      Optional<RunnerResult> finished = newestResult(pods);
      if (finished.isPresent()) {
        return finished.get().ok()
            ? new JobOutcome.Succeeded(finished.get())
            : new JobOutcome.Failed(
                finished, "Job " + name(job) + ": kiki-migrate exited with a failure");
      }
      return PodTrouble.of(job, pods, now, resultGracePeriod).orElseGet(JobOutcome.Running::new);
    }
    Optional<RunnerResult> result = result(job);
    if (state.kind() == JobState.Kind.SUCCEEDED) {
      if (result.isPresent()) {
        return result.get().ok()
            ? new JobOutcome.Succeeded(result.get())
            : new JobOutcome.Failed(
                result, "Job " + name(job) + " completed but the runner reported a failure");
      }
      Instant finished =
          Optional.ofNullable(job.getStatus().getCompletionTime()).map(Instant::parse).orElse(now);
      if (Duration.between(finished, now).compareTo(resultGracePeriod) < 0) {
        return new JobOutcome.Running();
      }
      return new JobOutcome.Failed(
          Optional.empty(),
          "Job "
              + name(job)
              + " completed but its pod left no kiki-migrate "
              + "result in the termination message; check the pod's logs");
    }
    List<Pod> pods = result.isPresent() ? List.of() : pods(job);
    Optional<String> trouble =
        pods.isEmpty()
            ? Optional.empty()
            : PodTrouble.of(job, pods, now, resultGracePeriod).map(JobOutcome.Running::message);
    return new JobOutcome.Failed(result.filter(r -> !r.ok()), failedMessage(job, state, trouble));
  }

  /**
   * Why the Job failed, in its own words (reason, message, and the deadline when that was it), and
   * the pod trouble still visible when kiki-migrate never ran (ErrImagePull ...): the cause, not
   * only "Job X failed".
   */
  static String failedMessage(Job job, JobState state, Optional<String> podTrouble) {
    Long deadline = job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds();
    String reason =
        state.reason() == null
            ? ""
            : " ("
                + state.reason()
                + ("DeadlineExceeded".equals(state.reason()) && deadline != null
                    ? ", activeDeadlineSeconds " + deadline
                    : "")
                + ")";
    String prefix = "Job " + name(job) + ": ";
    return "Job "
        + name(job)
        + " failed"
        + reason
        + (state.message() == null ? "" : ": " + Messages.clause(state.message()))
        + podTrouble
            .map(
                t ->
                    "; its pod never started: "
                        + (t.startsWith(prefix) ? t.substring(prefix.length()) : t))
            .orElse("");
  }

  /**
   * The runner's result from the newest pod of the Job that has a terminated kiki-migrate
   * container.
   */
  Optional<RunnerResult> result(Job job) {
    return newestResult(pods(job));
  }

  /**
   * The log of the {@code kiki-migrate} container of the newest finished pod of the Job {@code
   * name}, at most {@code limitBytes} (the API's {@code pods/log}); empty when the Job or such a
   * pod is gone. API failures (no kubelet behind the API, no permission) are thrown.
   */
  public Optional<String> finishedPodLog(String namespace, String name, int limitBytes) {
    Job job =
        cache
            .get(namespace, name)
            .orElseGet(
                () -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get());
    if (job == null) {
      return Optional.empty();
    }
    return pods(job).stream()
        .filter(p -> terminationMessage(p).isPresent())
        .max(
            Comparator.comparing(
                (Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), "")))
        .map(
            pod ->
                client
                    .pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .inContainer(JobFactory.CONTAINER)
                    .limitBytes(limitBytes)
                    .getLog());
  }

  /** The Job's own pods (not those of an earlier Job of the same name). */
  private List<Pod> pods(Job job) {
    return client
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .withLabel(Labels.JOB_NAME, name(job))
        .list()
        .getItems()
        .stream()
        .filter(p -> ownedByJob(p, job))
        .toList();
  }

  private static Optional<RunnerResult> newestResult(List<Pod> pods) {
    return pods.stream()
        .sorted(
            Comparator.comparing(
                    (Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""))
                .reversed())
        .map(JobRunner::terminationMessage)
        .flatMap(Optional::stream)
        .map(RunnerResult::parse)
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** A pod another Job of the same name left behind (no GC) does not speak for this Job. */
  private static boolean ownedByJob(Pod pod, Job job) {
    Optional<OwnerReference> controller = controller(pod);
    String uidLabel =
        pod.getMetadata().getLabels() == null
            ? null
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
      ContainerStateTerminated terminated =
          status.getState() == null ? null : status.getState().getTerminated();
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

  /**
   * The state of a Job from its conditions (Complete/Failed) or, before they are set, its counters.
   */
  public record JobState(Kind kind, String reason, String message) {
    public enum Kind {
      RUNNING,
      SUCCEEDED,
      FAILED
    }

    public static JobState of(Job job) {
      if (job.getStatus() == null) {
        return new JobState(Kind.RUNNING, null, null);
      }
      boolean failing = false;
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
          failing |= "FailureTarget".equals(condition.getType());
        }
      }
      if (failing) {
        // Kubernetes 1.31+: the Job will fail and its pods are being stopped (and counted in
        // status.failed); the
        // Failed condition, with the reason (DeadlineExceeded ...), follows once they are gone.
        return new JobState(Kind.RUNNING, null, null);
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
