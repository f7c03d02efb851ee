package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApprovalStageTest {
  private static final String HASH = "abcdef0123456789";
  private final ApprovalStage stage = new ApprovalStage(Duration.ofSeconds(10));

  private static RolloutContext awaiting(DatabaseMigration resource) {
    resource.getSpec().setApproval(Approval.Manual);
    RolloutContext context = TestingResources.context(resource, RolloutStage.Approve, "a1");
    context.rollout().setPlanHash(HASH);
    context.rollout().setPlanConfigMap("kiki-campaigns-plan");
    return context;
  }

  private static FieldsV1 fields(Map<String, Object> owned) {
    FieldsV1 fields = new FieldsV1();
    owned.forEach(fields::setAdditionalProperty);
    return fields;
  }

  @Test
  void withoutTheAnnotationTheRolloutWaitsAndSaysHowToApprove() {
    StageResult result = stage.run(awaiting(TestingResources.resource()));
    assertThat(result).isInstanceOf(StageResult.Waiting.class);
    StageResult.Waiting waiting = (StageResult.Waiting) result;
    assertThat(waiting.reason()).isEqualTo(Reasons.AWAITING_APPROVAL);
    assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(10));
    assertThat(waiting.message())
        .contains("plan " + HASH + " awaits approval")
        .contains("kubectl dbm plan kiki-campaigns -n kiki`")
        .contains("kubectl dbm approve kiki-campaigns " + HASH + " -n kiki`")
        .contains("kubectl annotate dbm kiki-campaigns -n kiki ")
        .contains("ConfigMap kiki-campaigns-plan")
        .contains("migrations.kiki.io/approve=" + HASH);
  }

  @Test
  void aStaleHashApprovesNothingAndSaysSo() {
    DatabaseMigration resource = TestingResources.resource();
    resource.getMetadata().setAnnotations(Map.of(Approval.ANNOTATION, "0000000000000000"));
    RolloutContext context = awaiting(resource);
    StageResult.Waiting waiting = (StageResult.Waiting) stage.run(context);
    assertThat(waiting.reason()).isEqualTo(Reasons.APPROVAL_STALE);
    assertThat(waiting.message())
        .contains("names 0000000000000000, but the current plan is " + HASH)
        .contains("that annotation approves nothing. Review it with")
        .doesNotContain("since it was reviewed");
    assertThat(context.rollout().getApprovedBy()).isNull();
  }

  @Test
  void theRightHashGoesOnAndRecordsTheManagerAndTimeOfTheAnnotation() {
    DatabaseMigration resource = TestingResources.resource();
    resource.getMetadata().setAnnotations(Map.of(Approval.ANNOTATION, HASH));
    resource
        .getMetadata()
        .setManagedFields(
            List.of(
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl-client-side-apply")
                    .withOperation("Update")
                    .withTime("2026-11-24T04:00:00Z")
                    .withFieldsV1(fields(Map.of("f:spec", Map.of("f:image", Map.of()))))
                    .build(),
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl-annotate")
                    .withOperation("Update")
                    .withTime("2026-11-24T04:55:00Z")
                    .withFieldsV1(
                        fields(
                            Map.of(
                                "f:metadata",
                                Map.of(
                                    "f:annotations",
                                    Map.of("f:" + Approval.ANNOTATION, Map.of())))))
                    .build()));
    BackupSpec backup = new BackupSpec();
    backup.setEnabled(true);
    resource.getSpec().setBackup(backup);
    RolloutContext context = awaiting(resource);

    StageResult result = stage.run(context);

    assertThat(result)
        .isEqualTo(
            new StageResult.Advance(
                RolloutStage.Backup,
                Reasons.APPROVED,
                "plan " + HASH + " approved by kubectl-annotate at 2026-11-24T04:55:00Z"));
    assertThat(context.rollout().getApprovedBy()).isEqualTo("kubectl-annotate");
    assertThat(context.rollout().getApprovedAt()).isEqualTo("2026-11-24T04:55:00Z");
  }

  @Test
  void withoutAManagedFieldsEntryTheApproverIsUnknownAndTheTimeIsWhenItWasSeen() {
    DatabaseMigration resource = TestingResources.resource();
    resource.getMetadata().setAnnotations(Map.of(Approval.ANNOTATION, " " + HASH + "\n"));
    RolloutContext context = awaiting(resource);

    StageResult result = stage.run(context);

    assertThat(result).isInstanceOf(StageResult.Advance.class);
    assertThat(((StageResult.Advance) result).next()).isEqualTo(RolloutStage.Migrate);
    assertThat(context.rollout().getApprovedBy()).isEqualTo(Approver.UNKNOWN);
    assertThat(context.rollout().getApprovedAt()).isEqualTo("2026-11-24T05:00:00Z");
  }

  @Test
  void aManualPlanGoesToApprovalAndTheMigrateJobNamesTheHash() {
    DatabaseMigration resource = TestingResources.resource();
    resource.getSpec().setApproval(Approval.Manual);
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");
    StageResult result =
        PlanStage.afterPlan(context, PlanStageTest.plan(List.of("a1"), "c3", "upgrade", List.of()));
    assertThat(((StageResult.Advance) result).next()).isEqualTo(RolloutStage.Approve);
    assertThat(MigrateStage.arguments(context))
        .containsExactly("upgrade", "--target", "c3", "--plan-hash", HASH);

    resource.getSpec().setApproval(Approval.Automatic);
    assertThat(MigrateStage.arguments(context)).containsExactly("upgrade", "--target", "c3");
  }
}
