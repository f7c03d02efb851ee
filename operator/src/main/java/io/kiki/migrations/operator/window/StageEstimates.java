package io.kiki.migrations.operator.window;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.RehearsalRecord;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.TimeoutsSpec;
import io.kiki.migrations.operator.config.DurationParser;
import java.time.Duration;
import java.util.Optional;

/**
 * How long a stage will take at most, for the maintenance window's "does it finish before the
 * window closes". The one place that answers it: the migration's time measured on this rollout's
 * rehearsal ({@code status.lastRehearsal.forwardMs}, spec.rehearsal) when it passed, else the
 * stage's timeout (its Job's deadline).
 */
public final class StageEstimates {
  /** The estimate and where it comes from, for messages ("timeouts.migrate"). */
  public record Estimate(Duration duration, String source) {}

  private StageEstimates() {}

  public static Estimate expected(
      DatabaseMigration resource, DatabaseMigrationStatus status, RolloutStage stage) {
    TimeoutsSpec timeouts =
        Optional.ofNullable(resource.getSpec().getTimeouts()).orElseGet(TimeoutsSpec::new);
    return switch (stage) {
      case Plan -> timeout(timeouts.getPlan(), "timeouts.plan", "2m");
      case Backup -> timeout(timeouts.getBackup(), "timeouts.backup", "30m");
      case Migrate ->
          rehearsed(status)
              .orElseGet(() -> timeout(timeouts.getMigrate(), "timeouts.migrate", "30m"));
      case Rehearse ->
          new Estimate(
              DurationParser.parseOr(timeouts.getBackup(), DurationParser.parse("30m"))
                  .plus(
                      DurationParser.parseOr(timeouts.getMigrate(), DurationParser.parse("30m"))
                          .multipliedBy(3)),
              "spec.timeouts.backup + 3 x spec.timeouts.migrate (the rehearse Job's deadline)");
      case Rollback, Restore -> timeout(timeouts.getRollback(), "timeouts.rollback", "30m");
      case Verify -> new Estimate(Duration.ZERO, "verify");
      case Approve -> new Estimate(Duration.ZERO, "approval");
    };
  }

  /** The steps' own time on the rehearsal's copy, when this rollout rehearsed and it passed. */
  private static Optional<Estimate> rehearsed(DatabaseMigrationStatus status) {
    RehearsalRecord rehearsal = status.getLastRehearsal();
    Rollout rollout = status.getRollout();
    if (rehearsal == null
        || rollout == null
        || rehearsal.getForwardMs() == null
        || !"Passed".equals(rehearsal.getResult())
        || !java.util.Objects.equals(rehearsal.getRolloutId(), rollout.getId())) {
      return Optional.empty();
    }
    return Optional.of(
        new Estimate(
            Duration.ofMillis(rehearsal.getForwardMs()),
            "status.lastRehearsal.forwardMs (the steps' time on this rollout's rehearsal)"));
  }

  private static Estimate timeout(String value, String field, String fallback) {
    return new Estimate(
        DurationParser.parseOr(value, DurationParser.parse(fallback)), "spec." + field);
  }
}
