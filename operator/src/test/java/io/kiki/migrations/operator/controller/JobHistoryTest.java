package io.kiki.migrations.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.job.Labels;
import io.kiki.migrations.operator.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which of a resource's Jobs the history limits delete. */
class JobHistoryTest {
  DatabaseMigration resource;
  List<Job> jobs = new ArrayList<>();

  @BeforeEach
  void sixRollouts() {
    resource = TestingResources.resource();
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    // newest first: 6 Ready, 5 RolledBack, 4 Ready, 3 Failed, 2 Ready, 1 Ready
    Phase[] outcomes = {
      Phase.Ready, Phase.RolledBack, Phase.Ready, Phase.Failed, Phase.Ready, Phase.Ready
    };
    for (int i = 0; i < outcomes.length; i++) {
      String id = String.valueOf(6 - i);
      HistoryEntry entry = new HistoryEntry();
      entry.setId(id);
      entry.setOutcome(outcomes[i]);
      status.getHistory().add(entry);
      jobs.add(job("kiki-campaigns-plan-" + id, id, "uid-1"));
      jobs.add(job("kiki-campaigns-migrate-" + id, id, "uid-1"));
    }
    Rollout last = new Rollout();
    last.setId("6");
    status.setRollout(last);
    status.setPhase(Phase.Ready);
    resource.setStatus(status);
  }

  static Job job(String name, String rollout, String ownerUid) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("kiki")
        .addToLabels(Labels.ROLLOUT, rollout)
        .addNewOwnerReference()
        .withApiVersion("migrations.kiki.io/v1alpha1")
        .withKind("DatabaseMigration")
        .withName("kiki-campaigns")
        .withUid(ownerUid)
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .build();
  }

  List<String> deletedRollouts() {
    return JobHistory.toDelete(resource, jobs).stream()
        .map(j -> j.getMetadata().getLabels().get(Labels.ROLLOUT))
        .distinct()
        .sorted()
        .toList();
  }

  @Test
  void defaultsKeepTheLastThreeSuccessfulAndTheLastFailedRollouts() {
    assertThat(deletedRollouts()).containsExactly("1", "3");
  }

  @Test
  void limitsOfOneKeepTheLastOfEach() {
    resource.getSpec().setSuccessfulJobsHistoryLimit(1);
    resource.getSpec().setFailedJobsHistoryLimit(1);
    assertThat(deletedRollouts()).containsExactly("1", "2", "3", "4");
  }

  @Test
  void zeroKeepsNoneOnceTheRolloutIsOver() {
    resource.getSpec().setSuccessfulJobsHistoryLimit(0);
    resource.getSpec().setFailedJobsHistoryLimit(0);
    assertThat(deletedRollouts()).containsExactly("1", "2", "3", "4", "5", "6");
  }

  @Test
  void theRolloutInFlightOrHoldingKeepsItsJobs() {
    resource.getSpec().setSuccessfulJobsHistoryLimit(0);
    resource.getSpec().setFailedJobsHistoryLimit(0);
    Rollout running = new Rollout();
    running.setId("7");
    resource.getStatus().setRollout(running);
    resource.getStatus().setPhase(Phase.Migrating);
    jobs.add(job("kiki-campaigns-migrate-7", "7", "uid-1"));
    assertThat(deletedRollouts()).doesNotContain("7");
    running.setHeldBy("Suspended");
    resource.getStatus().setPhase(Phase.Suspended);
    assertThat(deletedRollouts()).doesNotContain("7");
  }

  @Test
  void aPredecessorsJobsAreNeverDeleted() {
    resource.getSpec().setSuccessfulJobsHistoryLimit(0);
    resource.getSpec().setFailedJobsHistoryLimit(0);
    jobs.clear();
    jobs.add(job("kiki-campaigns-migrate-1", "1", "uid-of-a-deleted-predecessor"));
    assertThat(JobHistory.toDelete(resource, jobs)).isEmpty();
  }

  @Test
  void rolloutsThatFoundNothingToDoDoNotPushARealRolloutsJobsOut() {
    resource.getSpec().setSuccessfulJobsHistoryLimit(1);
    resource.getSpec().setFailedJobsHistoryLimit(1);
    // Two newer rollouts whose plan found the database at the target: only a plan Job each.
    for (String id : List.of("7", "8")) {
      HistoryEntry noOp = new HistoryEntry();
      noOp.setId(id);
      noOp.setOutcome(Phase.Ready);
      noOp.setReason(Reasons.UP_TO_DATE);
      resource.getStatus().getHistory().add(0, noOp);
      jobs.add(job("kiki-campaigns-plan-" + id, id, "uid-1"));
    }
    resource.getStatus().getRollout().setId("8");
    assertThat(deletedRollouts())
        .as(
            "6, the last real successful rollout, and 5, the last failed one, keep their Jobs;"
                + " of the no-op rollouts only the newest, 8, keeps its plan Job")
        .containsExactly("1", "2", "3", "4", "7");
  }

  @Test
  void noOpRolloutsKeepNothingWithALimitOfZero() {
    resource.getSpec().setSuccessfulJobsHistoryLimit(0);
    resource.getSpec().setFailedJobsHistoryLimit(0);
    HistoryEntry noOp = new HistoryEntry();
    noOp.setId("7");
    noOp.setOutcome(Phase.Ready);
    noOp.setReason(Reasons.UP_TO_DATE);
    resource.getStatus().getHistory().add(0, noOp);
    jobs.add(job("kiki-campaigns-plan-7", "7", "uid-1"));
    assertThat(deletedRollouts()).contains("7");
  }

  @Test
  void jobsOfRolloutsOlderThanTheHistoryGo() {
    jobs.add(job("kiki-campaigns-migrate-0", "0", "uid-1"));
    assertThat(deletedRollouts()).contains("0");
  }
}
