package io.kiki.migrations.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.JobTemplateSpec;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.SecretKeyRef;
import io.kiki.migrations.api.v1alpha1.TimeoutsSpec;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.job.JobFactory.JobRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobFactoryTest {

  @Test
  void migrateJobIsRestrictedOwnedAndGetsTheUrlOnlyFromTheSecret() {
    DatabaseMigration owner = TestingResources.resource();
    JobTemplateSpec template = new JobTemplateSpec();
    template.setServiceAccountName("kiki-jobs");
    template.setPodLabels(Map.of("team", "kiki", "app.kubernetes.io/managed-by", "someone-else"));
    owner.getSpec().setJobTemplate(template);
    Job job =
        JobFactory.build(
            owner,
            new JobRequest(
                "kiki-campaigns-migrate-3",
                RolloutStage.Migrate,
                "3",
                "kiki/migrations:2",
                List.of("upgrade", "--target", "c3"),
                Duration.ofMinutes(30),
                new SecretKeyRef("kiki-db", "KIKI_DATABASE_URL"),
                null));

    assertThat(job.getMetadata().getName()).isEqualTo("kiki-campaigns-migrate-3");
    assertThat(job.getMetadata().getNamespace()).isEqualTo("kiki");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "kiki-migrations-operator")
        .containsEntry("migrations.kiki.io/resource", "kiki-campaigns")
        .containsEntry("migrations.kiki.io/stage", "migrate")
        .containsEntry("migrations.kiki.io/rollout", "3");
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getController()).isTrue();
              assertThat(ref.getUid()).isEqualTo("uid-1");
              assertThat(ref.getKind()).isEqualTo("DatabaseMigration");
            });
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "kiki")
        .containsEntry("app.kubernetes.io/managed-by", "kiki-migrations-operator");

    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getServiceAccountName()).isEqualTo("kiki-jobs");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container container = pod.getContainers().get(0);
    assertThat(container.getName()).isEqualTo("kiki-migrate");
    assertThat(container.getCommand()).containsExactly("kiki-migrate");
    assertThat(container.getArgs()).containsExactly("upgrade", "--target", "c3");
    assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals("KIKI_DATABASE_URL"))
        .singleElement()
        .satisfies(
            env -> {
              assertThat(env.getValue()).isNull();
              assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kiki-db");
              assertThat(env.getValueFrom().getSecretKeyRef().getKey())
                  .isEqualTo("KIKI_DATABASE_URL");
            });
    assertThat(container.getVolumeMounts()).extracting("mountPath").containsExactly("/tmp");
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void backupJobsMountTheClaimAtBackups() {
    Job job =
        JobFactory.build(
            TestingResources.resource(),
            new JobRequest(
                "kiki-campaigns-backup-3",
                RolloutStage.Backup,
                "3",
                "kiki/migrations:2",
                List.of("backup"),
                Duration.ofSeconds(90),
                new SecretKeyRef("kiki-db", "url"),
                "kiki-backups"));
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .extracting("mountPath")
        .containsExactly("/tmp", "/backups");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .singleElement()
        .satisfies(
            v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("kiki-backups"));
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(90L);
  }

  @Test
  void theTableLockTimeoutOfTheSpecReachesTheRunnerInSeconds() {
    DatabaseMigration owner = TestingResources.resource();
    JobRequest request =
        new JobRequest(
            "kiki-campaigns-migrate-3",
            RolloutStage.Migrate,
            "3",
            "kiki/migrations:2",
            List.of("upgrade", "--target", "c3"),
            Duration.ofMinutes(30),
            new SecretKeyRef("kiki-db", "url"),
            null);
    assertThat(lockTimeout(JobFactory.build(owner, request))).as("default 5s").isEqualTo("5");

    TimeoutsSpec timeouts = new TimeoutsSpec();
    timeouts.setLock("1500ms");
    owner.getSpec().setTimeouts(timeouts);
    assertThat(lockTimeout(JobFactory.build(owner, request))).isEqualTo("1.5");
    timeouts.setLock("2m");
    assertThat(lockTimeout(JobFactory.build(owner, request))).isEqualTo("120");
  }

  private static String lockTimeout(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals(JobFactory.TABLE_LOCK_TIMEOUT_ENV))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  /**
   * A 73-character resource name: every label value and the Job name fit Kubernetes' 63, the stage
   * stays visible.
   */
  @Test
  void longResourceNamesFitEveryLabelAndName() {
    DatabaseMigration owner = TestingResources.resource();
    String name = "kiki-campaigns-" + "x".repeat(58);
    assertThat(name).hasSize(73);
    owner.getMetadata().setName(name);
    String jobName = JobNames.forStage(name, RolloutStage.Migrate, "12", 2);
    Job job =
        JobFactory.build(
            owner,
            new JobRequest(
                jobName,
                RolloutStage.Migrate,
                "12",
                "kiki/migrations:2",
                List.of("upgrade", "--target", "c3"),
                Duration.ofMinutes(30),
                new SecretKeyRef("kiki-db", "URL"),
                null));
    assertThat(job.getMetadata().getName())
        .hasSizeLessThanOrEqualTo(63)
        .endsWith("-migrate-12-2")
        .startsWith("kiki-campaigns-xxx")
        .matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    Map<String, String> labels = job.getMetadata().getLabels();
    labels
        .values()
        .forEach(
            v ->
                assertThat(v)
                    .hasSizeLessThanOrEqualTo(63)
                    .matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"));
    job.getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels()
        .values()
        .forEach(v -> assertThat(v).hasSizeLessThanOrEqualTo(63));
    assertThat(labels.get("migrations.kiki.io/resource"))
        .startsWith("kiki-campaigns-xxx")
        .isEqualTo(JobNames.fit(name, 63))
        .isNotEqualTo(JobNames.fit(name + "y", 63));
    String longest = "k".repeat(253);
    assertThat(JobNames.forStage(longest, RolloutStage.Restore, "100000", 5))
        .hasSizeLessThanOrEqualTo(63)
        .endsWith("-restore-100000-5");
    assertThat(JobNames.fit(longest, JobNames.MAX_BACKUP_NAME))
        .hasSizeLessThanOrEqualTo(100)
        .matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$");
  }

  @Test
  void podsOptOutOfSidecarInjectionUnlessTheTemplateSaysOtherwise() {
    DatabaseMigration owner = TestingResources.resource();
    JobRequest request =
        new JobRequest(
            "kiki-campaigns-plan-3",
            RolloutStage.Plan,
            "3",
            "kiki/migrations:2",
            List.of("plan", "--target", "head"),
            Duration.ofMinutes(2),
            new SecretKeyRef("kiki-db", "URL"),
            null);
    assertThat(
            JobFactory.build(owner, request).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsExactly(Map.entry("sidecar.istio.io/inject", "false"));
    JobTemplateSpec template = new JobTemplateSpec();
    template.setPodAnnotations(
        Map.of("sidecar.istio.io/inject", "true", "example.com/team", "kiki"));
    owner.getSpec().setJobTemplate(template);
    assertThat(
            JobFactory.build(owner, request).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("sidecar.istio.io/inject", "true")
        .containsEntry("example.com/team", "kiki");
  }

  @Test
  void aRequestsPlainEnvironmentFollowsTheFixedVariablesInNameOrder() {
    DatabaseMigration owner = TestingResources.resource();
    Job job =
        JobFactory.build(
            owner,
            new JobRequest(
                "kiki-campaigns-backup-3",
                RolloutStage.Backup,
                "3",
                "kiki/migrations:2",
                List.of("backup"),
                Duration.ofMinutes(30),
                new SecretKeyRef("kiki-db", "KIKI_DATABASE_URL"),
                "kiki-backups",
                Map.of(
                    "KIKI_VERSION_TABLE_SCHEMA",
                    "kiki_meta",
                    "KIKI_VERSION_TABLE",
                    "kiki_version")));

    Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnv())
        .extracting("name")
        .containsExactly(
            "KIKI_DATABASE_URL",
            JobFactory.TABLE_LOCK_TIMEOUT_ENV,
            "HOME",
            "KIKI_VERSION_TABLE",
            "KIKI_VERSION_TABLE_SCHEMA");
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().startsWith("KIKI_VERSION_TABLE"))
        .extracting("value")
        .containsExactly("kiki_version", "kiki_meta");
  }

  @Test
  void theRehearsalsServerUrlComesFromItsSecretNeverAsAValue() {
    Job job =
        JobFactory.build(
            TestingResources.resource(),
            new JobRequest(
                "kiki-campaigns-rehearse-3",
                RolloutStage.Rehearse,
                "3",
                "kiki/migrations:2",
                List.of("rehearse"),
                Duration.ofMinutes(30),
                new SecretKeyRef("kiki-db", "KIKI_DATABASE_URL"),
                "kiki-backups",
                Map.of("KIKI_REHEARSAL_CHECKS", "[]"),
                Map.of("KIKI_REHEARSAL_SERVER_URL", new SecretKeyRef("scratch-server", "URL"))));

    Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    var server =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("KIKI_REHEARSAL_SERVER_URL"))
            .findFirst()
            .orElseThrow();
    assertThat(server.getValue()).isNull();
    assertThat(server.getValueFrom().getSecretKeyRef().getName()).isEqualTo("scratch-server");
    assertThat(server.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("URL");
  }
}
