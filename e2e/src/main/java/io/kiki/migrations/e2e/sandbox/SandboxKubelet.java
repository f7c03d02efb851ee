package io.kiki.migrations.e2e.sandbox;

import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.kill;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.running;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.terminated;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.terminationMessage;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.waiting;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's node: plays the Job controller and the kubelet against the (mock) API server.
 *
 * <p>For every new Job it creates a Pod (labels {@code batch.kubernetes.io/job-name}, {@code
 * job-name}, {@code controller-uid}, controller ownerRef to the Job), runs the container as a local
 * process (see {@link ContainerResolver}), writes {@code state.terminated} with the termination
 * message (the result file, or the log tail with {@code FallbackToLogsOnError}) and then the Job's
 * status as the Job controller does: {@code startTime}, {@code active}, {@code succeeded}/{@code
 * failed}, {@code completionTime} and the {@code SuccessCriteriaMet}+{@code Complete} or {@code
 * FailureTarget}+{@code Failed} conditions with reason {@code BackoffLimitExceeded} or {@code
 * DeadlineExceeded}. {@code activeDeadlineSeconds} kills the process and deletes the pod; {@code
 * backoffLimit} gives further pods. Deleting a Job kills its process and deletes its pods (what
 * garbage collection would do). Container logs stay in {@code <workDir>/pods/<ns>/<pod>/}.
 */
public final class SandboxKubelet implements AutoCloseable {

  public static final String NODE_NAME = "sandbox";
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration CONFIG_RETRY = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(SandboxKubelet.class);

