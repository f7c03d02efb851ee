package io.kiki.migrations.operator.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.LintReport;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.database.DatabaseLocks;
import io.kiki.migrations.operator.database.Redaction;
import io.kiki.migrations.operator.job.JobNames;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.stage.PlanLint;
import io.kiki.migrations.operator.stage.PlanThenMigrate;
import io.kiki.migrations.operator.stage.StageResult;
import io.kiki.migrations.operator.status.ConditionTypes;
import io.kiki.migrations.operator.status.Reasons;
import io.kiki.migrations.operator.status.StatusRecorder;
import io.kiki.migrations.operator.window.RolloutGates;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The rules of the rollout: what follows each stage result. Attempt counters, Job names, the
 * rollback's reason, the database lock, metrics, events and history all change here and nowhere
 * else; the reconciler only observes, runs the stage and writes the status this class built.
 */
final class RolloutTransitions {
  private final OperatorConfig config;
  private final OperatorMetrics metrics;
  private final DatabaseLocks locks;
  private final KubernetesClient client;
  private final RolloutGates gates;

  RolloutTransitions(
      OperatorConfig config,
      OperatorMetrics metrics,
      DatabaseLocks locks,
      KubernetesClient client) {
    this.config = config;
    this.metrics = metrics;
    this.locks = locks;
    this.client = client;
    this.gates = new RolloutGates(config.configRecheckInterval());
  }

  /**
   * Applies {@code result} of stage {@code current} to {@code status} (the rollout in it), at
   * {@code now}.
   */
  Decision apply(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      RolloutStage current,
      StageResult result,
      Instant now) {
    Rollout rollout = status.getRollout();
    long generation = rollout.getGeneration();
    Duration stageDuration =
        rollout.getStageStartedAt() == null
            ? Duration.ZERO
            : Duration.between(Instant.parse(rollout.getStageStartedAt()), now);
    if (result instanceof StageResult.Waiting waiting) {
      return waiting(status, waiting, generation, now);
    }
    if (result instanceof StageResult.Retry retry) {
      metrics.stageFinished(resource, current, "retried", stageDuration);
      rollout.setStageStartedAt(now.toString());
      int attempt = (rollout.getAttempt() == null ? 1 : rollout.getAttempt()) + 1;
      rollout.setAttempt(attempt);
      rollout.setJobUid(null);
      rollout.setNextAttemptAt(now.plus(retry.after()).toString());
      String job =
          JobNames.forStage(resource.getMetadata().getName(), current, rollout.getId(), attempt);
      if (current == RolloutStage.Plan) {
        PlanThenMigrate.renamePlanJob(rollout, job);
      } else {
        rollout.getJobs().set(current, job);
      }
      StatusRecorder.progressing(
          status, current.phase(), retry.reason(), retry.message(), generation, now);
      return new Decision().event(retry.reason(), retry.message()).requeue(retry.after());
    }
    if (result instanceof StageResult.PlannedAndMigrated both) {
      return plannedAndMigrated(resource, status, both, stageDuration, now);
    }
    if (result instanceof StageResult.Advance advance) {
      metrics.stageFinished(resource, current, "succeeded", stageDuration);
      if (current == RolloutStage.Backup
          && status.getLastBackup() != null
          && status.getLastBackup().getSizeBytes() != null) {
        metrics.backupTaken(resource, status.getLastBackup().getSizeBytes());
      }
      Decision entered =
          enter(resource, status, advance.next(), advance.reason(), advance.message(), now);
      LintReport lint = status.getRollout().getLint();
      if (current == RolloutStage.Plan && PlanLint.findings(lint) > 0) {
        entered.event(
            Reasons.LINT_FINDINGS, PlanLint.summary(lint) + ": " + PlanLint.details(lint));
      }
      return entered;
    }
    if (result instanceof StageResult.Undo undo) {
      metrics.stageFinished(resource, current, "failed", stageDuration);
      metrics.rollbackStarted(resource, undo.next(), undo.reason());
      if (rollout.getRollbackReason() == null) {
        rollout.setRollbackReason(undo.reason());
        rollout.setRollbackMessage(undo.cause());
      } else {
        // The downgrade back failed: the final message says so, after the failure that started the
        // rollback.
        rollout.setRollbackMessage(rollout.getRollbackMessage() + "; then " + undo.cause());
      }
      return enter(resource, status, undo.next(), undo.reason(), undo.message(), now);
    }
    if (result instanceof StageResult.Ready ready) {
      metrics.stageFinished(resource, current, "succeeded", stageDuration);
      metrics.rolloutFinished(resource, Phase.Ready, ready.reason());
      status.setAppliedImage(rollout.getRequestedImage());
      StatusRecorder.ready(status, ready.reason(), ready.message(), generation, now);
      StatusRecorder.addHistory(
          status,
          history(
              resource, rollout, generation, Phase.Ready, ready.reason(), ready.message(), now));
      locks.release(rollout.getDatabase(), DatabaseLocks.key(resource));
      // From now on the database is watched for leaving its target.
      return new Decision()
          .event(ready.reason(), ready.message())
          .requeue(config.configRecheckInterval());
    }
    if (result instanceof StageResult.RolledBack rolledBack) {
      metrics.stageFinished(resource, current, "succeeded", stageDuration);
      String event =
          current == RolloutStage.Restore ? Reasons.RESTORE_SUCCEEDED : Reasons.ROLLBACK_SUCCEEDED;
      return end(resource, status, Phase.RolledBack, rolledBack.reason(), rolledBack.message(), now)
          .event(event, rolledBack.message());
    }
    if (result instanceof StageResult.Failed failed) {
      metrics.stageFinished(resource, current, "failed", stageDuration);
      return end(resource, status, failed.outcome(), failed.reason(), failed.message(), now)
          .event(failed.reason(), failed.message());
    }
    if (result instanceof StageResult.Misconfigured misconfigured) {
      // Like every other URL problem: Stalled, and checked again once the Secret changes
      // (startRollout).
      rollout.setRefusedSecretVersion(secretVersion(resource));
      metrics.stageFinished(resource, current, "failed", stageDuration);
      return end(
              resource, status, Phase.Pending, misconfigured.reason(), misconfigured.message(), now)
          .event(misconfigured.reason(), misconfigured.message())
          .requeue(config.configRecheckInterval());
    }
    throw new IllegalStateException("unknown stage result " + result);
  }

