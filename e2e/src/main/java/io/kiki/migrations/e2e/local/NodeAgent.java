package io.kiki.migrations.e2e.local;

import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.kill;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.now;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.running;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.terminated;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.terminationMessage;
import static io.kiki.migrations.e2e.sandbox.ContainerStatuses.waiting;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kiki.migrations.e2e.sandbox.ContainerConfigException;
import io.kiki.migrations.e2e.sandbox.ContainerLaunch;
import io.kiki.migrations.e2e.sandbox.ContainerResolver;
import io.kiki.migrations.e2e.sandbox.ContainerStatuses;
import io.kiki.migrations.e2e.sandbox.ImageMappings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster's node: registers the Node {@value #NODE_NAME}, binds pending pods to it (there
 * is no scheduler), runs each pod's container as a local process as {@link ContainerResolver}
 * describes it (env from Secrets, volumes as directories, the termination message), and writes
 * <b>pod</b> status only: Pending with {@code waiting} while the container cannot be configured,
 * Running, then Succeeded or Failed with {@code state.terminated} (exit code, reason, message). The
 * real Job controller turns that into Job status. In container mode ({@link #inContainers}) it runs
 * the container from its image with podman and runc instead, under the pod's securityContext
 * ({@link PodmanPods}).
 *
 * <p>A pod that gets a {@code deletionTimestamp} (the Job controller at a deadline, garbage
 * collection of a deleted owner, a namespace going away) has its process stopped, is marked Failed
 * (exit code 137) unless it already finished, and is deleted with grace period 0, as the kubelet
 * does. In container mode its container is stopped by ID with the pod's grace period.
 */
public final class NodeAgent implements AutoCloseable {
  public static final String NODE_NAME = "kiki-node";
  private static final Duration CONFIG_RETRY = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

  private final KubernetesClient client;
  private final ContainerResolver resolver;
  private final Path workDir;
  private KubeletLogServer logServer;
  private final Map<String, PodRun> runs = new ConcurrentHashMap<>();
  private final Set<String> terminating = ConcurrentHashMap.newKeySet();
  private final Set<String> binding = ConcurrentHashMap.newKeySet();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "kiki-node-agent");
            t.setDaemon(true);
            return t;
          });
  private final Consumer<Process> started;

  /** The container runtime in container mode; null in process mode. */
  private final PodmanPods podman;

  private SharedIndexInformer<Pod> informer;
  private volatile boolean closed;

  /**
   * @param runner the {@code kiki-migrate} script used when the mapped project has no {@code
   *     bin/kiki-migrate} of its own
   * @param started told of every container process right after it started (to record its PID)
   */
  public NodeAgent(
      KubernetesClient client,
      ImageMappings images,
      Path runner,
      Path workDir,
      Consumer<Process> started) {
    this(client, images, runner, workDir, started, null);
  }

  private NodeAgent(
      KubernetesClient client,
      ImageMappings images,
      Path runner,
      Path workDir,
      Consumer<Process> started,
      ContainerRuntimeSettings containers) {
    this.client = client;
    this.started = started;
    this.workDir = workDir.toAbsolutePath();
    this.resolver = new ContainerResolver(client, images, runner, this.workDir);
    this.podman =
        containers == null
            ? null
            : new PodmanPods(
                client,
                resolver,
                containers.containersConf(),
                containers.apiServerHost(),
                containers.apiServerPort());
  }

  /**
   * How the agent runs a pod's container: as a host process (the image mapped to a project
   * directory) or from its image.
   */
  public enum Mode {
    PROCESS,
    CONTAINER;

    /** {@code -Dkiki.e2e.nodeAgent=process|container} (default process). */
    public static final String PROPERTY = "kiki.e2e.nodeAgent";

    public static Mode selected() {
      String value = System.getProperty(PROPERTY, "");
      return switch (value.isBlank()
          ? "process"
          : value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "process" -> PROCESS;
        case "container" -> CONTAINER;
        default ->
            throw new IllegalArgumentException(
                "-D" + PROPERTY + "=" + value + ": use process or container");
      };
    }
  }

  /**
   * Where podman finds its settings and where containers reach the API server (the kubelet's
   * KUBERNETES_SERVICE_*).
   */
  public record ContainerRuntimeSettings(
      Path containersConf, String apiServerHost, int apiServerPort) {}

  /**
   * A node agent in container mode: each pod's container runs from its image with podman and runc
   * ({@link PodmanPods}).
   */
  public static NodeAgent inContainers(
      KubernetesClient client,
      ImageMappings images,
      Path runner,
      Path workDir,
      ContainerRuntimeSettings settings) {
    return new NodeAgent(client, images, runner, workDir, p -> {}, settings);
  }

  public Mode mode() {
    return podman == null ? Mode.PROCESS : Mode.CONTAINER;
  }

  public void start() {
    if (podman != null) {
      try {
        podman.removeOrphans();
      } catch (IOException e) {
        LOG.warn("removing containers of node agents that died: {}", e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      logServer =
          new KubeletLogServer(
              workDir.resolve("kubelet"),
              (pod, container) -> workDir.resolve("pods").resolve(pod).resolve(container + ".log"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("the node's log endpoint did not start", e);
    }
    registerNode();
    informer =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                    PodRun run = runs.remove(pod.getMetadata().getUid());
                    if (run != null) {
                      run.cancel();
                    }
                    terminating.remove(pod.getMetadata().getUid());
                  }
                },
                0);
  }

  /**
   * Every container log written so far (stdout and stderr interleaved, as {@code kubectl logs}).
   */
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
    if (logServer != null) {
      logServer.close();
    }
    runs.values().forEach(PodRun::cancel);
    // Let each run remove its container (container mode) before interrupting what still runs
    executor.shutdown();
    try {
      if (!executor.awaitTermination(
          ContainerStatuses.KILL_GRACE.toSeconds() + 5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        executor.awaitTermination(ContainerStatuses.KILL_GRACE.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void registerNode() {
    Map<String, Quantity> resources =
        Map.of(
            "cpu",
            new Quantity("32"),
            "memory",
            new Quantity("256Gi"),
            "pods",
            new Quantity("110"));
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(NODE_NAME)
            .addToLabels("kubernetes.io/hostname", NODE_NAME)
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels("kubernetes.io/arch", "amd64")
            .endMetadata()
            .build();
    if (client.nodes().withName(NODE_NAME).get() == null) {
      client.nodes().resource(node).create();
    }
    client
        .nodes()
        .withName(NODE_NAME)
        .editStatus(
            n ->
                new NodeBuilder(n)
                    .withNewStatus()
                    .withCapacity(resources)
                    .withAllocatable(resources)
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus("True")
                    .withReason("KubeletReady")
                    .withMessage("kiki node agent runs containers as local processes")
                    .withLastHeartbeatTime(now())
                    .withLastTransitionTime(now())
                    .endCondition()
                    .withNewDaemonEndpoints()
                    .withNewKubeletEndpoint()
                    .withPort(logServer.port())
                    .endKubeletEndpoint()
                    .endDaemonEndpoints()
                    .addNewAddress()
                    .withType("InternalIP")
                    .withAddress("127.0.0.1")
                    .endAddress()
                    .addNewAddress()
                    .withType("Hostname")
                    .withAddress(NODE_NAME)
                    .endAddress()
                    .withNewNodeInfo()
                    .withOperatingSystem("linux")
                    .withArchitecture("amd64")
                    .withKubeletVersion("kiki-node-agent")
                    .withContainerRuntimeVersion("local-process://1")
                    .withKernelVersion("")
                    .withOsImage("")
                    .withKubeProxyVersion("")
                    .withMachineID("")
                    .withSystemUUID("")
                    .withBootID("")
                    .endNodeInfo()
                    .endStatus()
                    .build());
  }

  private void handle(Pod pod) {
    if (closed) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    String nodeName = pod.getSpec().getNodeName();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (NODE_NAME.equals(nodeName) && terminating.add(uid)) {
        executor.submit(() -> terminate(pod));
      }
      return;
    }
    if (nodeName == null || nodeName.isEmpty()) {
      if (binding.add(uid)) {
        executor.submit(() -> bind(pod));
      }
      return;
    }
    if (!NODE_NAME.equals(nodeName) || isFinished(pod)) {
      return;
    }
    runs.computeIfAbsent(
        uid,
        u -> {
          PodRun run = new PodRun(pod);
          executor.submit(run);
          return run;
        });
  }

  private void bind(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    try {
      client
          .bindings()
          .inNamespace(namespace)
          .resource(
              new BindingBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .withUid(pod.getMetadata().getUid())
                  .endMetadata()
                  .withNewTarget()
                  .withApiVersion("v1")
                  .withKind("Node")
                  .withName(NODE_NAME)
                  .endTarget()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // 409: bound already; 404: deleted meanwhile
      LOG.debug("binding pod {}/{}: {}", namespace, name, e.getMessage());
    } finally {
      binding.remove(pod.getMetadata().getUid());
    }
  }

  /**
   * What the kubelet does with a pod being deleted: stop it, record how it ended, and let it go
   * (grace 0).
   */
  private void terminate(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    PodRun run = runs.get(pod.getMetadata().getUid());
    if (run != null) {
      run.cancelAndWait();
    }
    try {
      Pod current = client.pods().inNamespace(namespace).withName(name).get();
      if (current != null
          && Objects.equals(current.getMetadata().getUid(), pod.getMetadata().getUid())
          && !isFinished(current)) {
        Container container = current.getSpec().getContainers().get(0);
        String startedAt = run != null && run.startedAt != null ? run.startedAt : now();
        setPodStatus(
            namespace,
            name,
            terminated(
                container.getName(),
                container.getImage(),
                137,
                "Error",
                "the pod was deleted; the node agent stopped the process",
                startedAt,
                now(),
                "Failed"));
      }
      client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("terminating pod {}/{}: {}", namespace, name, e.getMessage());
    }
  }

  /**
   * The kubelet's grace period: the deletion's, else the pod's terminationGracePeriodSeconds, else
   * 30 s.
   */
  private static long gracePeriod(Pod pod) {
    if (pod.getMetadata().getDeletionGracePeriodSeconds() != null) {
      return pod.getMetadata().getDeletionGracePeriodSeconds();
    }
    return pod.getSpec().getTerminationGracePeriodSeconds() == null
        ? 30
        : pod.getSpec().getTerminationGracePeriodSeconds();
  }

  private void stopContainer(String id, long graceSeconds) {
    try {
      podman.stop(id, graceSeconds);
    } catch (IOException e) {
      LOG.warn("stopping container {}: {}", id, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private Path podDirectory(String namespace, String pod) {
    return workDir.resolve("pods").resolve(namespace).resolve(pod);
  }

  /**
   * Replaces the pod's status (the status subresource) with {@code status}, keeping the conditions
   * the API server set (PodScheduled at binding) that {@code status} does not carry; retries on
   * conflicts.
   */
  private void setPodStatus(String namespace, String podName, PodStatus status) {
    for (int attempt = 1; ; attempt++) {
      try {
        Pod current = client.pods().inNamespace(namespace).withName(podName).get();
        if (current == null) {
          return;
        }
        List<PodCondition> conditions =
            new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
        if (current.getStatus() != null && current.getStatus().getConditions() != null) {
          for (PodCondition old : current.getStatus().getConditions()) {
            if (conditions.stream().noneMatch(c -> c.getType().equals(old.getType()))) {
              conditions.add(old);
            }
          }
        }
        status.setConditions(conditions);
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

  /**
   * One pod: configure the container (retrying while a Secret or volume is missing), run it, report
   * how it ended.
   */
  private final class PodRun implements Runnable {
    private final Pod pod;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile Process process;
    private volatile String containerId;
    private volatile String startedAt;

    PodRun(Pod pod) {
      this.pod = pod;
    }

    void cancel() {
      cancelled = true;
      Process p = process;
      if (p != null) {
        kill(p);
      }
      String id = containerId;
      if (id != null && !closed) {
        // podman stop waits out the grace period: not on the informer's thread
        executor.submit(() -> stopContainer(id, gracePeriod(pod)));
      } else if (id != null) {
        stopContainer(id, 2);
      }
    }

    void cancelAndWait() {
      cancel();
      try {
        done.get(gracePeriod(pod) + ContainerStatuses.KILL_GRACE.toSeconds() + 5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("pod {} did not stop in time: {}", pod.getMetadata().getName(), e.toString());
      }
    }

    @Override
    public void run() {
      try {
        execute();
      } catch (Exception e) {
        if (!cancelled && !closed) {
          LOG.error(
              "node agent: pod {}/{} could not be run",
              pod.getMetadata().getNamespace(),
              pod.getMetadata().getName(),
              e);
        }
      } finally {
        done.complete(null);
      }
    }

    private void execute() throws Exception {
      String namespace = pod.getMetadata().getNamespace();
      String podName = pod.getMetadata().getName();
      Container container = pod.getSpec().getContainers().get(0);
      Path podDir = podDirectory(namespace, podName);
      Files.createDirectories(podDir);
      if (pod.getSpec().getContainers().size() != 1) {
        setPodStatus(
            namespace,
            podName,
            waiting(
                container.getName(),
                container.getImage(),
                "CreateContainerConfigError",
                "kiki node agent: runs pods with exactly one container"));
        return;
      }
      if (podman != null) {
        executeInContainer(namespace, podName, container, podDir);
        return;
      }
      ContainerLaunch launch =
          untilConfigured(
              namespace, podName, container, () -> resolver.resolve(pod, container, podDir));
      if (launch == null) {
        return;
      }

      startedAt = now();
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
            namespace,
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
        return;
      }
      process = p;
      started.accept(p);
      if (cancelled) {
        kill(p);
        return;
      }
      setPodStatus(
          namespace,
          podName,
          running(container.getName(), container.getImage(), startedAt, p.pid()));
      p.waitFor();
      process = null;
      if (cancelled) {
        return;
      }
      int exitCode = p.exitValue();
      String message =
          terminationMessage(launch, exitCode, container.getTerminationMessagePolicy());
      setPodStatus(
          namespace,
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
    }

    /** What the container runs with, once its configuration can be resolved. */
    private interface Configuration<T> {
      T resolve() throws ContainerConfigException, IOException, InterruptedException;
    }

    /**
     * Resolves the container's configuration, retrying while it is incomplete (a missing Secret or
     * key) and showing why as the container's waiting reason, as the kubelet does
     * (CreateContainerConfigError); null once the pod is cancelled.
     */
    private <T> T untilConfigured(
        String namespace, String podName, Container container, Configuration<T> configuration)
        throws IOException, InterruptedException {
      String lastWaiting = null;
      while (!cancelled) {
        try {
          return configuration.resolve();
        } catch (ContainerConfigException e) {
          String waitingNow = e.reason() + ": " + e.getMessage();
          if (!waitingNow.equals(lastWaiting)) {
            setPodStatus(
                namespace,
                podName,
                waiting(container.getName(), container.getImage(), e.reason(), e.getMessage()));
            lastWaiting = waitingNow;
          }
          Thread.sleep(CONFIG_RETRY.toMillis());
        }
      }
      return null;
    }

    /**
     * Container mode: create the container (retrying while its configuration is incomplete), run
     * it, report how it ended.
     */
    private void executeInContainer(
        String namespace, String podName, Container container, Path podDir) throws Exception {
      PodmanPods.Created created =
          untilConfigured(
              namespace, podName, container, () -> podman.create(pod, container, podDir));
      if (created == null) {
        return;
      }
      String id = created.id();
      containerId = id;
      try {
        if (cancelled) {
          return;
        }
        startedAt = now();
        Process attached = podman.startAttached(id, created.logFile());
        setPodStatus(
            namespace,
            podName,
            running(container.getName(), container.getImage(), startedAt, "podman://" + id));
        attached.waitFor();
        if (cancelled) {
          return;
        }
        PodmanPods.Exit exit = podman.exit(id);
        ContainerLaunch files =
            new ContainerLaunch(
                List.of(), Map.of(), podDir, created.terminationFile(), created.logFile());
        if (!exit.started()) {
          // The runtime could not start the process (no such user, no such executable...): podman
          // says why on its output
          String why =
              Files.exists(created.logFile())
                  ? Files.readString(created.logFile(), StandardCharsets.UTF_8).strip()
                  : "";
          setPodStatus(
              namespace,
              podName,
              terminated(
                  container.getName(),
                  container.getImage(),
                  128,
                  "StartError",
                  why,
                  startedAt,
                  startedAt,
                  "Failed",
                  "podman://" + id));
          return;
        }
        int exitCode = exit.exitCode();
        String message =
            terminationMessage(files, exitCode, container.getTerminationMessagePolicy());
        String reason = exit.oomKilled() ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
        setPodStatus(
            namespace,
            podName,
            terminated(
                container.getName(),
                container.getImage(),
                exitCode,
                reason,
                message,
                startedAt,
                now(),
                exitCode == 0 ? "Succeeded" : "Failed",
                "podman://" + id));
      } finally {
        containerId = null;
        podman.remove(id);
      }
    }
  }
}
