package io.kiki.migrations.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.RolloutStage;
import org.junit.jupiter.api.Test;

class JobNamesTest {

  @Test
  void nameIsResourceStageRolloutAndAttempt() {
    assertThat(JobNames.forStage("kiki-campaigns", RolloutStage.Plan, "7", 1))
        .isEqualTo("kiki-campaigns-plan-7");
    assertThat(JobNames.forStage("kiki-campaigns", RolloutStage.Migrate, "7", 2))
        .isEqualTo("kiki-campaigns-migrate-7-2");
  }

  @Test
  void longNamesAreCutToSixtyThreeWithAStableHash() {
    String longName = "a-very-long-database-migration-name-that-goes-on-and-on-and-on-x";
    String first = JobNames.forStage(longName, RolloutStage.Rollback, "12", 1);
    assertThat(first).hasSizeLessThanOrEqualTo(63).matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    assertThat(JobNames.forStage(longName, RolloutStage.Rollback, "12", 1)).isEqualTo(first);
    assertThat(JobNames.forStage(longName, RolloutStage.Rollback, "13", 1))
        .isNotEqualTo(first)
        .hasSize(first.length());
    assertThat(JobNames.forStage(longName, RolloutStage.Restore, "12", 1)).isNotEqualTo(first);
  }
}