  /**
   * One Job planned and migrated: the plan stage ends as succeeded (its event, its lint findings,
   * its share of the Job's time in the stage metric), then the migration's result is applied as the
   * migrate stage's, which ran for the rest. A transient failure of the migration runs the plan
   * stage (and so both) again as a new attempt.
   */
  private Decision plannedAndMigrated(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      StageResult.PlannedAndMigrated both,
      Duration jobDuration,
      Instant now) {
    Rollout rollout = status.getRollout();
    Decision planned = new Decision().event(Reasons.PLAN_SUCCEEDED, both.planMessage());
    LintReport lint = rollout.getLint();
    if (PlanLint.findings(lint) > 0) {
      planned.event(Reasons.LINT_FINDINGS, PlanLint.summary(lint) + ": " + PlanLint.details(lint));
    }
    if (both.migrated() instanceof StageResult.Retry) {
      return planned.then(apply(resource, status, RolloutStage.Plan, both.migrated(), now));
    }
    Duration migration =
        both.migration().compareTo(jobDuration) > 0 ? jobDuration : both.migration();
    metrics.stageFinished(resource, RolloutStage.Plan, "succeeded", jobDuration.minus(migration));
    rollout.setStage(RolloutStage.Migrate);
    rollout.setStageStartedAt(now.minus(migration).toString());
    return planned.then(apply(resource, status, RolloutStage.Migrate, both.migrated(), now));
  }

