package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a Pod's container into a local process description, the way a kubelet and a container
 * runtime would: the image becomes a local Alembic project directory, {@code kiki-migrate} the
 * runner script, env values are resolved from literals, Secrets, ConfigMaps and the downward API,
 * volumes become directories, and every mount path (and the termination message path) in command,
 * args and env values is rewritten to its directory.
 */
public final class ContainerResolver {

  static final String RUNNER_COMMAND = "kiki-migrate";

  /**
   * /usr/bin first: the runner and its tools are Debian's (python3-alembic, pg_dump), as in the
   * image.
   */
  static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin";

  /** The runner's bytecode cache, per user, outside the checkout. */
  static final Path PYCACHE =
      Path.of(System.getProperty("user.home"), ".cache", "kiki-sandbox-pycache");

  private static final Pattern VARIABLE_REFERENCE =
      Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  private final KubernetesClient client;
  private final ImageMappings images;
  private final Path defaultRunner;
  private final Path workDir;

  public ContainerResolver(
      KubernetesClient client, ImageMappings images, Path defaultRunner, Path workDir) {
    this.client = client;
    this.images = images;
    this.defaultRunner = defaultRunner;
    this.workDir = workDir;
  }

  public Path pvcDirectory(String namespace, String claim) {
    return workDir.resolve("pvc").resolve(namespace).resolve(claim);
  }

  public ContainerLaunch resolve(Pod pod, Container container, Path podDir)
      throws ContainerConfigException, IOException {
    String namespace = pod.getMetadata().getNamespace();
    Path project =
        images
            .resolve(container.getImage())
            .orElseThrow(
                () ->
                    new ContainerConfigException(
                        "ErrImagePull",
                        "image \""
                            + container.getImage()
                            + "\" cannot be run here: no local Alembic project is mapped to it; map one "
                            + "with --image "
                            + container.getImage()
                            + "=DIR"));

    Path resultFile = podDir.resolve("termination-log");
    Files.deleteIfExists(resultFile);
    Map<String, Path> mounts = new LinkedHashMap<>();
    mounts.put(
        container.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : container.getTerminationMessagePath(),
        resultFile);
    for (VolumeMount mount : nullSafe(container.getVolumeMounts())) {
      Path dir = volumeDirectory(pod, mount.getName(), podDir);
      if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
        dir = dir.resolve(mount.getSubPath());
      }
      Files.createDirectories(dir);
      mounts.put(mount.getMountPath(), dir);
    }
    PathRewriter rewriter = new PathRewriter(mounts);

    // Image environment first, then the container's own env (which may override it), as a runtime
    // layers them.
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    env.put("HOME", podDir.toString());
    env.put("LANG", "C.UTF-8");
    env.put("HOSTNAME", pod.getMetadata().getName());
    // The image ships its modules compiled (pip, compileall) and writes no bytecode at run time. A
    // local
    // process gets the same from a bytecode cache outside the checkout (PYTHONPYCACHEPREFIX: Python
    // writes
    // each file atomically, so runs at once share it), instead of compiling the runner, the project
    // and
    // their libraries again at every Job's start.
    env.put("PYTHONPYCACHEPREFIX", PYCACHE.toString());
    env.put("ALEMBIC_CONFIG", project.resolve("alembic.ini").toString());
    env.put("KIKI_RESULT_FILE", resultFile.toString());
    environment(pod, container, env, rewriter::rewrite);

