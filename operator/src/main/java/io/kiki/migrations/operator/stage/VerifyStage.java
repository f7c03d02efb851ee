package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.HealthCheckSpec;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.VerifySpec;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.health.CheckResult;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs the checks every interval until they pass successThreshold rounds in a row (Ready) or the
 * timeout ends (roll back). No Job: sql checks run over JDBC, http with java.net.http, deployment
 * from the API. The first round runs as soon as the stage starts and the last passing one ends it:
 * the rollout waits only between rounds. With no checks there is nothing to soak, so the migration
 * is Ready at once whatever successThreshold and interval say.
 */
public class VerifyStage implements Stage {
  /**
   * A round this late was not just scheduling: the operator was away (see {@link
   * #discountAbsence}).
   */
  static final Duration ABSENCE = Duration.ofMinutes(1);

  /**
   * Used when spec.verify.databaseOutageTimeout stopped being a valid duration while the rollout
   * ran.
   */
  static final Duration DEFAULT_OUTAGE_TIMEOUT = Duration.ofMinutes(10);

  private final StageServices services;

  public VerifyStage(StageServices services) {
    this.services = services;
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Verify;
  }

  @Override
  public StageResult run(RolloutContext context) {
    Rollout rollout = context.rollout();
    VerifySpec verify = context.verify();
    Duration interval = DurationParser.parseOr(verify.getInterval(), Duration.ofSeconds(10));
    Duration timeout = DurationParser.parseOr(verify.getTimeout(), Duration.ofMinutes(5));
    int threshold = verify.getSuccessThreshold() == null ? 1 : verify.getSuccessThreshold();
    Instant now = context.now();
    List<HealthCheckSpec> checks = verify.getChecks() == null ? List.of() : verify.getChecks();
    if (checks.isEmpty()) {
      // Rounds of no checks prove nothing: holding the rollout for them would only delay Ready.
      return new StageResult.Ready(
          Reasons.SUCCEEDED,
          "database at "
              + context.status().getCurrentRevision()
              + "; no checks configured (spec.verify.checks), so nothing to verify");
    }
    if (rollout.getVerifyStartedAt() == null) {
      rollout.setVerifyStartedAt(now.toString());
      rollout.setConsecutivePasses(0);
    }
    if (rollout.getLastCheckAt() != null) {
      Instant next = Instant.parse(rollout.getLastCheckAt()).plus(interval);
      if (now.isBefore(next)) {
        return new StageResult.Waiting(Duration.between(now, next));
      }
    }
    discountAbsence(rollout, interval, now);
    List<CheckResult> results =
        services.checks().runRound(checks, context.namespace(), context.database());
    // When the round ended: slow checks must not look like an absent operator to the next round.
    rollout.setLastCheckAt(Instant.now().toString());
    results.stream()
        .filter(CheckResult::failed)
        .forEach(r -> services.metrics().healthCheckFailed(context.resource(), r.name()));
    Optional<StageResult> notEvaluated =
        notEvaluated(
            rollout,
            results,
            interval,
            DurationParser.parseOr(verify.getDatabaseOutageTimeout(), DEFAULT_OUTAGE_TIMEOUT),
            now,
            context.status().getCurrentRevision());
    if (notEvaluated.isPresent()) {
      return notEvaluated.get();
    }
    return decide(
        rollout,
        results,
        threshold,
        Instant.parse(rollout.getVerifyStartedAt()),
        timeout,
        interval,
        now,
        context.status().getCurrentRevision(),
        context);
  }

