package io.kiki.migrations.operator.window;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * What holds a rollout before a stage starts: spec.suspend (before any stage that goes forward),
 * then spec.maintenanceWindow (before a stage that touches the database: it starts only inside a
 * window it can finish in). Rolling back (Rollback, Restore) is never held. Decided from the spec,
 * the rollout's status and the instant alone, so a restarted operator decides the same.
 */
public final class RolloutGates {
  public static final String HELD_BY_SUSPEND = "Suspended";
  public static final String HELD_BY_WINDOW = "MaintenanceWindow";

  /**
   * The rollout holds before its stage: phase and reason to show, when to look again, the next
   * window (null without one) and the windows it let pass.
   */
  public record Hold(
      String heldBy,
      Phase phase,
      String reason,
      String message,
      Duration recheckAfter,
      Instant nextWindow,
      Integer windowsWaited) {}

  private final Duration longestRecheck;

  /** {@code longestRecheck}: a hold is looked at again at least this often. */
  public RolloutGates(Duration longestRecheck) {
    this.longestRecheck = longestRecheck;
  }

  /**
   * Stages the maintenance window gates: those that load or write the database's server (the
   * backup, the rehearsal on its copy, the migration).
   */
  public static boolean touchesDatabase(RolloutStage stage) {
    return stage == RolloutStage.Backup
        || stage == RolloutStage.Rehearse
        || stage == RolloutStage.Migrate;
  }

  /** Stages spec.suspend holds: every stage that goes forward, never the rollback. */
  public static boolean goesForward(RolloutStage stage) {
    return stage != RolloutStage.Rollback && stage != RolloutStage.Restore;
  }

  /** Why {@code next} may not start at {@code now}; empty: it starts. */
  public Optional<Hold> check(
      DatabaseMigration resource, DatabaseMigrationStatus status, RolloutStage next, Instant now) {
    if (Boolean.TRUE.equals(resource.getSpec().getSuspend()) && goesForward(next)) {
      return Optional.of(
          new Hold(
              HELD_BY_SUSPEND,
              Phase.Suspended,
              Reasons.SUSPENDED,
              "suspended (spec.suspend: true): the rollout of generation "
                  + status.getRollout().getGeneration()
                  + " holds before stage "
                  + next
                  + "; set spec.suspend: false to continue it",
              longestRecheck,
              null,
              null));
    }
    MaintenanceWindowSpec spec = resource.getSpec().getMaintenanceWindow();
    if (spec == null || !touchesDatabase(next)) {
      return Optional.empty();
    }
    return windowHold(spec, resource, status, next, now);
  }

  private Optional<Hold> windowHold(
      MaintenanceWindowSpec spec,
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      RolloutStage next,
      Instant now) {
    List<String> problems = MaintenanceWindow.problems(spec);
    if (!problems.isEmpty()) {
      return Optional.of(
          new Hold(
              HELD_BY_WINDOW,
              Phase.Waiting,
              Reasons.INVALID_SPEC,
              "invalid spec: "
                  + String.join("; ", problems)
                  + "; the rollout holds before stage "
                  + next
                  + " until it is fixed",
              longestRecheck,
              null,
              null));
    }
    MaintenanceWindow window = MaintenanceWindow.of(spec);
    StageEstimates.Estimate estimate = StageEstimates.expected(resource, status, next);
    Optional<MaintenanceWindow.Window> open = window.openAt(now);
    if (open.isPresent() && !now.plus(estimate.duration()).isAfter(open.get().closes())) {
      return Optional.empty();
    }
    Rollout rollout = status.getRollout();
    Instant since =
        rollout.getWaitingSince() == null ? now : Instant.parse(rollout.getWaitingSince());
    int waited = window.closedBetween(since, now);
    ZoneId zone = ZoneId.of(spec.getTimeZone() == null ? "UTC" : spec.getTimeZone());
    String needs =
        "stage "
            + next
            + " needs up to "
            + DurationParser.format(estimate.duration())
            + " ("
            + estimate.source()
            + ")";
    Optional<MaintenanceWindow.Window> following = window.nextAfter(now);
    // A window that can never be used needs a human: phase Blocked (Stalled=True, the Blocked
    // alert, Argo CD Degraded), no next window. The rollout still holds there and goes on once
    // the window is fixed.
    if (following.isEmpty()) {
      return Optional.of(
          new Hold(
              HELD_BY_WINDOW,
              Phase.Blocked,
              Reasons.WINDOW_NEVER_OPENS,
              "spec.maintenanceWindow.schedule '"
                  + spec.getSchedule()
                  + "' opens no window any more, so "
                  + needs
                  + " never starts: fix the schedule (or remove spec.maintenanceWindow); the rollout"
                  + " holds before stage "
                  + next
                  + " until then",
              longestRecheck,
              null,
              waited));
    }
    if (estimate.duration().compareTo(window.duration()) > 0) {
      return Optional.of(
          new Hold(
              HELD_BY_WINDOW,
              Phase.Blocked,
              Reasons.WINDOW_TOO_SHORT,
              needs
                  + ", longer than spec.maintenanceWindow.duration "
                  + spec.getDuration()
                  + ", so it never fits in a window: lengthen the window or shorten "
                  + estimate.source()
                  + "; the rollout holds before stage "
                  + next
                  + " until then",
              longestRecheck,
              null,
              waited));
    }
    Instant opens = following.get().opens();
    String message =
        "waiting for the maintenance window: "
            + needs
            + (open.isPresent()
                ? ", more than is left of the window open until " + local(open.get().closes(), zone)
                : "")
            + "; it starts when the next window opens, "
            + local(opens, zone)
            + " ("
            + opens
            + ")";
    Duration untilOpen = Duration.between(now, opens);
    Duration recheck = untilOpen.compareTo(longestRecheck) < 0 ? untilOpen : longestRecheck;
    return Optional.of(
        new Hold(
            HELD_BY_WINDOW,
            Phase.Waiting,
            Reasons.WAITING_FOR_WINDOW,
            message,
            recheck.isNegative() || recheck.isZero() ? Duration.ofSeconds(1) : recheck,
            opens,
            waited));
  }

  private static String local(Instant instant, ZoneId zone) {
    return instant.atZone(zone).truncatedTo(ChronoUnit.MINUTES).toOffsetDateTime()
        + " "
        + zone.getId();
  }
}
