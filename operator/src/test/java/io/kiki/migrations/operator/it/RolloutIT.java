package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Rollouts that end Ready. */
class RolloutIT extends MockClusterTestBase {

  @Test
  void emptyDatabaseGoesToHeadWithBackupAndChecks() throws Exception {
    HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext(
        "/healthz",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    api.start();
    try {
      availableDeployment("kiki-api");
      DatabaseMigration resource = fixture("backup-and-checks.yaml");
      resource
          .getSpec()
          .getVerify()
          .getChecks()
          .get(1)
          .getHttp()
          .setUrl("http://127.0.0.1:" + api.getAddress().getPort() + "/healthz");
      create(resource);

      DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);

      assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 1);
      assertCondition(ready, "Reconciling", "False", Reasons.SUCCEEDED, 1);
      assertCondition(ready, "Stalled", "False", Reasons.SUCCEEDED, 1);
      assertThat(revision()).isEqualTo("c3");
      assertThat(ready.getStatus().getCurrentRevision()).isEqualTo("c3");
      assertThat(ready.getStatus().getTargetRevision()).isEqualTo("c3");
      assertThat(ready.getStatus().getAppliedImage()).isEqualTo(IMAGE_V2);
      assertThat(ready.getStatus().getRollout().getFrom()).isEqualTo("base");
      assertThat(ready.getStatus().getRollout().getConsecutivePasses()).isEqualTo(2);
      assertThat(ready.getStatus().getLastBackup().getRevision()).isEqualTo("base");
      assertThat(ready.getStatus().getLastBackup().getVerified()).isTrue();
      assertThat(ready.getStatus().getHistory()).hasSize(1);
      assertThat(ready.getStatus().getHistory().get(0).getOutcome()).isEqualTo(Phase.Ready);
      assertThat(ready.getStatus().getHistory().get(0).getBackupFile())
          .isEqualTo(ready.getStatus().getLastBackup().getFile());
      assertThat(kubelet.jobNames())
          .containsExactly(
              "kiki-campaigns-plan-1", "kiki-campaigns-backup-1", "kiki-campaigns-migrate-1");
      assertThat(eventReasons("kiki-campaigns"))
          .containsSubsequence(
              Reasons.PLAN_STARTED,
              Reasons.PLAN_SUCCEEDED,
              Reasons.BACKUP_STARTED,
              Reasons.BACKUP_SUCCEEDED,
              Reasons.MIGRATION_STARTED,
              Reasons.MIGRATION_SUCCEEDED,
              Reasons.VERIFY_STARTED,
              Reasons.SUCCEEDED);

      Job backup = kubelet.jobs().get(1);
      assertThat(backup.getSpec().getBackoffLimit()).isZero();
      assertThat(backup.getSpec().getActiveDeadlineSeconds()).isEqualTo(120L);
      assertThat(backup.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              owner -> {
                assertThat(owner.getController()).isTrue();
                assertThat(owner.getName()).isEqualTo("kiki-campaigns");
              });
      assertThat(backup.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", "kiki-migrations-operator")
          .containsEntry("migrations.kiki.io/stage", "backup")
          .containsEntry("migrations.kiki.io/resource", "kiki-campaigns");
      PodSpec pod = backup.getSpec().getTemplate().getSpec();
      assertThat(pod.getServiceAccountName()).isEqualTo("kiki-migrations-job");
      assertThat(backup.getSpec().getTemplate().getMetadata().getLabels())
          .containsEntry("team", "kiki");
      Container container = pod.getContainers().get(0);
      assertThat(container.getArgs())
          .containsExactly(
              "backup", "--dir", "/backups", "--name", "kiki-campaigns", "--keep", "3");
      assertThat(container.getVolumeMounts())
          .extracting("mountPath")
          .containsExactly("/tmp", "/backups");
      assertThat(
              kubelet
                  .jobs()
                  .get(2)
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .getArgs())
          .containsExactly("upgrade", "--target", "c3");
      assertThat(kubelet.jobs().get(2).getSpec().getActiveDeadlineSeconds()).isEqualTo(180L);

      String scrape = metrics.scrape();
      assertThat(scrape)
          .contains("kiki_migrations_rollouts_total{outcome=\"Ready\",reason=\"Succeeded\"} 1.0")
          .contains("kiki_migrations_backup_size_bytes_sum 2048.0")
          .contains(
              "kiki_migrations_phase{name=\"kiki-campaigns\",namespace=\""
                  + namespace
                  + "\",phase=\"Ready\"} 1.0")
          .contains("stage=\"Plan\"")
          .contains("stage=\"Backup\"")
          .contains("stage=\"Migrate\"")
          .contains("stage=\"Verify\"");
    } finally {
      api.stop(0);
    }
  }