  /**
   * Rounds that say nothing about the migration. A check that cannot be evaluated as written is a
   * spec error: the rollout stops without rolling back a migration nobody has shown to be bad. A
   * round in which a check could not reach the database is an outage (an application check failing
   * then most likely fails because of it): it counts neither way, its time does not count against
   * verify.timeout, and after verify.databaseOutageTimeout the rollout fails without rolling back
   * (a restore would discard the writes made since the backup, and a downgrade needs the database
   * too).
   */
  static Optional<StageResult> notEvaluated(
      Rollout rollout,
      List<CheckResult> results,
      Duration interval,
      Duration outageTimeout,
      Instant now,
      String currentRevision) {
    List<CheckResult> invalid =
        results.stream().filter(r -> r.outcome() == CheckResult.Outcome.INVALID).toList();
    if (!invalid.isEmpty()) {
      return Optional.of(
          new StageResult.Failed(
              Phase.Blocked,
              Reasons.INVALID_SPEC,
              "spec.verify.checks: "
                  + describe(invalid)
                  + ". The database stays at "
                  + currentRevision
                  + " (migrated; not verified, not rolled "
                  + "back). Fix the check; a new rollout (change spec.retryToken) then finds the database at its target and "
                  + "does not verify again, so run the fixed check yourself or roll back by setting spec.targetRevision"));
    }
    List<CheckResult> unknown =
        results.stream().filter(r -> r.outcome() == CheckResult.Outcome.UNKNOWN).toList();
    if (unknown.isEmpty()) {
      if (rollout.getDatabaseUnreachableSince() != null) {
        Duration outage =
            Duration.between(Instant.parse(rollout.getDatabaseUnreachableSince()), now);
        rollout.setVerifyStartedAt(
            Instant.parse(rollout.getVerifyStartedAt()).plus(outage).toString());
        rollout.setDatabaseUnreachableSince(null);
      }
      return Optional.empty();
    }
    if (rollout.getDatabaseUnreachableSince() == null) {
      rollout.setDatabaseUnreachableSince(now.toString());
    }
    rollout.setConsecutivePasses(0);
    Duration outage = Duration.between(Instant.parse(rollout.getDatabaseUnreachableSince()), now);
    if (outage.compareTo(outageTimeout) >= 0) {
      return Optional.of(
          new StageResult.Failed(
              Phase.Failed,
              Reasons.VERIFY_INCONCLUSIVE,
              "verification could not "
                  + "run for "
                  + outage.toSeconds()
                  + "s (spec.verify.databaseOutageTimeout "
                  + outageTimeout.toSeconds()
                  + "s): "
                  + describe(unknown)
                  + ". The database is at "
                  + currentRevision
                  + " and was not rolled back: an outage says "
                  + "nothing about the migration, and a restore would discard the writes made since the backup. Once the "
                  + "database is back, check the application; to undo the migration set spec.targetRevision (with "
                  + "spec.allowDowngrade: true)"));
    }
    return Optional.of(
        new StageResult.Waiting(
            interval,
            "verifying: the checks could not reach the database for "
                + outage.toSeconds()
                + "s ("
                + describe(unknown)
                + "); waiting up to "
                + outageTimeout.toSeconds()
                + "s for it, and this time does not count against verify.timeout",
            Reasons.DATABASE_UNREACHABLE));
  }

  private static String describe(List<CheckResult> results) {
    return results.stream()
        .map(r -> r.name() + ": " + r.message())
        .collect(Collectors.joining("; "));
  }

  /**
   * Time the operator was not there (restarted, down, no leader) does not count against
   * verify.timeout: a round that comes more than {@link #ABSENCE} (or an interval, if longer) after
   * it was due moves verifyStartedAt forward by that lateness. Otherwise a healthy migration would
   * be rolled back only because the operator was away for the timeout: the first round after its
   * return would find the time used up.
   */
  static void discountAbsence(Rollout rollout, Duration interval, Instant now) {
    Instant due =
        rollout.getLastCheckAt() == null
            ? Instant.parse(rollout.getVerifyStartedAt())
            : Instant.parse(rollout.getLastCheckAt()).plus(interval);
    Duration late = Duration.between(due, now);
    if (late.compareTo(ABSENCE) > 0 && late.compareTo(interval) > 0) {
      rollout.setVerifyStartedAt(Instant.parse(rollout.getVerifyStartedAt()).plus(late).toString());
    }
  }

  /** One round's results -> Ready, another round, or rollback. */
  static StageResult decide(
      Rollout rollout,
      List<CheckResult> results,
      int threshold,
      Instant startedAt,
      Duration timeout,
      Duration interval,
      Instant now,
      String currentRevision,
      RolloutContext context) {
    List<CheckResult> failures = results.stream().filter(CheckResult::failed).toList();
    int passes = rollout.getConsecutivePasses() == null ? 0 : rollout.getConsecutivePasses();
    if (failures.isEmpty()) {
      passes++;
      rollout.setConsecutivePasses(passes);
      if (passes >= threshold) {
        return new StageResult.Ready(
            Reasons.SUCCEEDED,
            "database at "
                + currentRevision
                + "; "
                + results.size()
                + " check(s) passed "
                + passes
                + " round(s) in a row");
      }
    } else {
      rollout.setConsecutivePasses(0);
    }
    String failureText =
        failures.stream().map(f -> f.name() + ": " + f.message()).collect(Collectors.joining("; "));
    if (!now.isBefore(startedAt.plus(timeout))) {
      String cause =
          "verification did not pass "
              + threshold
              + " round(s) in a row within "
              + timeout.truncatedTo(ChronoUnit.SECONDS).toSeconds()
              + "s"
              + (failures.isEmpty() ? "" : ": " + failureText);
      return RollbackPlanner.begin(
          context.rollback().getOnFailure(),
          rollout.getIrreversibleSteps(),
          rollout.getBackupFile(),
          Reasons.HEALTH_CHECK_FAILED,
          cause,
          currentRevision);
    }
    String progress =
        failures.isEmpty()
            ? "verifying: " + rollout.getConsecutivePasses() + "/" + threshold + " passing round(s)"
            : "verifying: round failed (" + failureText + "); 0/" + threshold + " passing round(s)";
    return new StageResult.Waiting(interval, progress);
  }
}