    List<String> command = new ArrayList<>();
    List<String> entrypoint = nullSafe(container.getCommand());
    if (entrypoint.isEmpty()) {
      // The migrations image's ENTRYPOINT is the runner.
      entrypoint = List.of(RUNNER_COMMAND);
    }
    for (String part : entrypoint) {
      command.add(rewriter.rewrite(expand(part, env)));
    }
    if (RUNNER_COMMAND.equals(command.get(0))) {
      Path ownRunner = project.resolve("bin").resolve(RUNNER_COMMAND);
      command.set(0, (Files.isExecutable(ownRunner) ? ownRunner : defaultRunner).toString());
    }
    for (String arg : nullSafe(container.getArgs())) {
      command.add(rewriter.rewrite(expand(arg, env)));
    }
    Path workingDir =
        container.getWorkingDir() == null || container.getWorkingDir().isEmpty()
            ? project
            : Path.of(rewriter.rewrite(container.getWorkingDir()));
    Path logFile = podDir.resolve(container.getName() + ".log");
    return new ContainerLaunch(command, env, workingDir, resultFile, logFile);
  }

  /**
   * Adds the container's environment to {@code env} as a kubelet resolves it: {@code envFrom}
   * (Secrets, ConfigMaps, with their prefix) first, then {@code env} (literals with {@code $(VAR)}
   * expanded against what is already there, Secret and ConfigMap keys, the downward API); {@code
   * rewrite} is applied to each {@code env} value (the process mode rewrites mount paths to
   * directories; a container runtime passes values unchanged).
   *
   * @throws ContainerConfigException when a referenced Secret, ConfigMap or key is missing and not
   *     optional
   */
  public Map<String, String> environment(
      Pod pod, Container container, Map<String, String> env, UnaryOperator<String> rewrite)
      throws ContainerConfigException {
    String namespace = pod.getMetadata().getNamespace();
    for (EnvFromSource from : nullSafe(container.getEnvFrom())) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      if (from.getSecretRef() != null) {
        Secret secret =
            secret(
                namespace,
                from.getSecretRef().getName(),
                Boolean.TRUE.equals(from.getSecretRef().getOptional()));
        if (secret != null) {
          secretData(secret).forEach((k, v) -> env.put(prefix + k, v));
        }
      }
      if (from.getConfigMapRef() != null) {
        ConfigMap map =
            configMap(
                namespace,
                from.getConfigMapRef().getName(),
                Boolean.TRUE.equals(from.getConfigMapRef().getOptional()));
        if (map != null && map.getData() != null) {
          map.getData().forEach((k, v) -> env.put(prefix + k, v));
        }
      }
    }
    for (EnvVar var : nullSafe(container.getEnv())) {
      String value =
          var.getValueFrom() != null
              ? valueFrom(pod, var)
              : expand(var.getValue() == null ? "" : var.getValue(), env);
      if (value != null) {
        env.put(var.getName(), rewrite.apply(value));
      }
    }

    return env;
  }

  private Path volumeDirectory(Pod pod, String volumeName, Path podDir)
      throws ContainerConfigException, IOException {
    String namespace = pod.getMetadata().getNamespace();
    Volume volume =
        nullSafe(pod.getSpec().getVolumes()).stream()
            .filter(v -> volumeName.equals(v.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new ContainerConfigException(
                        "CreateContainerConfigError",
                        "volumeMount " + volumeName + " refers to no volume of the pod"));
    if (volume.getPersistentVolumeClaim() != null) {
      String claim = volume.getPersistentVolumeClaim().getClaimName();
      if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() == null) {
        throw new ContainerConfigException(
            "Unschedulable", "persistentvolumeclaim \"" + claim + "\" not found");
      }
      return pvcDirectory(namespace, claim);
    }
    if (volume.getEmptyDir() != null) {
      return podDir.resolve("volumes").resolve(volumeName);
    }
    if (volume.getHostPath() != null) {
      return Path.of(volume.getHostPath().getPath());
    }
    if (volume.getSecret() != null) {
      Secret secret =
          secret(
              namespace,
              volume.getSecret().getSecretName(),
              Boolean.TRUE.equals(volume.getSecret().getOptional()));
      return writeFiles(
          podDir.resolve("volumes").resolve(volumeName),
          secret == null ? Map.of() : secretData(secret),
          volume.getSecret().getItems());
    }
    if (volume.getConfigMap() != null) {
      ConfigMap map =
          configMap(
              namespace,
              volume.getConfigMap().getName(),
              Boolean.TRUE.equals(volume.getConfigMap().getOptional()));
      return writeFiles(
          podDir.resolve("volumes").resolve(volumeName),
          map == null || map.getData() == null ? Map.of() : map.getData(),
          volume.getConfigMap().getItems());
    }
    throw new ContainerConfigException(
        "CreateContainerConfigError",
        "sandbox: volume "
            + volumeName
            + " has a type the sandbox does not provide (use persistentVolumeClaim, emptyDir, hostPath, secret or configMap)");
  }

  /**
   * Writes a Secret's or ConfigMap's values as files of a volume ({@code items} picks keys and
   * paths).
   */
  public static Path writeFiles(Path dir, Map<String, String> data, List<KeyToPath> items)
      throws IOException {
    Files.createDirectories(dir);
    if (items == null || items.isEmpty()) {
      for (Map.Entry<String, String> e : data.entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue());
      }
    } else {
      for (KeyToPath item : items) {
        if (data.containsKey(item.getKey())) {
          Path file = dir.resolve(item.getPath());
          Files.createDirectories(file.getParent());
          Files.writeString(file, data.get(item.getKey()));
        }
      }
    }
    return dir;
  }

  private String valueFrom(Pod pod, EnvVar var) throws ContainerConfigException {
    EnvVarSource source = var.getValueFrom();
    String namespace = pod.getMetadata().getNamespace();
    if (source.getSecretKeyRef() != null) {
      boolean optional = Boolean.TRUE.equals(source.getSecretKeyRef().getOptional());
      Secret secret = secret(namespace, source.getSecretKeyRef().getName(), optional);
      String value =
          secret == null ? null : secretData(secret).get(source.getSecretKeyRef().getKey());
      if (value == null && !optional) {
        throw new ContainerConfigException(
            "CreateContainerConfigError",
            "couldn't find key "
                + source.getSecretKeyRef().getKey()
                + " in Secret "
                + namespace
                + "/"
                + source.getSecretKeyRef().getName());
      }
      return value;
    }
    if (source.getConfigMapKeyRef() != null) {
      boolean optional = Boolean.TRUE.equals(source.getConfigMapKeyRef().getOptional());
      ConfigMap map = configMap(namespace, source.getConfigMapKeyRef().getName(), optional);
      String value =
          map == null || map.getData() == null
              ? null
              : map.getData().get(source.getConfigMapKeyRef().getKey());
      if (value == null && !optional) {
        throw new ContainerConfigException(
            "CreateContainerConfigError",
            "couldn't find key "
                + source.getConfigMapKeyRef().getKey()
                + " in ConfigMap "
                + namespace
                + "/"
                + source.getConfigMapKeyRef().getName());
      }
      return value;
    }
    if (source.getFieldRef() != null) {
      String path = source.getFieldRef().getFieldPath();
      Matcher label = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
      if (label.matches()) {
        Map<String, String> values =
            "labels".equals(label.group(1))
                ? pod.getMetadata().getLabels()
                : pod.getMetadata().getAnnotations();
        return values == null ? "" : values.getOrDefault(label.group(2), "");
      }
      return switch (path) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> namespace;
        case "metadata.uid" -> pod.getMetadata().getUid();
        case "spec.nodeName" ->
            pod.getSpec().getNodeName() == null
                ? SandboxKubelet.NODE_NAME
                : pod.getSpec().getNodeName();
        case "spec.serviceAccountName" ->
            pod.getSpec().getServiceAccountName() == null
                ? "default"
                : pod.getSpec().getServiceAccountName();
        case "status.podIP", "status.hostIP" -> "127.0.0.1";
        default ->
            throw new ContainerConfigException(
                "CreateContainerConfigError",
                "sandbox: unsupported fieldRef " + path + " in env " + var.getName());
      };
    }
    throw new ContainerConfigException(
        "CreateContainerConfigError", "sandbox: unsupported valueFrom in env " + var.getName());
  }

  /** The values of a Secret (decoded), empty when it is optional and missing. */
  public Map<String, String> secretValues(String namespace, String name, boolean optional)
      throws ContainerConfigException {
    Secret secret = secret(namespace, name, optional);
    return secret == null ? Map.of() : secretData(secret);
  }

  /** The values of a ConfigMap, empty when it is optional and missing. */
  public Map<String, String> configMapValues(String namespace, String name, boolean optional)
      throws ContainerConfigException {
    ConfigMap map = configMap(namespace, name, optional);
    return map == null || map.getData() == null ? Map.of() : map.getData();
  }

  private Secret secret(String namespace, String name, boolean optional)
      throws ContainerConfigException {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null && !optional) {
      throw new ContainerConfigException(
          "CreateContainerConfigError", "secret \"" + name + "\" not found");
    }
    return secret;
  }

  private ConfigMap configMap(String namespace, String name, boolean optional)
      throws ContainerConfigException {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
    if (map == null && !optional) {
      throw new ContainerConfigException(
          "CreateContainerConfigError", "configmap \"" + name + "\" not found");
    }
    return map;
  }

  /**
   * Secret values: {@code data} is base64; {@code stringData} is what an API server would merge
   * into it.
   */
  private static Map<String, String> secretData(Secret secret) {
    Map<String, String> values = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      values.putAll(secret.getStringData());
    }
    return values;
  }

  /** Kubernetes' {@code $(VAR)} expansion in env values, command and args; {@code $$} escapes. */
  public static String expand(String value, Map<String, String> env) {
    Matcher m = VARIABLE_REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(1) == null ? "$" : env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }

  /**
   * Rewrites container paths under a mount point to the local directory in one pass (longest mount
   * path first), so a rewritten path that happens to start with another mount path (/tmp) is not
   * rewritten again.
   */
  static final class PathRewriter {
    private final Map<String, String> directories = new LinkedHashMap<>();
    private final Pattern pattern;

    PathRewriter(Map<String, Path> mounts) {
      List<String> mountPaths = new ArrayList<>();
      mounts.forEach(
          (mountPath, dir) -> {
            String trimmed =
                mountPath.length() > 1 && mountPath.endsWith("/")
                    ? mountPath.substring(0, mountPath.length() - 1)
                    : mountPath;
            directories.put(trimmed, dir.toString());
            mountPaths.add(trimmed);
          });
      mountPaths.sort(Comparator.comparingInt(String::length).reversed());
      String alternatives = String.join("|", mountPaths.stream().map(Pattern::quote).toList());
      pattern =
          mountPaths.isEmpty()
              ? null
              : Pattern.compile("(?<![\\w.\\-/])(" + alternatives + ")(?=$|/|[^\\w.\\-])");
    }

    String rewrite(String value) {
      if (pattern == null) {
        return value;
      }
      return pattern
          .matcher(value)
          .replaceAll(m -> Matcher.quoteReplacement(directories.get(m.group(1))));
    }
  }
}
