package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RollbackSpec;
import io.kiki.migrations.api.v1alpha1.RollbackStrategy;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.VerifySpec;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.health.CheckResult;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifyStageTest {
  final Instant start = Instant.parse("2026-11-24T05:00:00Z");
  final Duration timeout = Duration.ofMinutes(5);
  final Duration interval = Duration.ofSeconds(10);
  final List<CheckResult> pass = List.of(CheckResult.pass("db"), CheckResult.pass("api"));
  final List<CheckResult> fail =
      List.of(CheckResult.pass("db"), CheckResult.fail("api", "GET returned 500"));

  @Test
  void readyAfterThresholdConsecutivePasses() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Verify, "a1");
    Rollout rollout = context.rollout();
    StageResult first =
        VerifyStage.decide(rollout, pass, 3, start, timeout, interval, start, "c3", context);
    assertThat(first)
        .isEqualTo(new StageResult.Waiting(interval, "verifying: 1/3 passing round(s)"));
    VerifyStage.decide(
        rollout, fail, 3, start, timeout, interval, start.plusSeconds(10), "c3", context);
    assertThat(rollout.getConsecutivePasses())
        .as("a failing round starts the count again")
        .isZero();
    VerifyStage.decide(
        rollout, pass, 3, start, timeout, interval, start.plusSeconds(20), "c3", context);
    VerifyStage.decide(
        rollout, pass, 3, start, timeout, interval, start.plusSeconds(30), "c3", context);
    StageResult done =
        VerifyStage.decide(
            rollout, pass, 3, start, timeout, interval, start.plusSeconds(40), "c3", context);
    assertThat(done).isInstanceOf(StageResult.Ready.class);
    assertThat(((StageResult.Ready) done).reason()).isEqualTo(Reasons.SUCCEEDED);
  }

  @Test
  void noChecksIsReadyAtOnceWhateverTheSoakSettings() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Verify, "c3");
    VerifySpec soak = new VerifySpec();
    soak.setSuccessThreshold(3);
    soak.setInterval("2s");
    context.resource().getSpec().setVerify(soak);
    // No services: a stage that ran a round of checks here would fail on them.
    StageResult result = new VerifyStage(null).run(context);
    assertThat(result).isInstanceOf(StageResult.Ready.class);
    assertThat(((StageResult.Ready) result).reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(((StageResult.Ready) result).message()).contains("c3", "no checks configured");
    assertThat(context.rollout().getConsecutivePasses()).as("no rounds were counted").isNull();
  }

  @Test
  void timeoutRollsBackOrFailsWithRollbackNone() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Verify, "a1");
    StageResult rollback =
        VerifyStage.decide(
            context.rollout(),
            fail,
            1,
            start,
            timeout,
            interval,
            start.plus(timeout),
            "c3",
            context);
    assertThat(rollback).isInstanceOf(StageResult.Undo.class);
    assertThat(((StageResult.Undo) rollback).next()).isEqualTo(RolloutStage.Rollback);
    assertThat(((StageResult.Undo) rollback).reason()).isEqualTo(Reasons.HEALTH_CHECK_FAILED);
    assertThat(((StageResult.Undo) rollback).message()).contains("api: GET returned 500");

    RollbackSpec none = new RollbackSpec();
    none.setOnFailure(RollbackStrategy.None);
    context.resource().getSpec().setRollback(none);
    StageResult failed =
        VerifyStage.decide(
            context.rollout(),
            fail,
            1,
            start,
            timeout,
            interval,
            start.plus(timeout),
            "c3",
            context);
    assertThat(failed).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) failed).outcome()).isEqualTo(Phase.Failed);
    assertThat(((StageResult.Failed) failed).reason()).isEqualTo(Reasons.VERIFY_FAILED);
  }

  /** The operator was down for longer than verify.timeout after one passing round of three. */
  @Test
  void operatorAbsenceDoesNotUseUpTheVerifyTimeout() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Verify, "a1");
    Rollout rollout = context.rollout();
    rollout.setVerifyStartedAt(start.toString());
    VerifyStage.decide(rollout, pass, 3, start, timeout, interval, start, "c3", context);
    rollout.setLastCheckAt(start.toString());
    Instant back = start.plus(timeout).plusSeconds(60);

    VerifyStage.discountAbsence(rollout, interval, back);
    Instant startedAt = Instant.parse(rollout.getVerifyStartedAt());
    assertThat(startedAt).isEqualTo(back.minus(interval));
    StageResult afterRestart =
        VerifyStage.decide(rollout, pass, 3, startedAt, timeout, interval, back, "c3", context);
    assertThat(afterRestart)
        .as("a passing round after the restart is not a timeout")
        .isEqualTo(new StageResult.Waiting(interval, "verifying: 2/3 passing round(s)"));

    rollout.setLastCheckAt(back.toString());
    VerifyStage.discountAbsence(rollout, interval, back.plus(interval).plusSeconds(3));
    assertThat(rollout.getVerifyStartedAt())
        .as("ordinary scheduling delay counts")
        .isEqualTo(startedAt.toString());
  }

  /**
   * PostgreSQL down for 30s, longer than verify.timeout 15s, after a migration whose checks pass.
   */
  @Test
  void anOutageIsNeitherPassNorFailAndDoesNotUseUpTheTimeout() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Verify, "a1");
    Rollout rollout = context.rollout();
    Duration verifyTimeout = Duration.ofSeconds(15);
    rollout.setVerifyStartedAt(start.toString());
    List<CheckResult> down =
        List.of(CheckResult.unknown("db", "could not run: Connection refused"));
    Duration outageTimeout = Duration.ofMinutes(10);
    for (int second = 0; second <= 30; second += 5) {
      StageResult waiting =
          VerifyStage.notEvaluated(
                  rollout, down, interval, outageTimeout, start.plusSeconds(second), "c3")
              .orElseThrow();
      assertThat(waiting).isInstanceOf(StageResult.Waiting.class);
      assertThat(((StageResult.Waiting) waiting).reason()).isEqualTo(Reasons.DATABASE_UNREACHABLE);
      assertThat(((StageResult.Waiting) waiting).message())
          .contains("could not reach the database for " + second + "s")
          .contains("Connection refused");
    }
    Instant back = start.plusSeconds(35);
    List<CheckResult> up = List.of(CheckResult.pass("db"));
    assertThat(VerifyStage.notEvaluated(rollout, up, interval, outageTimeout, back, "c3"))
        .isEmpty();
    assertThat(rollout.getDatabaseUnreachableSince()).isNull();
    assertThat(Instant.parse(rollout.getVerifyStartedAt()))
        .as("the outage moved the start")
        .isEqualTo(start.plusSeconds(35));
    StageResult afterOutage =
        VerifyStage.decide(
            rollout,
            up,
            1,
            Instant.parse(rollout.getVerifyStartedAt()),
            verifyTimeout,
            interval,
            back,
            "c3",
            context);
    assertThat(afterOutage)
        .as("no rollback, no restore: Ready")
        .isInstanceOf(StageResult.Ready.class);
  }

  @Test
  void aLongOutageFailsWithoutRollingBack() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Verify, "a1");
    Rollout rollout = context.rollout();
    rollout.setVerifyStartedAt(start.toString());
    List<CheckResult> down =
        List.of(CheckResult.unknown("db", "could not run: Connection refused"));
    VerifyStage.notEvaluated(rollout, down, interval, Duration.ofMinutes(2), start, "c3");
    StageResult end =
        VerifyStage.notEvaluated(
                rollout, down, interval, Duration.ofMinutes(2), start.plusSeconds(120), "c3")
            .orElseThrow();
    assertThat(end).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) end).outcome()).isEqualTo(Phase.Failed);
    assertThat(((StageResult.Failed) end).reason()).isEqualTo(Reasons.VERIFY_INCONCLUSIVE);
    assertThat(((StageResult.Failed) end).message()).contains("120s").contains("not rolled back");
  }

  @Test
  void
      aRoundWithoutTheDatabaseSaysNothingEvenWhenTheAppFailsAndAnInvalidCheckStopsWithoutRollback() {
    RolloutContext context =
        TestingResources.context(TestingResources.resource(), RolloutStage.Verify, "a1");
    Rollout rollout = context.rollout();
    rollout.setVerifyStartedAt(start.toString());
    List<CheckResult> mixed =
        List.of(CheckResult.unknown("db", "could not run"), CheckResult.fail("api", "500"));
    assertThat(
            VerifyStage.notEvaluated(rollout, mixed, interval, Duration.ofMinutes(10), start, "c3"))
        .hasValueSatisfying(r -> assertThat(r).isInstanceOf(StageResult.Waiting.class));
    List<CheckResult> appDown = List.of(CheckResult.pass("db"), CheckResult.fail("api", "500"));
    assertThat(
            VerifyStage.notEvaluated(
                rollout, appDown, interval, Duration.ofMinutes(10), start.plusSeconds(10), "c3"))
        .as("with the database reachable a failing check counts")
        .isEmpty();
    StageResult invalid =
        VerifyStage.notEvaluated(
                rollout,
                List.of(CheckResult.invalid("db", "syntax error")),
                interval,
                Duration.ofMinutes(10),
                start,
                "c3")
            .orElseThrow();
    assertThat(invalid).isInstanceOf(StageResult.Failed.class);
    assertThat(((StageResult.Failed) invalid).outcome()).isEqualTo(Phase.Blocked);
    assertThat(((StageResult.Failed) invalid).reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(((StageResult.Failed) invalid).message())
        .contains("db: syntax error")
        .contains("not rolled back");
  }
}
