package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Jobs that vanish, cannot start, or whose pod runs on after kiki-migrate exited. The mock API runs
 * no Job controller or kubelet: the test writes the pod states a kubelet would (its claims are
 * about the operator's reading of them).
 */
class JobLifecycleIT extends MockClusterTestBase {

  /** Waits until the rollout is in {@code stage} and has recorded the UID of that stage's Job. */
  private Job awaitRecordedJob(RolloutStage stage) {
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              DatabaseMigration resource = get("kiki-campaigns");
              return resource.getStatus() != null
                  && resource.getStatus().getRollout() != null
                  && resource.getStatus().getRollout().getStage() == stage
                  && resource.getStatus().getRollout().getJobUid() != null;
            });
    String name = get("kiki-campaigns").getStatus().getRollout().getJobs().get(stage);
    return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
  }

  @Test
  void migrateJobDeletedAfterTheMigrationRanGoesOnAndSaysTheResultWasLost() throws Exception {
    stamp("a1");
    kubelet.hold("upgrade");
    create(fixture("basic.yaml"));
    Job migrate = awaitRecordedJob(RolloutStage.Migrate);
    assertThat(get("kiki-campaigns").getStatus().getRollout().getJobUid())
        .isEqualTo(migrate.getMetadata().getUid());
    stamp("c3");
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(migrate.getMetadata().getName())
        .delete();

    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(ready.getStatus().getCurrentRevision()).isEqualTo("c3");
    assertThat(events("kiki-campaigns"))
        .filteredOn(e -> Reasons.MIGRATION_SUCCEEDED.equals(e.getReason()))
        .singleElement()
        .extracting(Event::getMessage)
        .asString()
        .contains("result was lost")
        .contains("at the target");
    assertThat(kubelet.jobNames())
        .filteredOn(n -> n.contains("-migrate-"))
        .as("never created again")
        .containsExactly("kiki-campaigns-migrate-1");
  }

  @Test
  void migrateJobDeletedWithTheDatabaseUnchangedFailsAndRunsNothingTwice() throws Exception {
    stamp("a1");
    kubelet.hold("upgrade");
    create(fixture("basic.yaml"));
    Job migrate = awaitRecordedJob(RolloutStage.Migrate);
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(migrate.getMetadata().getName())
        .delete();

    DatabaseMigration failed = awaitPhase("kiki-campaigns", Phase.Failed);
    assertCondition(failed, "Stalled", "True", Reasons.JOB_LOST, 1);
    assertThat(failed.getStatus().getMessage())
        .contains("kiki-campaigns-migrate-1")
        .contains("unchanged at a1");
    Thread.sleep(1000);
    assertThat(kubelet.jobNames())
        .filteredOn(n -> n.contains("-migrate-"))
        .containsExactly("kiki-campaigns-migrate-1");
    assertThat(revision()).isEqualTo("a1");
  }

  @Test
  void planJobDeletedRunsOnceMoreAsARecordedAttempt() throws Exception {
    kubelet.hold("plan");
    create(fixture("basic.yaml"));
    Job plan = awaitRecordedJob(RolloutStage.Plan);
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(plan.getMetadata().getName())
        .delete();
    kubelet.resume();
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(ready.getStatus().getRollout().getJobs().get(RolloutStage.Plan))
        .isEqualTo("kiki-campaigns-plan-1-2");
    assertThat(eventReasons("kiki-campaigns")).containsOnlyOnce(Reasons.JOB_LOST);
  }

  @Test
  void aPodThatCannotPullItsImageIsInStatusAndAnEventAndAnInvalidImageNameFailsEarly()
      throws Exception {
    kubelet.hold("plan");
    create(fixture("basic.yaml"));
    Job plan = awaitRecordedJob(RolloutStage.Plan);
    Pod pod =
        client
            .pods()
            .inNamespace(namespace)
            .resource(
                podOf(
                    plan,
                    "ErrImagePull",
                    "rpc error: registry.example.com/kiki/migrations:2: not found"))
            .create();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                get("kiki-campaigns").getStatus().getConditions().stream()
                    .anyMatch(
                        c ->
                            "Reconciling".equals(c.getType())
                                && "ErrImagePull".equals(c.getReason())));
    assertThat(get("kiki-campaigns").getStatus().getMessage())
        .contains("ErrImagePull")
        .contains("not found");
    assertThat(eventReasons("kiki-campaigns")).containsOnlyOnce("ErrImagePull");

    // The image shows up and the container runs: the status stops saying ErrImagePull.
    pod.getStatus().getContainerStatuses().get(0).getState().setWaiting(null);
    pod.getStatus()
        .getContainerStatuses()
        .get(0)
        .getState()
        .setRunning(
            new io.fabric8.kubernetes.api.model.ContainerStateRunningBuilder()
                .withStartedAt("2026-11-29T10:00:00Z")
                .build());
    pod = client.pods().inNamespace(namespace).resource(pod).updateStatus();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                get("kiki-campaigns").getStatus().getConditions().stream()
                    .anyMatch(
                        c ->
                            "Reconciling".equals(c.getType()) && "Planning".equals(c.getReason())));
    assertThat(get("kiki-campaigns").getStatus().getMessage())
        .isEqualTo("plan Job kiki-campaigns-plan-1 is running");

    pod.getStatus().getContainerStatuses().get(0).getState().setRunning(null);
    pod.getStatus()
        .getContainerStatuses()
        .get(0)
        .getState()
        .setWaiting(
            new io.fabric8.kubernetes.api.model.ContainerStateWaitingBuilder()
                .withReason("InvalidImageName")
                .withMessage("rpc error: registry.example.com/kiki/migrations:2: not found")
                .build());
    client.pods().inNamespace(namespace).resource(pod).updateStatus();
    DatabaseMigration failed = awaitPhase("kiki-campaigns", Phase.Failed);
    assertCondition(failed, "Stalled", "True", Reasons.JOB_CANNOT_START, 1);
    assertThat(failed.getStatus().getMessage())
        .contains("InvalidImageName")
        .contains("never start");
  }

  /**
   * Istio's proxy keeps the pod (and so the Job) running after kiki-migrate exited: its own result
   * counts.
   */
  @Test
  void theResultComesFromTheKikiMigrateContainerWhileASidecarRuns() throws Exception {
    stamp("c3");
    kubelet.hold("plan");
    create(fixture("basic.yaml"));
    Job plan = awaitRecordedJob(RolloutStage.Plan);
    Pod pod = podOf(plan, null, null);
    pod.getStatus().setPhase("Running");
    pod.getStatus().getContainerStatuses().get(0).getState().setWaiting(null);
    pod.getStatus()
        .getContainerStatuses()
        .get(0)
        .getState()
        .setTerminated(
            new io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder()
                .withExitCode(0)
                .withReason("Completed")
                .withMessage(
                    "{\"ok\": true, "
                        + "\"command\": \"plan\", \"current\": [\"c3\"], \"heads\": [\"c3\"], \"target\": \"c3\", \"direction\": "
                        + "\"none\", \"steps\": [], \"stepCount\": 0, \"planHash\": \"p0\"}")
                .build());
    pod.getStatus()
        .getContainerStatuses()
        .add(
            new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                .withName("istio-proxy")
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-11-29T10:00:00Z")
                .endRunning()
                .endState()
                .build());
    client.pods().inNamespace(namespace).resource(pod).create();
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.UP_TO_DATE, 1);
    assertThat(
            client
                .batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(plan.getMetadata().getName())
                .get()
                .getStatus())
        .as("the Job itself never finished")
        .isNull();
  }

  private Pod podOf(Job job, String waitingReason, String waitingMessage) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(job.getMetadata().getName() + "-x1y2z")
        .withNamespace(namespace)
        .addToLabels("batch.kubernetes.io/job-name", job.getMetadata().getName())
        .addToLabels("batch.kubernetes.io/controller-uid", job.getMetadata().getUid())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .withNewStatus()
        .withPhase("Pending")
        .addNewContainerStatus()
        .withName("kiki-migrate")
        .withNewState()
        .withNewWaiting()
        .withReason(waitingReason)
        .withMessage(waitingMessage)
        .endWaiting()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  /**
   * The plan pod cannot reach the database, again and again: five Jobs, backed off, then Failed
   * with the reason.
   */
  @Test
  void transientFailuresAreRetriedFiveTimesWithBackoffThenStall() throws Exception {
    kubelet.fail(
        "plan",
        new TestingKubelet.Failure(RunnerError.DATABASE_UNREACHABLE, "connection refused", null));
    long started = System.nanoTime();
    create(fixture("basic.yaml"));
    DatabaseMigration failed = awaitPhase("kiki-campaigns", Phase.Failed);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertCondition(failed, "Stalled", "True", Reasons.DATABASE_UNREACHABLE, 1);
    assertThat(failed.getStatus().getMessage())
        .contains("gave up after 5 attempts")
        .contains("connection refused");
    assertThat(kubelet.jobNames())
        .containsExactly(
            "kiki-campaigns-plan-1",
            "kiki-campaigns-plan-1-2",
            "kiki-campaigns-plan-1-3",
            "kiki-campaigns-plan-1-4",
            "kiki-campaigns-plan-1-5");
    // fast(): backoff 200ms doubling, so at least 200 + 400 + 800 + 1600 ms between the five Jobs.
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(3000));
    Thread.sleep(1500);
    assertThat(kubelet.jobNames()).as("no more Jobs once Failed").hasSize(5);
  }
}
