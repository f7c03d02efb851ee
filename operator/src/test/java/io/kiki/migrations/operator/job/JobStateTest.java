package io.kiki.migrations.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kiki.migrations.operator.job.JobRunner.JobState;
import org.junit.jupiter.api.Test;

class JobStateTest {

  @Test
  void conditionsDecide() {
    assertThat(JobState.of(new JobBuilder().build()).kind()).isEqualTo(JobState.Kind.RUNNING);
    Job complete =
        new JobBuilder()
            .withNewStatus()
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    assertThat(JobState.of(complete).kind()).isEqualTo(JobState.Kind.SUCCEEDED);
    Job deadline =
        new JobBuilder()
            .withNewStatus()
            .addNewCondition()
            .withType("Failed")
            .withStatus("True")
            .withReason("DeadlineExceeded")
            .withMessage("Job was active longer than specified deadline")
            .endCondition()
            .endStatus()
            .build();
    JobState failed = JobState.of(deadline);
    assertThat(failed.kind()).isEqualTo(JobState.Kind.FAILED);
    assertThat(failed.reason()).isEqualTo("DeadlineExceeded");
  }

  @Test
  void aJobWhosePodsAreStillStoppingHasNotFailedYet() {
    Job failing =
        new JobBuilder()
            .withNewStatus()
            .withFailed(1)
            .addNewCondition()
            .withType("FailureTarget")
            .withStatus("True")
            .withReason("DeadlineExceeded")
            .endCondition()
            .endStatus()
            .build();
    assertThat(JobState.of(failing).kind())
        .as("the Failed condition, with the reason, follows")
        .isEqualTo(JobState.Kind.RUNNING);
  }

  @Test
  void theFailureMessageKeepsTheJobsReasonTheDeadlineAndThePodTrouble() {
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("unpull-plan-1")
            .endMetadata()
            .withNewSpec()
            .withActiveDeadlineSeconds(300L)
            .endSpec()
            .build();
    JobState deadline =
        new JobState(
            JobState.Kind.FAILED,
            "DeadlineExceeded",
            "Job was active longer than specified deadline");
    assertThat(
            JobRunner.failedMessage(
                job,
                deadline,
                java.util.Optional.of(
                    "Job unpull-plan-1: pod unpull-plan-1-x "
                        + "container kiki-migrate is waiting: ErrImagePull: pull access denied")))
        .isEqualTo(
            "Job unpull-plan-1 failed "
                + "(DeadlineExceeded, activeDeadlineSeconds 300): Job was active longer than specified deadline; its pod never "
                + "started: pod unpull-plan-1-x container kiki-migrate is waiting: ErrImagePull: pull access denied");
    assertThat(
            JobRunner.failedMessage(
                job, new JobState(JobState.Kind.FAILED, null, null), java.util.Optional.empty()))
        .isEqualTo("Job unpull-plan-1 failed");
  }

  @Test
  void countersBeforeConditions() {
    assertThat(
            JobState.of(new JobBuilder().withNewStatus().withActive(1).endStatus().build()).kind())
        .isEqualTo(JobState.Kind.RUNNING);
    assertThat(
            JobState.of(new JobBuilder().withNewStatus().withFailed(1).endStatus().build()).kind())
        .isEqualTo(JobState.Kind.FAILED);
    assertThat(
            JobState.of(new JobBuilder().withNewStatus().withSucceeded(1).endStatus().build())
                .kind())
        .isEqualTo(JobState.Kind.SUCCEEDED);
  }
}
