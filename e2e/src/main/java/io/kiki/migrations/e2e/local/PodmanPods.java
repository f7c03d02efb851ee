package io.kiki.migrations.e2e.local;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.e2e.sandbox.ContainerConfigException;
import io.kiki.migrations.e2e.sandbox.ContainerResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The container runtime of the node agent's container mode: runs a pod's container from its real
 * image with podman and runc, as a kubelet and its runtime would.
 *
 * <ul>
 *   <li>{@code securityContext} (pod and container, the container's winning): {@code
 *       runAsUser}/{@code runAsGroup} as {@code --user}, {@code fsGroup} and {@code
 *       supplementalGroups} as extra groups, {@code fsGroup} applied to the writable volumes as the
 *       kubelet does (group owner, group read-write, setgid directories), {@code runAsNonRoot}
 *       checked against the effective user (a non-numeric image user cannot be verified), {@code
 *       readOnlyRootFilesystem} as {@code --read-only} without podman's extra tmpfs mounts,
 *       capabilities as {@code --cap-drop}/{@code --cap-add}, {@code allowPrivilegeEscalation:
 *       false} as {@code no-new-privileges};
 *   <li>env from literals, Secrets, ConfigMaps and the downward API, resolved through the API here
 *       as a kubelet does ({@link ContainerResolver#environment}), plus {@code
 *       KUBERNETES_SERVICE_HOST}/{@code PORT} naming the local API server; passed in an env file
 *       readable by root only, never on a command line;
 *   <li>volumes: {@code emptyDir} (mode 0777) and a PVC's directory on this host, Secret, ConfigMap
 *       and projected volumes (a ServiceAccount token from TokenRequest bound to the pod, {@code
 *       kube-root-ca.crt}, the namespace) written as files and mounted read-only;
 *   <li>the termination message: a file (0666) mounted at {@code terminationMessagePath}, read back
 *       by the agent.
 * </ul>
 *
 * Networking is the host's ({@code --network host}): the PostgreSQL and the API server listen on
 * 127.0.0.1. Containers are addressed by the ID podman returns, never by name.
 */
final class PodmanPods {
  private static final long TOKEN_SECONDS = 3607;

  /**
   * Label on every container this agent makes: the JVM that made it (PID and start time), for
   * clean-up after a crash.
   */
  static final String OWNER_LABEL = "io.kiki.e2e.node-agent";

  private static final String OWNER = owner(ProcessHandle.current());

  private final KubernetesClient client;
  private final ContainerResolver resolver;
  private final Path containersConf;
  private final String apiServerHost;
  private final int apiServerPort;

  PodmanPods(
      KubernetesClient client,
      ContainerResolver resolver,
      Path containersConf,
      String apiServerHost,
      int apiServerPort) {
    this.client = client;
    this.resolver = resolver;
    this.containersConf = containersConf;
    this.apiServerHost = apiServerHost;
    this.apiServerPort = apiServerPort;
  }

  /** A created (not yet started) container. */
  record Created(String id, Path terminationFile, Path logFile) {}

  /** How a container ended, as podman recorded it. */
  record Exit(int exitCode, boolean oomKilled, boolean started) {}

  /**
   * Resolves the container's configuration (throwing {@link ContainerConfigException} with the
   * kubelet's reason while something it needs is missing) and creates the container.
   */
  Created create(Pod pod, Container container, Path podDir)
      throws ContainerConfigException, IOException, InterruptedException {
    String namespace = pod.getMetadata().getNamespace();
    String image = container.getImage();
    if (run(List.of("image", "exists", image)).exitCode != 0) {
      throw new ContainerConfigException(
          "ErrImagePull",
          "image \""
              + image
              + "\" is not in this node's image store (podman) "
              + "and no registry can be reached here; build it first (scripts/build-images.sh)");
    }
    PodSecurityContext podContext =
        pod.getSpec().getSecurityContext() == null
            ? new PodSecurityContext()
            : pod.getSpec().getSecurityContext();
    SecurityContext context =
        container.getSecurityContext() == null
            ? new SecurityContext()
            : container.getSecurityContext();
    Long user = first(context.getRunAsUser(), podContext.getRunAsUser());
    Long group = first(context.getRunAsGroup(), podContext.getRunAsGroup());
    Boolean nonRoot = first(context.getRunAsNonRoot(), podContext.getRunAsNonRoot());
    Long fsGroup = podContext.getFsGroup();
    if (Boolean.TRUE.equals(context.getPrivileged())) {
      throw new ContainerConfigException(
          "CreateContainerConfigError", "kiki node agent: privileged containers are not run");
    }
    if (Boolean.TRUE.equals(nonRoot)) {
      checkNonRoot(image, user);
    }

    List<String> args =
        new ArrayList<>(
            List.of(
                "create",
                "--pull",
                "never",
                "--network",
                "host",
                "--name",
                containerName(pod, container),
                "--label",
                "io.kubernetes.pod.uid=" + pod.getMetadata().getUid(),
                "--label",
                "io.kubernetes.pod.namespace=" + namespace,
                "--label",
                "io.kubernetes.pod.name=" + pod.getMetadata().getName(),
                "--label",
                "io.kubernetes.container.name=" + container.getName(),
                "--label",
                OWNER_LABEL + "=" + OWNER));
    if (user != null) {
      args.addAll(List.of("--user", group == null ? String.valueOf(user) : user + ":" + group));
    } else if (group != null) {
      throw new ContainerConfigException(
          "CreateContainerConfigError",
          "kiki node agent: runAsGroup without runAsUser is not supported");
    }
    if (fsGroup != null) {
      args.addAll(List.of("--group-add", String.valueOf(fsGroup)));
    }
    for (Long supplemental : nullSafe(podContext.getSupplementalGroups())) {
      args.addAll(List.of("--group-add", String.valueOf(supplemental)));
    }
    if (Boolean.TRUE.equals(context.getReadOnlyRootFilesystem())) {
      // podman would otherwise mount tmpfs on /tmp, /var/tmp and /run: a Kubernetes container gets
      // none of them
      args.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
    }
    Capabilities capabilities = context.getCapabilities();
    if (capabilities != null) {
      for (String drop : nullSafe(capabilities.getDrop())) {
        args.addAll(List.of("--cap-drop", drop.toUpperCase(Locale.ROOT)));
      }
      for (String add : nullSafe(capabilities.getAdd())) {
        args.addAll(List.of("--cap-add", add.toUpperCase(Locale.ROOT)));
      }
    }
    if (Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
      args.addAll(List.of("--security-opt", "no-new-privileges"));
    }

    // Environment: the API server as the kubelet's service links name it, then the container's own
    // env.
    Map<String, String> env = new LinkedHashMap<>();
    // (the kubelet sets these whatever enableServiceLinks says)
    env.put("KUBERNETES_SERVICE_HOST", apiServerHost);
    env.put("KUBERNETES_SERVICE_PORT", String.valueOf(apiServerPort));
    env.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(apiServerPort));
    Map<String, String> own =
        resolver.environment(pod, container, new LinkedHashMap<>(env), value -> value);
    Path envFile = podDir.resolve("container.env");
    Files.deleteIfExists(envFile);
    Files.createFile(
        envFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    StringBuilder envLines = new StringBuilder();
    for (Map.Entry<String, String> e : own.entrySet()) {
      if (e.getValue().contains("\n")) {
        throw new ContainerConfigException(
            "CreateContainerConfigError",
            "kiki node agent: env "
                + e.getKey()
                + " has a multi-line value, which podman's env file cannot carry");
      }
      envLines.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    Files.writeString(envFile, envLines.toString(), StandardCharsets.UTF_8);
    args.addAll(List.of("--env-file", envFile.toString()));

    // Volumes
    for (VolumeMount mount : nullSafe(container.getVolumeMounts())) {
      Path dir = volume(pod, mount.getName(), podDir, fsGroup);
      if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
        dir = dir.resolve(mount.getSubPath());
        Files.createDirectories(dir);
      }
      boolean readOnly =
          Boolean.TRUE.equals(mount.getReadOnly()) || isReadOnlyVolume(pod, mount.getName());
      args.addAll(
          List.of("--volume", dir + ":" + mount.getMountPath() + (readOnly ? ":ro" : ":rw")));
    }
    Path terminationFile = podDir.resolve("termination-log");
    Files.deleteIfExists(terminationFile);
    Files.createFile(terminationFile);
    Files.setPosixFilePermissions(terminationFile, PosixFilePermissions.fromString("rw-rw-rw-"));
    String terminationPath =
        container.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : container.getTerminationMessagePath();
    args.addAll(List.of("--volume", terminationFile + ":" + terminationPath + ":rw"));

    if (container.getWorkingDir() != null && !container.getWorkingDir().isEmpty()) {
      args.addAll(List.of("--workdir", container.getWorkingDir()));
    }
    List<String> command =
        nullSafe(container.getCommand()).stream()
            .map(c -> ContainerResolver.expand(c, own))
            .toList();
    if (!command.isEmpty()) {
      // JSON form: the command's words stay words (podman splits a plain string on spaces)
      args.addAll(List.of("--entrypoint", json(command)));
    }
    args.add(image);
    nullSafe(container.getArgs()).forEach(a -> args.add(ContainerResolver.expand(a, own)));

    Result created = run(args);
    Files.deleteIfExists(envFile);
    if (created.exitCode != 0) {
      throw new ContainerConfigException(
          "CreateContainerError", "podman create: " + created.output.strip());
    }
    String id = created.output.strip().lines().reduce((a, b) -> b).orElse("").strip();
    if (!id.matches("[0-9a-f]{64}")) {
      throw new IOException("podman create printed no container ID: " + created.output);
    }
    return new Created(id, terminationFile, podDir.resolve(container.getName() + ".log"));
  }

  /**
   * Starts the container attached: the returned process ends when the container does; its output
   * goes to {@code log}.
   */
  Process startAttached(String id, Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(podman(List.of("start", "--attach", id)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("CONTAINERS_CONF", containersConf.toString());
    return builder.start();
  }

  Exit exit(String id) throws IOException, InterruptedException {
    Result result =
        run(
            List.of(
                "inspect",
                "--format",
                "{{.State.ExitCode}} {{.State.OOMKilled}} {{.State.Status}}",
                id));
    if (result.exitCode != 0) {
      throw new IOException("podman inspect " + id + ": " + result.output);
    }
    String[] parts = result.output.strip().split("\\s+");
    // a container whose process never started stays "created"
    return new Exit(
        Integer.parseInt(parts[0]), Boolean.parseBoolean(parts[1]), !"created".equals(parts[2]));
  }

  /** SIGTERM (the image's stop signal), SIGKILL after {@code graceSeconds}. */
  void stop(String id, long graceSeconds) throws IOException, InterruptedException {
    run(List.of("stop", "--time", String.valueOf(Math.max(0, graceSeconds)), id));
  }

  void remove(String id) throws IOException, InterruptedException {
    run(List.of("rm", "--force", "--time", "0", id));
  }

  /**
   * Removes the containers that node agents of JVMs no longer running left behind (a JVM killed
   * with -9 does not close its agent). Found by their owner label, removed by ID; a live JVM's
   * containers are left alone.
   */
  void removeOrphans() throws IOException, InterruptedException {
    Result listed =
        run(
            List.of(
                "ps",
                "--all",
                "--filter",
                "label=" + OWNER_LABEL,
                "--format",
                "{{.ID}} {{index .Labels \"" + OWNER_LABEL + "\"}}"));
    if (listed.exitCode != 0) {
      throw new IOException("podman ps: " + listed.output);
    }
    for (String line : listed.output.strip().lines().toList()) {
      String[] parts = line.strip().split("\\s+");
      if (parts.length == 2 && !alive(parts[1])) {
        remove(parts[0]);
      }
    }
  }

  private static String owner(ProcessHandle process) {
    return process.pid()
        + "@"
        + process.info().startInstant().map(i -> String.valueOf(i.toEpochMilli())).orElse("0");
  }

  private static boolean alive(String owner) {
    String pid = owner.contains("@") ? owner.substring(0, owner.indexOf('@')) : owner;
    try {
      return ProcessHandle.of(Long.parseLong(pid))
          .filter(ProcessHandle::isAlive)
          .map(PodmanPods::owner)
          .map(owner::equals)
          .orElse(false);
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /**
   * The kubelet's check of {@code runAsNonRoot}: a numeric non-zero user, from the pod or the
   * image.
   */
  private void checkNonRoot(String image, Long user)
      throws ContainerConfigException, IOException, InterruptedException {
    if (user != null) {
      if (user == 0) {
        throw new ContainerConfigException(
            "CreateContainerConfigError", "container's runAsUser breaks non-root policy");
      }
      return;
    }
    Result inspected = run(List.of("image", "inspect", "--format", "{{.Config.User}}", image));
    String imageUser = inspected.output.strip();
    String uid =
        imageUser.contains(":") ? imageUser.substring(0, imageUser.indexOf(':')) : imageUser;
    if (uid.isEmpty() || uid.equals("0") || uid.equals("root")) {
      throw new ContainerConfigException(
          "CreateContainerConfigError", "container has runAsNonRoot and image will run as root");
    }
    if (!uid.matches("[0-9]+")) {
      throw new ContainerConfigException(
          "CreateContainerConfigError",
          "container has runAsNonRoot and image has non-numeric user ("
              + uid
              + "), cannot verify user is non-root");
    }
  }

  private boolean isReadOnlyVolume(Pod pod, String name) {
    return nullSafe(pod.getSpec().getVolumes()).stream()
        .filter(v -> name.equals(v.getName()))
        .anyMatch(
            v ->
                v.getSecret() != null
                    || v.getConfigMap() != null
                    || v.getProjected() != null
                    || v.getDownwardAPI() != null);
  }

  private Path volume(Pod pod, String name, Path podDir, Long fsGroup)
      throws ContainerConfigException, IOException {
    String namespace = pod.getMetadata().getNamespace();
    Volume volume =
        nullSafe(pod.getSpec().getVolumes()).stream()
            .filter(v -> name.equals(v.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new ContainerConfigException(
                        "CreateContainerConfigError",
                        "volumeMount " + name + " refers to no volume of the pod"));
    Path dir = podDir.resolve("volumes").resolve(name);
    if (volume.getEmptyDir() != null) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      applyFsGroup(dir, fsGroup);
      return dir;
    }
    if (volume.getPersistentVolumeClaim() != null) {
      String claim = volume.getPersistentVolumeClaim().getClaimName();
      if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() == null) {
        throw new ContainerConfigException(
            "Unschedulable", "persistentvolumeclaim \"" + claim + "\" not found");
      }
      Path claimDir = resolver.pvcDirectory(namespace, claim);
      // A fresh volume's root is root's, 0755, as a freshly formatted filesystem: only fsGroup
      // makes it writable
      if (!Files.isDirectory(claimDir)) {
        Files.createDirectories(claimDir);
        Files.setPosixFilePermissions(claimDir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      applyFsGroup(claimDir, fsGroup);
      return claimDir;
    }
    if (volume.getSecret() != null) {
      Map<String, String> data =
          resolver.secretValues(
              namespace,
              volume.getSecret().getSecretName(),
              Boolean.TRUE.equals(volume.getSecret().getOptional()));
      return readOnlyFiles(ContainerResolver.writeFiles(dir, data, volume.getSecret().getItems()));
    }
    if (volume.getConfigMap() != null) {
      Map<String, String> data =
          resolver.configMapValues(
              namespace,
              volume.getConfigMap().getName(),
              Boolean.TRUE.equals(volume.getConfigMap().getOptional()));
      return readOnlyFiles(
          ContainerResolver.writeFiles(dir, data, volume.getConfigMap().getItems()));
    }
    if (volume.getProjected() != null) {
      Files.createDirectories(dir);
      for (VolumeProjection source : nullSafe(volume.getProjected().getSources())) {
        if (source.getServiceAccountToken() != null) {
          Path file = dir.resolve(source.getServiceAccountToken().getPath());
          Files.writeString(
              file,
              serviceAccountToken(
                  pod,
                  source.getServiceAccountToken().getAudience(),
                  source.getServiceAccountToken().getExpirationSeconds()),
              StandardCharsets.UTF_8);
        } else if (source.getConfigMap() != null) {
          ContainerResolver.writeFiles(
              dir,
              resolver.configMapValues(
                  namespace,
                  source.getConfigMap().getName(),
                  Boolean.TRUE.equals(source.getConfigMap().getOptional())),
              source.getConfigMap().getItems());
        } else if (source.getSecret() != null) {
          ContainerResolver.writeFiles(
              dir,
              resolver.secretValues(
                  namespace,
                  source.getSecret().getName(),
                  Boolean.TRUE.equals(source.getSecret().getOptional())),
              source.getSecret().getItems());
        } else if (source.getDownwardAPI() != null) {
          for (DownwardAPIVolumeFile item : nullSafe(source.getDownwardAPI().getItems())) {
            Files.writeString(
                dir.resolve(item.getPath()), downward(pod, item), StandardCharsets.UTF_8);
          }
        } else {
          throw new ContainerConfigException(
              "CreateContainerConfigError",
              "kiki node agent: unsupported projected source in volume " + name);
        }
      }
      return readOnlyFiles(dir);
    }
    throw new ContainerConfigException(
        "CreateContainerConfigError",
        "kiki node agent: volume "
            + name
            + " has a type it does not provide (emptyDir, persistentVolumeClaim, secret, configMap, projected)");
  }

  private String downward(Pod pod, DownwardAPIVolumeFile item) throws ContainerConfigException {
    String path = item.getFieldRef() == null ? "" : item.getFieldRef().getFieldPath();
    return switch (path) {
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.uid" -> pod.getMetadata().getUid();
      default ->
          throw new ContainerConfigException(
              "CreateContainerConfigError",
              "kiki node agent: unsupported downward API file " + path);
    };
  }

  /**
   * What the kubelet mounts for a projected {@code serviceAccountToken}: a token bound to this pod.
   */
  private String serviceAccountToken(Pod pod, String audience, Long expirationSeconds) {
    String account =
        pod.getSpec().getServiceAccountName() == null
            ? "default"
            : pod.getSpec().getServiceAccountName();
    TokenRequestBuilder request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withExpirationSeconds(expirationSeconds == null ? TOKEN_SECONDS : expirationSeconds)
            .withNewBoundObjectRef()
            .withApiVersion("v1")
            .withKind("Pod")
            .withName(pod.getMetadata().getName())
            .withUid(pod.getMetadata().getUid())
            .endBoundObjectRef()
            .endSpec();
    if (audience != null && !audience.isEmpty()) {
      request.editSpec().withAudiences(audience).endSpec();
    }
    TokenRequest token =
        client
            .serviceAccounts()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(account)
            .tokenRequest(request.build());
    return token.getStatus().getToken();
  }

  private static Path readOnlyFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.toList()) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return dir;
  }

  /**
   * The kubelet's volume ownership for {@code fsGroup}: every file and directory gets the group,
   * group read and write (and search on directories), directories the setgid bit so new files
   * inherit the group.
   */
  static void applyFsGroup(Path root, Long fsGroup) throws IOException {
    if (fsGroup == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.toList()) {
        Files.setAttribute(p, "unix:gid", fsGroup.intValue());
        int mode = (Integer) Files.getAttribute(p, "unix:mode") & 07777;
        mode |= Files.isDirectory(p) ? 02070 : 0060;
        Files.setAttribute(p, "unix:mode", mode);
      }
    }
  }

  private static String containerName(Pod pod, Container container) {
    return "k8s_"
        + container.getName()
        + "_"
        + pod.getMetadata().getName()
        + "_"
        + pod.getMetadata().getNamespace()
        + "_"
        + pod.getMetadata().getUid();
  }

  private static String json(List<String> words) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < words.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append('"').append(words.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return out.append(']').toString();
  }

  private List<String> podman(List<String> args) {
    List<String> command = new ArrayList<>(List.of("podman", "--runtime", "runc"));
    command.addAll(args);
    return command;
  }

  private record Result(int exitCode, String output) {}

  private Result run(List<String> args) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(podman(args)).redirectErrorStream(true);
    builder.environment().put("CONTAINERS_CONF", containersConf.toString());
    Process p = builder.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(
          "podman "
              + String.join(" ", args.subList(0, Math.min(2, args.size())))
              + " did not finish in 2 min");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