  private Decision waiting(
      DatabaseMigrationStatus status, StageResult.Waiting waiting, long generation, Instant now) {
    Decision decision = new Decision().requeue(waiting.requeueAfter());
    if (waiting.message() != null) {
      Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
      String reason = waiting.reason() != null ? waiting.reason() : status.getPhase().name();
      if (waiting.reason() != null
          && (reconciling == null || !reason.equals(reconciling.getReason()))) {
        decision.event(reason, waiting.message());
      }
      StatusRecorder.progressing(
          status, status.getPhase(), reason, waiting.message(), generation, now);
    }
    return decision;
  }

  /**
   * The rollout goes on with {@code next}: its first attempt, its Job's name recorded before the
   * Job exists.
   */
  private Decision enter(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      RolloutStage next,
      String reason,
      String message,
      Instant now) {
    Rollout rollout = status.getRollout();
    rollout.setStage(next);
    rollout.setStageStartedAt(now.toString());
    rollout.setAttempt(1);
    rollout.setJobUid(null);
    rollout.setNextAttemptAt(null);
    Decision decision = new Decision().event(reason, message);
    if (next == RolloutStage.Verify) {
      rollout.setVerifyStartedAt(now.toString());
      rollout.setConsecutivePasses(0);
      decision.event(Reasons.VERIFY_STARTED, "verifying " + checkCount(resource) + " check(s)");
    } else if (next != RolloutStage.Approve) {
      rollout
          .getJobs()
          .set(next, JobNames.forStage(resource.getMetadata().getName(), next, rollout.getId(), 1));
    }
    Optional<RolloutGates.Hold> hold = gates.check(resource, status, next, now);
    if (hold.isPresent()) {
      return hold(resource, status, hold.get(), now).event(reason, message);
    }
    status.setNextWindow(null);
    StatusRecorder.progressing(
        status, next.phase(), next.phase().name(), message, rollout.getGeneration(), now);
    return decision.requeue(config.stepDelay()).runNextStage();
  }

  /**
   * A rollout holding before its stage (spec.suspend, spec.maintenanceWindow): looked at again; it
   * goes on with the stage when nothing holds it any more.
   */
  Decision held(DatabaseMigration resource, DatabaseMigrationStatus status, Instant now) {
    Rollout rollout = status.getRollout();
    Optional<RolloutGates.Hold> hold = gates.check(resource, status, rollout.getStage(), now);
    if (hold.isPresent()) {
      return hold(resource, status, hold.get(), now);
    }
    String message =
        (RolloutGates.HELD_BY_WINDOW.equals(rollout.getHeldBy())
                ? "the maintenance window is open"
                : "resumed (spec.suspend: false)")
            + ": stage "
            + rollout.getStage()
            + " of the rollout of generation "
            + rollout.getGeneration()
            + " starts";
    rollout.setHeldBy(null);
    rollout.setWaitingSince(null);
    rollout.setStageStartedAt(now.toString());
    rollout.setResumedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
    if (rollout.getStage() == RolloutStage.Verify) {
      // The verification's time starts now, not when the rollout began to hold.
      rollout.setVerifyStartedAt(now.toString());
      rollout.setConsecutivePasses(0);
    }
    status.setNextWindow(null);
    StatusRecorder.progressing(
        status,
        rollout.getStage().phase(),
        rollout.getStage().phase().name(),
        message,
        rollout.getGeneration(),
        now);
    return new Decision()
        .event(Reasons.RESUMED, message)
        .requeue(config.stepDelay())
        .runNextStage();
  }

