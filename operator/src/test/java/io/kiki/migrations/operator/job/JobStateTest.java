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
    Job complete = new JobBuilder().withNewStatus().addNewCondition().withType("Complete").withStatus("True").endCondition()
        .endStatus().build();
    assertThat(JobState.of(complete).kind()).isEqualTo(JobState.Kind.SUCCEEDED);
    Job deadline = new JobBuilder().withNewStatus().addNewCondition().withType("Failed").withStatus("True")
        .withReason("DeadlineExceeded").withMessage("Job was active longer than specified deadline").endCondition()
        .endStatus().build();
    JobState failed = JobState.of(deadline);
    assertThat(failed.kind()).isEqualTo(JobState.Kind.FAILED);
    assertThat(failed.reason()).isEqualTo("DeadlineExceeded");
  }

  @Test
  void countersBeforeConditions() {
    assertThat(JobState.of(new JobBuilder().withNewStatus().withActive(1).endStatus().build()).kind())
        .isEqualTo(JobState.Kind.RUNNING);
    assertThat(JobState.of(new JobBuilder().withNewStatus().withFailed(1).endStatus().build()).kind())
        .isEqualTo(JobState.Kind.FAILED);
    assertThat(JobState.of(new JobBuilder().withNewStatus().withSucceeded(1).endStatus().build()).kind())
        .isEqualTo(JobState.Kind.SUCCEEDED);
  }
}
