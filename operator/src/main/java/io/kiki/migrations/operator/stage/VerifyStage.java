package io.kiki.migrations.operator.stage;

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
import java.util.stream.Collectors;

/**
 * Runs the checks every interval until they pass successThreshold rounds in a row (Ready) or the timeout ends
 * (roll back). No Job: sql checks run over JDBC, http with java.net.http, deployment from the API.
 */
public class VerifyStage implements Stage {
  /** A round this late was not just scheduling: the operator was away (see {@link #discountAbsence}). */
  static final Duration ABSENCE = Duration.ofMinutes(1);

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
    List<CheckResult> results = services.checks().runRound(verify.getChecks() == null ? List.of() : verify.getChecks(),
        context.namespace(), context.database());
    // When the round ended: slow checks must not look like an absent operator to the next round.
    rollout.setLastCheckAt(Instant.now().toString());
    results.stream().filter(r -> !r.passed())
        .forEach(r -> services.metrics().healthCheckFailed(context.resource(), r.name()));
    return decide(rollout, results, threshold, Instant.parse(rollout.getVerifyStartedAt()), timeout, interval, now,
        context.status().getCurrentRevision(), context);
  }

  /**
   * Time the operator was not there (restarted, down, no leader) does not count against verify.timeout: a round
   * that comes more than {@link #ABSENCE} (or an interval, if longer) after it was due moves verifyStartedAt forward
   * by that lateness. Otherwise a healthy migration would be rolled back only because the operator was away for
   * the timeout: the first round after its return would find the time used up.
   */
  static void discountAbsence(Rollout rollout, Duration interval, Instant now) {
    Instant due = rollout.getLastCheckAt() == null ? Instant.parse(rollout.getVerifyStartedAt())
        : Instant.parse(rollout.getLastCheckAt()).plus(interval);
    Duration late = Duration.between(due, now);
    if (late.compareTo(ABSENCE) > 0 && late.compareTo(interval) > 0) {
      rollout.setVerifyStartedAt(Instant.parse(rollout.getVerifyStartedAt()).plus(late).toString());
    }
  }

  /** One round's results -> Ready, another round, or rollback. */
  static StageResult decide(Rollout rollout, List<CheckResult> results, int threshold, Instant startedAt,
                            Duration timeout, Duration interval, Instant now, String currentRevision,
                            RolloutContext context) {
    List<CheckResult> failures = results.stream().filter(r -> !r.passed()).toList();
    int passes = rollout.getConsecutivePasses() == null ? 0 : rollout.getConsecutivePasses();
    if (failures.isEmpty()) {
      passes++;
      rollout.setConsecutivePasses(passes);
      if (passes >= threshold) {
        return new StageResult.Done(null, Reasons.SUCCEEDED, "database at " + currentRevision + "; " + results.size()
            + " check(s) passed " + passes + " round(s) in a row");
      }
    } else {
      rollout.setConsecutivePasses(0);
    }
    String failureText = failures.stream().map(f -> f.name() + ": " + f.message()).collect(Collectors.joining("; "));
    if (!now.isBefore(startedAt.plus(timeout))) {
      String cause = "verification did not pass " + threshold + " round(s) in a row within "
          + timeout.truncatedTo(ChronoUnit.SECONDS).toSeconds() + "s" + (failures.isEmpty() ? "" : ": " + failureText);
      return RollbackPlanner.begin(context.rollback().getOnFailure(), rollout.getIrreversibleSteps(),
          rollout.getBackupFile(), Reasons.HEALTH_CHECK_FAILED, cause, currentRevision);
    }
    String progress = failures.isEmpty()
        ? "verifying: " + rollout.getConsecutivePasses() + "/" + threshold + " passing round(s)"
        : "verifying: round failed (" + failureText + "); 0/" + threshold + " passing round(s)";
    return new StageResult.Waiting(interval, progress);
  }
}
