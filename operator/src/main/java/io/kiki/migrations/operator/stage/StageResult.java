package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import java.time.Duration;

/** What a stage decided. The reconciler turns it into status, conditions, events and a requeue. */
public sealed interface StageResult {
  /**
   * The stage finished: go on to {@code next}, or, when next is null, the rollout is done (Ready). {@code message} is the
   * status while {@code next} runs ("...; downgrading"); {@code outcome} is what happened, without the step that follows,
   * for the rollout's final message (a rollback records the outcomes that led to it).
   */
  record Done(RolloutStage next, String reason, String message, String outcome) implements StageResult {
    public Done(RolloutStage next, String reason, String message) {
      this(next, reason, message, message);
    }
  }

  /**
   * Not finished yet: look again after {@code requeueAfter} (or on a Job event); a non-null message updates status. A
   * non-null reason says why it is stuck (a pod's waiting reason, an unreachable database): it becomes the Reconciling
   * condition's reason, and an event when it changes.
   */
  record Waiting(Duration requeueAfter, String message, String reason) implements StageResult {
    public Waiting(Duration requeueAfter) {
      this(requeueAfter, null, null);
    }

    public Waiting(Duration requeueAfter, String message) {
      this(requeueAfter, message, null);
    }
  }

  /** The rollout ends with {@code outcome} (Failed, Blocked or RolledBack), for {@code reason}. */
  record Failed(Phase outcome, String reason, String message) implements StageResult {
  }

  /** A transient failure (lock timeout, database unreachable): run the stage again as a new attempt after a backoff. */
  record Retry(String reason, String message, Duration after) implements StageResult {
  }
}