  /**
   * The rollout holds before its stage (already recorded with its Job name) as {@code hold} says.
   */
  private Decision hold(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      RolloutGates.Hold hold,
      Instant now) {
    Rollout rollout = status.getRollout();
    boolean sameHold = hold.heldBy().equals(rollout.getHeldBy());
    rollout.setHeldBy(hold.heldBy());
    if (RolloutGates.HELD_BY_WINDOW.equals(hold.heldBy())) {
      if (rollout.getWaitingSince() == null) {
        rollout.setWaitingSince(now.truncatedTo(ChronoUnit.SECONDS).toString());
      }
      rollout.setWindowsWaited(hold.windowsWaited());
    }
    status.setNextWindow(hold.nextWindow() == null ? null : hold.nextWindow().toString());
    long generation = rollout.getGeneration();
    if (hold.phase() == Phase.Suspended) {
      // The suspend is this generation's spec: observed, even while an older rollout holds.
      long observed =
          Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(generation);
      StatusRecorder.suspended(status, hold.message(), observed, now);
    } else if (hold.phase() == Phase.Blocked) {
      // A window that can never be used: a human must act (Stalled=True); it still holds.
      StatusRecorder.stalled(status, Phase.Blocked, hold.reason(), hold.message(), generation, now);
    } else {
      StatusRecorder.progressing(
          status, hold.phase(), hold.reason(), hold.message(), generation, now);
    }
    Decision decision = new Decision().requeue(hold.recheckAfter());
    return sameHold ? decision : decision.event(hold.reason(), hold.message());
  }

  /**
   * The rollout is over without reaching its target: the outcome stays until the generation
   * changes.
   */
  private Decision end(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      Phase outcome,
      String reason,
      String message,
      Instant now) {
    Rollout rollout = status.getRollout();
    long generation = rollout.getGeneration();
    metrics.rolloutFinished(resource, outcome, reason);
    StatusRecorder.stalled(status, outcome, reason, message, generation, now);
    StatusRecorder.addHistory(
        status, history(resource, rollout, generation, outcome, reason, message, now));
    locks.release(rollout.getDatabase(), DatabaseLocks.key(resource));
    return new Decision();
  }

  /**
   * resourceVersion of the Secret holding the database URL (null when it is gone): a URL the runner
   * refused is tried again once this changes.
   */
  String secretVersion(DatabaseMigration resource) {
    var ref = resource.getSpec().getDatabase().getUrlSecretRef();
    var secret =
        client
            .secrets()
            .inNamespace(resource.getMetadata().getNamespace())
            .withName(ref.getName())
            .get();
    return secret == null ? null : secret.getMetadata().getResourceVersion();
  }

  private static int checkCount(DatabaseMigration resource) {
    return resource.getSpec().getVerify() == null
            || resource.getSpec().getVerify().getChecks() == null
        ? 0
        : resource.getSpec().getVerify().getChecks().size();
  }

  /**
   * The history entry of a rollout that ended, or, with a null rollout, of one refused before it
   * started.
   */
  static HistoryEntry history(
      DatabaseMigration resource,
      Rollout rollout,
      long generation,
      Phase outcome,
      String reason,
      String message,
      Instant now) {
    HistoryEntry entry = new HistoryEntry();
    entry.setGeneration(generation);
    entry.setOutcome(outcome);
    entry.setReason(reason);
    entry.setMessage(Redaction.redact(message));
    entry.setFinishedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
    if (rollout == null) {
      entry.setId(String.valueOf(generation));
      entry.setImage(resource.getSpec() == null ? null : resource.getSpec().getImage());
      entry.setStartedAt(entry.getFinishedAt());
      return entry;
    }
    entry.setId(rollout.getId());
    entry.setTrigger(rollout.getTrigger());
    entry.setFrom(rollout.getFrom());
    entry.setTo(rollout.getTo());
    entry.setDirection(rollout.getDirection());
    entry.setImage(rollout.getRequestedImage());
    entry.setStartedAt(rollout.getStartedAt());
    entry.setBackupFile(rollout.getBackupFile());
    entry.setPlanHash(rollout.getPlanHash());
    entry.setApprovedBy(rollout.getApprovedBy());
    entry.setApprovedAt(rollout.getApprovedAt());
    return entry;
  }
}
