package io.kiki.migrations.operator.window;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.TimeoutsSpec;
import io.kiki.migrations.operator.config.DurationParser;
import java.time.Duration;
import java.util.Optional;

/**
 * How long a stage will take at most, for the maintenance window's "does it finish before the
 * window closes". The one place that answers it: today the stage's timeout (its Job's deadline); a
 * measured duration (a rehearsal's) plugs in here.
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
      case Migrate -> timeout(timeouts.getMigrate(), "timeouts.migrate", "30m");
      case Rollback, Restore -> timeout(timeouts.getRollback(), "timeouts.rollback", "30m");
      case Verify -> new Estimate(Duration.ZERO, "verify");
    };
  }

  private static Estimate timeout(String value, String field, String fallback) {
    return new Estimate(
        DurationParser.parseOr(value, DurationParser.parse(fallback)), "spec." + field);
  }
}
