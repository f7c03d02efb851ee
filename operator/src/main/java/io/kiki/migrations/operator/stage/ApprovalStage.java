package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.util.Map;

/**
 * spec.approval Manual: the planned rollout waits (phase AwaitingApproval) until the resource
 * carries the annotation {@value Approval#ANNOTATION} with the plan's hash. An annotation naming
 * another hash (an earlier plan, or any other value) approves nothing and the status says so.
 * Annotations do not change metadata.generation, and the controller reacts to generation changes
 * only, so the stage looks again every {@code KIKI_JOB_POLL_INTERVAL}.
 */
public class ApprovalStage implements Stage {
  private final Duration poll;

  public ApprovalStage(StageServices services) {
    this(services.config().jobPollInterval());
  }

  ApprovalStage(Duration poll) {
    this.poll = poll;
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Approve;
  }

  @Override
  public StageResult run(RolloutContext context) {
    Rollout rollout = context.rollout();
    String hash = rollout.getPlanHash();
    Map<String, String> annotations = context.resource().getMetadata().getAnnotations();
    String approved = annotations == null ? null : annotations.get(Approval.ANNOTATION);
    String review = reviewHint(context);
    if (approved == null || approved.isBlank()) {
      return new StageResult.Waiting(
          poll,
          "plan "
              + hash
              + " awaits approval (spec.approval Manual): "
              + review
              + ", then `kubectl dbm approve "
              + context.name()
              + " "
              + hash
              + namespaceFlag(context)
              + "` or `kubectl annotate dbm "
              + context.name()
              + namespaceFlag(context)
              + " "
              + Approval.ANNOTATION
              + "="
              + hash
              + "`",
          Reasons.AWAITING_APPROVAL);
    }
    if (!approved.trim().equals(hash)) {
      return new StageResult.Waiting(
          poll,
          "the annotation "
              + Approval.ANNOTATION
              + " names "
              + approved.trim()
              + ", but the current plan is "
              + hash
              + ": that annotation approves nothing. "
              + capitalized(review)
              + " and approve "
              + hash,
          Reasons.APPROVAL_STALE);
    }
    Approver approver = Approver.of(context.resource(), context.now());
    rollout.setApprovedBy(approver.manager());
    rollout.setApprovedAt(approver.time());
    return new StageResult.Advance(
        PlanStage.afterApproval(context),
        Reasons.APPROVED,
        "plan " + hash + " approved by " + approver.manager() + " at " + approver.time());
  }

  private static String reviewHint(RolloutContext context) {
    String configMap = context.rollout().getPlanConfigMap();
    String command = "`kubectl dbm plan " + context.name() + namespaceFlag(context) + "`";
    return configMap == null
        ? "review it with " + command
        : "review it with " + command + " (ConfigMap " + configMap + ")";
  }

  /** The commands printed work from any namespace (kubectl's default is rarely the resource's). */
  private static String namespaceFlag(RolloutContext context) {
    return context.namespace() == null ? "" : " -n " + context.namespace();
  }

  private static String capitalized(String sentence) {
    return sentence.isEmpty()
        ? sentence
        : Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
  }
}