  private final KubernetesClient client;
  private final ContainerResolver resolver;
  private final Path workDir;
  private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sandbox-kubelet");
            t.setDaemon(true);
            return t;
          });
  private SharedIndexInformer<Job> informer;
  private volatile boolean closed;

  /**
   * @param runner the {@code kiki-migrate} script used when the mapped project has no {@code
   *     bin/kiki-migrate} of its own ({@code <repo>/migrations-image/bin/kiki-migrate})
   */
  public SandboxKubelet(KubernetesClient client, ImageMappings images, Path runner, Path workDir) {
    this.client = client;
    this.workDir = workDir.toAbsolutePath();
    this.resolver = new ContainerResolver(client, images, runner, this.workDir);
  }

  public void start() {
    informer =
        client
            .batch()
            .v1()
            .jobs()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Job job) {
                    admit(job);
                  }

                  @Override
                  public void onUpdate(Job oldJob, Job job) {
                    admit(job);
                  }

                  @Override
                  public void onDelete(Job job, boolean deletedFinalStateUnknown) {
                    JobRun run = runs.get(job.getMetadata().getUid());
                    if (run != null) {
                      run.cancel();
                    }
                    executor.submit(
                        () ->
                            deletePods(
                                job.getMetadata().getNamespace(), job.getMetadata().getName()));
                  }
                },
                0);
  }

  /** Where a PersistentVolumeClaim's files live on this machine. */
  public Path pvcDirectory(String namespace, String claim) {
    return resolver.pvcDirectory(namespace, claim);
  }

  /** The container log of a pod ({@code kubectl logs}), stdout and stderr interleaved. */
  public Path podLog(String namespace, String pod, String container) {
    return podDirectory(namespace, pod).resolve(container + ".log");
  }

  /** Every container log written so far. */
  public List<Path> allPodLogs() throws IOException {
    Path pods = workDir.resolve("pods");
    if (!Files.isDirectory(pods)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(pods)) {
      return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
  }

  @Override
  public void close() {
    closed = true;
    if (informer != null) {
      informer.close();
    }
    runs.values().forEach(JobRun::cancel);
    executor.shutdownNow();
    try {
      executor.awaitTermination(ContainerStatuses.KILL_GRACE.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void admit(Job job) {
    if (closed || isFinished(job) || Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      return;
    }
    runs.computeIfAbsent(
        job.getMetadata().getUid(),
        uid -> {
          JobRun run =
              new JobRun(job.getMetadata().getNamespace(), job.getMetadata().getName(), uid);
          executor.submit(run);
          return run;
        });
  }

  private static boolean isFinished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }

  private Path podDirectory(String namespace, String pod) {
    return workDir.resolve("pods").resolve(namespace).resolve(pod);
  }

  private void deletePods(String namespace, String jobName) {
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withLabel("batch.kubernetes.io/job-name", jobName)
          .delete();
    } catch (KubernetesClientException e) {
      LOG.debug("deleting pods of job {}/{}: {}", namespace, jobName, e.getMessage());
    }
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private enum PodOutcome {
    SUCCEEDED,
    FAILED,
    DEADLINE_EXCEEDED,
    CANCELLED
  }

  /** One Job, from its first pod to its final condition. */
  private final class JobRun implements Runnable {
    private final String namespace;
    private final String name;
    private final String uid;
    private volatile boolean cancelled;
    private volatile Process process;

    JobRun(String namespace, String name, String uid) {
      this.namespace = namespace;
      this.name = name;
      this.uid = uid;
    }

    void cancel() {
      cancelled = true;
      Process p = process;
      if (p != null) {
        kill(p);
      }
    }

    @Override
    public void run() {
      try {
        execute();
      } catch (Exception e) {
        if (!cancelled && !closed) {
          LOG.error("sandbox kubelet: job {}/{} could not be run", namespace, name, e);
        }
      }
    }

    private void execute() throws Exception {
      Job job =
          editJobStatus(
              status -> {
                if (status.getStartTime() == null) {
                  status.setStartTime(now());
                }
                status.setActive(1);
                status.setReady(0);
                return status;
              });
      if (job == null) {
        return;
      }
      Long deadlineSeconds = job.getSpec().getActiveDeadlineSeconds();
      Instant deadline =
          deadlineSeconds == null
              ? null
              : Instant.parse(job.getStatus().getStartTime()).plusSeconds(deadlineSeconds);
      int backoffLimit =
          job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
      int failures = 0;
      while (true) {
        PodOutcome outcome = runPod(job, deadline);
        switch (outcome) {
          case CANCELLED -> {
            return;
          }
          case SUCCEEDED -> {
            finish(
                1,
                failures,
                List.of(
                    condition(
                        "SuccessCriteriaMet",
                        "CompletionsReached",
                        "Reached expected number of succeeded pods"),
                    condition(
                        "Complete",
                        "CompletionsReached",
                        "Reached expected number of succeeded pods")));
            return;
          }
          case DEADLINE_EXCEEDED -> {
            failures++;
            finish(
                0,
                failures,
                failedConditions(
                    "DeadlineExceeded", "Job was active longer than specified deadline"));
            return;
          }
          case FAILED -> {
            failures++;
            if (failures > backoffLimit) {
              finish(
                  0,
                  failures,
                  failedConditions(
                      "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
              return;
            }
            int failed = failures;
            editJobStatus(
                status -> {
                  status.setFailed(failed);
                  return status;
                });
            sleep(Duration.ofSeconds(1));
          }
          default -> throw new IllegalStateException(outcome.toString());
        }
      }
    }

    private PodOutcome runPod(Job job, Instant deadline) throws Exception {
      var template = job.getSpec().getTemplate();
      String podName = name + "-" + randomSuffix();
      Map<String, String> labels = new HashMap<>();
      if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
        labels.putAll(template.getMetadata().getLabels());
      }
      labels.put("batch.kubernetes.io/job-name", name);
      labels.put("job-name", name);
      labels.put("batch.kubernetes.io/controller-uid", uid);
      labels.put("controller-uid", uid);
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName(podName)
              .withNamespace(namespace)
              .withLabels(labels)
              .withAnnotations(
                  template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
              .withOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withApiVersion("batch/v1")
                      .withKind("Job")
                      .withName(name)
                      .withUid(uid)
                      .withController(true)
                      .withBlockOwnerDeletion(true)
                      .build())
              .endMetadata()
              .withSpec(new PodSpecBuilder(template.getSpec()).withNodeName(NODE_NAME).build())
              .build();
      pod = client.pods().inNamespace(namespace).resource(pod).create();
      var container = pod.getSpec().getContainers().get(0);
      Path podDir = podDirectory(namespace, podName);
      Files.createDirectories(podDir);
      if (pod.getSpec().getContainers().size() != 1) {
        setPodStatus(
            podName,
            waiting(
                container.getName(),
                container.getImage(),
                "CreateContainerConfigError",
                "sandbox: runs pods with exactly one container"));
        return awaitDeadline(podName, deadline);
      }

      ContainerLaunch launch;
      while (true) {
        if (cancelled) {
          return PodOutcome.CANCELLED;
        }
        if (deadline != null && Instant.now().isAfter(deadline)) {
          deletePod(podName);
          return PodOutcome.DEADLINE_EXCEEDED;
        }
        try {
          launch = resolver.resolve(pod, container, podDir);
          break;
        } catch (ContainerConfigException e) {
          setPodStatus(
              podName,
              waiting(container.getName(), container.getImage(), e.reason(), e.getMessage()));
          sleep(CONFIG_RETRY);
        }
      }

      String startedAt = now();
      ProcessBuilder builder =
          new ProcessBuilder(launch.commandLine())
              .directory(launch.workingDir().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()));
      builder.environment().clear();
      builder.environment().putAll(launch.environment());
      Process p;
      try {
        p = builder.start();
      } catch (IOException e) {
        // The runtime could not exec the command: the container never starts (exit code 128,
        // StartError).
        Files.writeString(launch.logFile(), e.getMessage() + "\n", StandardCharsets.UTF_8);
        setPodStatus(
            podName,
            terminated(
                container.getName(),
                container.getImage(),
                128,
                "StartError",
                e.getMessage(),
                startedAt,
                startedAt,
                "Failed"));
        return PodOutcome.FAILED;
      }
      process = p;
      setPodStatus(podName, running(container.getName(), container.getImage(), startedAt, p.pid()));
      while (!p.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
        if (cancelled) {
          kill(p);
          return PodOutcome.CANCELLED;
        }
        if (deadline != null && Instant.now().isAfter(deadline)) {
          kill(p);
          deletePod(podName);
          return PodOutcome.DEADLINE_EXCEEDED;
        }
      }
      process = null;
      if (cancelled) {
        return PodOutcome.CANCELLED;
      }
      int exitCode = p.exitValue();
      String message =
          terminationMessage(launch, exitCode, container.getTerminationMessagePolicy());
      setPodStatus(
          podName,
          terminated(
              container.getName(),
              container.getImage(),
              exitCode,
              exitCode == 0 ? "Completed" : "Error",
              message,
              startedAt,
              now(),
              exitCode == 0 ? "Succeeded" : "Failed"));
      return exitCode == 0 ? PodOutcome.SUCCEEDED : PodOutcome.FAILED;
    }

    private PodOutcome awaitDeadline(String podName, Instant deadline) {
      while (!cancelled && (deadline == null || Instant.now().isBefore(deadline))) {
        sleep(CONFIG_RETRY);
      }
      if (cancelled) {
        return PodOutcome.CANCELLED;
      }
      deletePod(podName);
      return PodOutcome.DEADLINE_EXCEEDED;
    }

    private void finish(int succeeded, int failed, List<JobCondition> conditions) {
      editJobStatus(
          status -> {
            status.setActive(null);
            status.setReady(0);
            status.setSucceeded(succeeded == 0 ? null : succeeded);
            status.setFailed(failed == 0 ? null : failed);
            if (succeeded > 0) {
              status.setCompletionTime(now());
            }
            List<JobCondition> all =
                new ArrayList<>(
                    status.getConditions() == null ? List.of() : status.getConditions());
            all.addAll(conditions);
            status.setConditions(all);
            return status;
          });
    }

    private List<JobCondition> failedConditions(String reason, String message) {
      return List.of(
          condition("FailureTarget", reason, message), condition("Failed", reason, message));
    }

    private JobCondition condition(String type, String reason, String message) {
      String time = now();
      return new JobConditionBuilder()
          .withType(type)
          .withStatus("True")
          .withReason(reason)
          .withMessage(message)
          .withLastProbeTime(time)
          .withLastTransitionTime(time)
          .build();
    }

    /**
     * Edits the Job's status subresource; returns null when the Job is gone. Retries on conflicts.
     */
    private Job editJobStatus(UnaryOperator<JobStatus> edit) {
      for (int attempt = 1; ; attempt++) {
        try {
          Job current = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
          if (current == null || !uid.equals(current.getMetadata().getUid())) {
            return null;
          }
          JobStatus status = current.getStatus() == null ? new JobStatus() : current.getStatus();
          current.setStatus(edit.apply(status));
          return client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= 10) {
            throw e;
          }
        }
      }
    }

    private void setPodStatus(String podName, PodStatus status) {
      for (int attempt = 1; ; attempt++) {
        try {
          Pod current = client.pods().inNamespace(namespace).withName(podName).get();
          if (current == null) {
            return;
          }
          current.setStatus(status);
          client.pods().inNamespace(namespace).resource(current).updateStatus();
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= 10) {
            throw e;
          }
        }
      }
    }

    private void deletePod(String podName) {
      try {
        client.pods().inNamespace(namespace).withName(podName).delete();
      } catch (KubernetesClientException e) {
        LOG.debug("deleting pod {}/{}: {}", namespace, podName, e.getMessage());
      }
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      s.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
