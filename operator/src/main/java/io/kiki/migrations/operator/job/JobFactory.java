package io.kiki.migrations.operator.job;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.JobTemplateSpec;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.SecretKeyRef;
import io.kiki.migrations.operator.config.DurationParser;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Builds the Job that runs one kiki-migrate command for one stage of a rollout. */
public final class JobFactory {
  public static final String CONTAINER = "kiki-migrate";
  public static final String BACKUP_DIR = "/backups";
  public static final String DATABASE_URL_ENV = "KIKI_DATABASE_URL";

  /**
   * spec.timeouts.lock in seconds: how long one migration statement waits for a table lock (the
   * runner's lock_timeout).
   */
  public static final String TABLE_LOCK_TIMEOUT_ENV = "KIKI_TABLE_LOCK_TIMEOUT";

  static final Duration DEFAULT_TABLE_LOCK_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Non-root user and group of the Job pods: the migrations image's numeric USER; fsGroup makes
   * /backups writable.
   */
  public static final long RUN_AS_USER = 10001L;

  /** Istio's per-pod switch for sidecar injection. */
  public static final String ISTIO_INJECT = "sidecar.istio.io/inject";

  private JobFactory() {}

  /**
   * What one Job runs. {@code backupClaim} is mounted at /backups when not null; {@code env}: plain
   * environment variables for the runner beyond the URL, the lock timeout and HOME.
   */
  public record JobRequest(
      String name,
      RolloutStage stage,
      String rolloutId,
      String image,
      List<String> args,
      Duration deadline,
      SecretKeyRef databaseUrl,
      String backupClaim,
      Map<String, String> env,
      Map<String, SecretKeyRef> secretEnv) {
    public JobRequest {
      env = env == null ? Map.of() : Map.copyOf(env);
      secretEnv = secretEnv == null ? Map.of() : Map.copyOf(secretEnv);
    }

    public JobRequest(
        String name,
        RolloutStage stage,
        String rolloutId,
        String image,
        List<String> args,
        Duration deadline,
        SecretKeyRef databaseUrl,
        String backupClaim,
        Map<String, String> env) {
      this(name, stage, rolloutId, image, args, deadline, databaseUrl, backupClaim, env, Map.of());
    }

    public JobRequest(
        String name,
        RolloutStage stage,
        String rolloutId,
        String image,
        List<String> args,
        Duration deadline,
        SecretKeyRef databaseUrl,
        String backupClaim) {
      this(name, stage, rolloutId, image, args, deadline, databaseUrl, backupClaim, Map.of());
    }
  }

  /** spec.timeouts.lock as the runner reads it: seconds, a decimal number ("5", "0.5"). */
  static String tableLockTimeoutSeconds(DatabaseMigration owner) {
    String lock =
        owner.getSpec().getTimeouts() == null ? null : owner.getSpec().getTimeouts().getLock();
    Duration timeout = DurationParser.parseOr(lock, DEFAULT_TABLE_LOCK_TIMEOUT);
    return BigDecimal.valueOf(Math.max(1, timeout.toMillis()), 3)
        .stripTrailingZeros()
        .toPlainString();
  }

  public static Job build(DatabaseMigration owner, JobRequest request) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.NAME, Labels.NAME_VALUE);
    labels.put(
        Labels.INSTANCE, JobNames.fit(owner.getMetadata().getName(), JobNames.MAX_LABEL_VALUE));
    labels.put(
        Labels.RESOURCE, JobNames.fit(owner.getMetadata().getName(), JobNames.MAX_LABEL_VALUE));
    labels.put(Labels.STAGE, request.stage().name().toLowerCase(Locale.ROOT));
    labels.put(Labels.ROLLOUT, JobNames.fit(request.rolloutId(), JobNames.MAX_LABEL_VALUE));

    JobTemplateSpec template =
        owner.getSpec().getJobTemplate() == null
            ? new JobTemplateSpec()
            : owner.getSpec().getJobTemplate();
    Map<String, String> podLabels = new LinkedHashMap<>();
    if (template.getPodLabels() != null) {
      podLabels.putAll(template.getPodLabels());
    }
    podLabels.putAll(labels);
    // A service-mesh sidecar would keep the pod running after kiki-migrate exited; the operator
    // reads kiki-migrate's
    // own result anyway, and a pod may opt back in with spec.jobTemplate.podAnnotations.
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    podAnnotations.put(ISTIO_INJECT, "false");
    if (template.getPodAnnotations() != null) {
      podAnnotations.putAll(template.getPodAnnotations());
    }

    List<VolumeMount> mounts = new ArrayList<>();
    List<Volume> volumes = new ArrayList<>();
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    if (request.backupClaim() != null) {
      mounts.add(new VolumeMountBuilder().withName("backups").withMountPath(BACKUP_DIR).build());
      volumes.add(
          new VolumeBuilder()
              .withName("backups")
              .withNewPersistentVolumeClaim()
              .withClaimName(request.backupClaim())
              .endPersistentVolumeClaim()
              .build());
    }

    List<EnvVar> env = new ArrayList<>();
    env.add(
        new EnvVarBuilder()
            .withName(DATABASE_URL_ENV)
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName(request.databaseUrl().getName())
            .withKey(request.databaseUrl().getKey())
            .endSecretKeyRef()
            .endValueFrom()
            .build());
    env.add(
        new EnvVarBuilder()
            .withName(TABLE_LOCK_TIMEOUT_ENV)
            .withValue(tableLockTimeoutSeconds(owner))
            .build());
    env.add(new EnvVarBuilder().withName("HOME").withValue("/tmp").build());
    new TreeMap<>(request.env()).forEach((name, value) -> env.add(new EnvVar(name, value, null)));
    new TreeMap<>(request.secretEnv())
        .forEach(
            (name, ref) ->
                env.add(
                    new EnvVarBuilder()
                        .withName(name)
                        .withNewValueFrom()
                        .withNewSecretKeyRef()
                        .withName(ref.getName())
                        .withKey(ref.getKey())
                        .endSecretKeyRef()
                        .endValueFrom()
                        .build()));

    Container container =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(request.image())
            .withCommand("kiki-migrate")
            .withArgs(request.args())
            .withEnv(env)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withResources(template.getResources())
            .withVolumeMounts(mounts)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withAllowPrivilegeEscalation(false)
            .withPrivileged(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .build();

    var podSpec =
        new PodSpecBuilder()
            .withRestartPolicy("Never")
            .withServiceAccountName(template.getServiceAccountName())
            .withAutomountServiceAccountToken(false)
            .withNodeSelector(template.getNodeSelector())
            .withTolerations(template.getTolerations())
            .withImagePullSecrets(template.getImagePullSecrets())
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(RUN_AS_USER)
            .withRunAsGroup(RUN_AS_USER)
            .withFsGroup(RUN_AS_USER)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .withContainers(container)
            .withVolumes(volumes)
            .build();

    return new JobBuilder()
        .withNewMetadata()
        .withName(request.name())
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(Math.max(1, request.deadline().toSeconds()))
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(podAnnotations)
        .endMetadata()
        .withSpec(podSpec)
        .endTemplate()
        .endSpec()
        .build();
  }
}
