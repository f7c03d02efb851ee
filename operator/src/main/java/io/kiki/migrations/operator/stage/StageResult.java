package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import java.time.Duration;

/**
 * What a stage decided. {@code controller.RolloutTransitions} turns it into status, conditions,
 * events and a requeue; each kind names what happened, so what follows it is decided in one place.
 */
public sealed interface StageResult {
  /**
   * The stage succeeded: the rollout goes on with {@code next}; {@code message} is the status while
   * next runs.
   */
  record Advance(RolloutStage next, String reason, String message) implements StageResult {}

  /**
   * One Job planned and migrated ({@link PlanThenMigrate}): the plan stage succeeded with {@code
   * planMessage} (its summary), then the migration, which took {@code migration} of the Job's time,
   * ended as {@code migrated} says, as if a migrate Job of its own had ended so.
   */
  record PlannedAndMigrated(String planMessage, Duration migration, StageResult migrated)
      implements StageResult {}

  /** The rollout reached its target (migrated and verified, or the database was already there). */
  record Ready(String reason, String message) implements StageResult {}

  /**
   * The rollout failed and is undone by {@code next} (Rollback or Restore), for {@code reason}.
   * {@code message} is the status while next runs ("...; downgrading"); {@code cause} is what
   * happened, without the step that follows, for the rollout's final message (a rollback records
   * the causes that led to it).
   */
  record Undo(RolloutStage next, String reason, String message, String cause)
      implements StageResult {
    public Undo {
      if (next != RolloutStage.Rollback && next != RolloutStage.Restore) {
        throw new IllegalArgumentException(
            "a rollout is undone by Rollback or Restore, not " + next);
      }
    }
  }

  /**
   * The rollout was undone: the database is back where it started. {@code reason} is why it was
   * undone.
   */
  record RolledBack(String reason, String message) implements StageResult {}

  /**
   * The rollout ends with {@code outcome} (Failed, or Blocked when it never touched the database),
   * for {@code reason}.
   */
  record Failed(Phase outcome, String reason, String message) implements StageResult {
    public Failed {
      if (outcome != Phase.Failed && outcome != Phase.Blocked) {
        throw new IllegalArgumentException("a rollout fails as Failed or Blocked, not " + outcome);
      }
    }
  }

  /**
   * The database settings were refused (the runner could not use the Secret's URL): like every
   * other URL problem the resource is Pending and Stalled, and the rollout starts again by itself
   * once the Secret changes.
   */
  record Misconfigured(String reason, String message) implements StageResult {}

  /**
   * Not finished yet: look again after {@code requeueAfter} (or on a Job event); a non-null message
   * updates status. A non-null reason says why it is stuck (a pod's waiting reason, an unreachable
   * database): it becomes the Reconciling condition's reason, and an event when it changes.
   */
  record Waiting(Duration requeueAfter, String message, String reason) implements StageResult {
    public Waiting(Duration requeueAfter) {
      this(requeueAfter, null, null);
    }

    public Waiting(Duration requeueAfter, String message) {
      this(requeueAfter, message, null);
    }
  }

  /**
   * A transient failure (lock timeout, database unreachable): run the stage again as a new attempt
   * after a backoff.
   */
  record Retry(String reason, String message, Duration after) implements StageResult {}
}