  @Test
  void bumpOfTargetRevisionStartsANewRollout() throws Exception {
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setTargetRevision("b2");
    create(resource);
    DatabaseMigration first = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(first.getStatus().getCurrentRevision()).isEqualTo("b2");
    assertCondition(first, "Ready", "True", Reasons.SUCCEEDED, 1);

    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setTargetRevision("head");
          return r;
        });
    DatabaseMigration second = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(second, "Ready", "True", Reasons.SUCCEEDED, 2);
    assertThat(revision()).isEqualTo("c3");
    assertThat(second.getStatus().getRollout().getFrom()).isEqualTo("b2");
    assertThat(second.getStatus().getHistory()).extracting("to").containsExactly("c3", "b2");
    assertThat(kubelet.jobNames())
        .containsExactly(
            "kiki-campaigns-plan-1",
            "kiki-campaigns-migrate-1",
            "kiki-campaigns-plan-2",
            "kiki-campaigns-migrate-2");
  }

  @Test
  void targetAlreadyReachedRunsNoMigration() throws Exception {
    stamp("c3");
    create(fixture("basic.yaml"));
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.UP_TO_DATE, 1);
    assertThat(ready.getStatus().getCurrentRevision()).isEqualTo("c3");
    assertThat(kubelet.commands()).containsExactly("plan");
  }

  @Test
  void downgradeIsRefusedWithoutAllowDowngradeAndRunsWithIt() throws Exception {
    stamp("c3");
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setTargetRevision("a1");
    create(resource);
    DatabaseMigration blocked = awaitPhase("kiki-campaigns", Phase.Blocked);
    assertCondition(blocked, "Stalled", "True", Reasons.DOWNGRADE_NOT_ALLOWED, 1);
    assertCondition(blocked, "Ready", "False", Reasons.DOWNGRADE_NOT_ALLOWED, 1);
    assertThat(blocked.getStatus().getMessage()).contains("spec.allowDowngrade: true");
    assertThat(kubelet.commands()).containsExactly("plan");
    assertThat(revision()).isEqualTo("c3");

    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setAllowDowngrade(true);
          return r;
        });
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 2);
    assertThat(revision()).isEqualTo("a1");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-migrate-2")))
        .containsExactly("downgrade", "--target", "a1");
  }

  @Test
  void revertedImageDowngradesWithTheAppliedImage() throws Exception {
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setImage(IMAGE_V1);
    create(resource);
    awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(revision()).isEqualTo("b2");
    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setImage(IMAGE_V2);
          return r;
        });
    awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(revision()).isEqualTo("c3");
    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setImage(IMAGE_V1);
          r.getSpec().setAllowDowngrade(true);
          return r;
        });
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 3);
    assertThat(revision()).isEqualTo("b2");
    assertThat(ready.getStatus().getAppliedImage()).isEqualTo(IMAGE_V1);
    assertThat(ready.getStatus().getRollout().getImage()).isEqualTo(IMAGE_V2);
    assertThat(TestingKubelet.image(kubelet.job("kiki-campaigns-plan-3"))).isEqualTo(IMAGE_V1);
    assertThat(TestingKubelet.image(kubelet.job("kiki-campaigns-plan-3-2"))).isEqualTo(IMAGE_V2);
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-plan-3-2")))
        .containsExactly("plan", "--target", "b2");
    Job downgrade = kubelet.job("kiki-campaigns-migrate-3");
    assertThat(TestingKubelet.image(downgrade)).isEqualTo(IMAGE_V2);
    assertThat(TestingKubelet.args(downgrade)).containsExactly("downgrade", "--target", "b2");
  }

  /**
   * Without an earlier rollout of the reverted image, its revision comes from the runner's resolved
   * target.
   */
  @Test
  void revertedImageWithTargetHeadAndNoHistoryDowngradesWithTheAppliedImage() throws Exception {
    stamp("b2");
    create(fixture("basic.yaml"));
    DatabaseMigration upgraded = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(revision()).isEqualTo("c3");
    assertThat(upgraded.getStatus().getHistory()).noneMatch(h -> IMAGE_V1.equals(h.getImage()));
    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setImage(IMAGE_V1);
          r.getSpec().setAllowDowngrade(true);
          return r;
        });
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 2);
    assertThat(revision()).isEqualTo("b2");
    assertThat(ready.getStatus().getAppliedImage()).isEqualTo(IMAGE_V1);
    assertThat(ready.getStatus().getHistory().get(0).getDirection()).isEqualTo("downgrade");
    assertThat(TestingKubelet.args(kubelet.job("kiki-campaigns-plan-2")))
        .containsExactly("plan", "--target", "head");
    assertThat(TestingKubelet.image(kubelet.job("kiki-campaigns-plan-2-2"))).isEqualTo(IMAGE_V2);
    Job downgrade = kubelet.job("kiki-campaigns-migrate-2");
    assertThat(TestingKubelet.image(downgrade)).isEqualTo(IMAGE_V2);
    assertThat(TestingKubelet.args(downgrade)).containsExactly("downgrade", "--target", "b2");
  }

  private void availableDeployment(String name) {
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withGeneration(1L)
            .endMetadata()
            .withNewSpec()
            .withReplicas(1)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("api")
            .withImage("kiki/api:1")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .withNewStatus()
            .withObservedGeneration(1L)
            .withReplicas(1)
            .withUpdatedReplicas(1)
            .withAvailableReplicas(1)
            .addNewCondition()
            .withType("Available")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    client.apps().deployments().inNamespace(namespace).resource(deployment).create();
  }
}
