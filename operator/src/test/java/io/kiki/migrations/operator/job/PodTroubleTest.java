package io.kiki.migrations.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Job's pod that does not start says why, in Kubernetes' words. */
class PodTroubleTest {
  final Instant now = Instant.parse("2026-11-29T10:00:00Z");
  final Job job =
      new JobBuilder()
          .withNewMetadata()
          .withName("kiki-campaigns-plan-1")
          .withCreationTimestamp("2026-11-29T09:59:00Z")
          .endMetadata()
          .build();

  static Pod waiting(String reason, String message) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("kiki-campaigns-plan-1-abcde")
        .endMetadata()
        .withNewStatus()
        .withPhase("Pending")
        .addNewContainerStatus()
        .withName("kiki-migrate")
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void imagePullErrorsAreReportedAndOnlyAnInvalidImageNameIsFinal() {
    JobOutcome.Running pull =
        PodTrouble.of(
                job,
                List.of(waiting("ErrImagePull", "manifest unknown")),
                now,
                Duration.ofSeconds(30))
            .orElseThrow();
    assertThat(pull.reason()).isEqualTo("ErrImagePull");
    assertThat(pull.message())
        .isEqualTo(
            "Job kiki-campaigns-plan-1: pod kiki-campaigns-plan-1-abcde container "
                + "kiki-migrate is waiting: ErrImagePull: manifest unknown");
    assertThat(pull.unresolvable()).isFalse();
    assertThat(
            PodTrouble.of(
                    job,
                    List.of(waiting("InvalidImageName", "couldn't parse image")),
                    now,
                    Duration.ofSeconds(30))
                .orElseThrow()
                .unresolvable())
        .isTrue();
    assertThat(
            PodTrouble.of(
                job, List.of(waiting("ContainerCreating", null)), now, Duration.ofSeconds(30)))
        .isEmpty();
  }

  @Test
  void unschedulableAndNoPodAtAll() {
    Pod unschedulable =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("persistentvolumeclaim \"kiki-backups\" not found")
            .endCondition()
            .endStatus()
            .build();
    JobOutcome.Running trouble =
        PodTrouble.of(job, List.of(unschedulable), now, Duration.ofSeconds(30)).orElseThrow();
    assertThat(trouble.reason()).isEqualTo("Unschedulable");
    assertThat(trouble.message()).contains("kiki-backups");
    JobOutcome.Running none =
        PodTrouble.of(job, List.of(), now, Duration.ofSeconds(30)).orElseThrow();
    assertThat(none.reason()).isEqualTo("FailedCreate");
    assertThat(none.message())
        .contains("no pod after 60s")
        .contains("kubectl describe job kiki-campaigns-plan-1");
    assertThat(PodTrouble.of(job, List.of(), now, Duration.ofMinutes(2))).as("young Job").isEmpty();
  }
}
