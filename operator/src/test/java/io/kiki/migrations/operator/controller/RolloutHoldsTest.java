package io.kiki.migrations.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RehearsalRecord;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.TimeoutsSpec;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.database.DatabaseLocks;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.stage.StageResult;
import io.kiki.migrations.operator.status.ConditionTypes;
import io.kiki.migrations.operator.status.Reasons;
import io.kiki.migrations.operator.status.StatusRecorder;
import io.kiki.migrations.operator.window.RolloutGates;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.maintenanceWindow and spec.suspend hold a rollout before a stage, driven synchronously at
 * chosen instants (the controllable clock): what the status says, when it is looked at again, and
 * that a restarted operator, which knows only the status, decides the same.
 */
@EnableKubernetesMockClient(crud = true)
class RolloutHoldsTest {
  static KubernetesClient client;

  /** Saturdays 02:00 Berlin time for 4h: in December 01:00 to 05:00 UTC. */
  static final Instant FRIDAY = Instant.parse("2026-12-04T12:00:00Z");

  static final Instant OPENS = Instant.parse("2026-12-05T01:00:00Z");
  static final Instant CLOSES = Instant.parse("2026-12-05T05:00:00Z");

  final OperatorConfig config = OperatorConfig.defaults();
  RolloutTransitions transitions;
  DatabaseMigration resource;
  DatabaseMigrationStatus status;

  @BeforeEach
  void planning() {
    transitions = newOperator();
    resource = TestingResources.resource();
    resource.getSpec().setMaintenanceWindow(window("0 2 * * 6", "4h", "Europe/Berlin"));
    status = TestingResources.context(resource, RolloutStage.Plan, "a1").status();
    Rollout rollout = status.getRollout();
    rollout.setDatabase("db.kiki:5432/kiki");
    rollout.setStartedAt(FRIDAY.toString());
    rollout.setStageStartedAt(FRIDAY.toString());
    StatusRecorder.progressing(status, Phase.Planning, Reasons.PLANNING, "planning", 3, FRIDAY);
  }

  RolloutTransitions newOperator() {
    return new RolloutTransitions(
        config, OperatorMetrics.discarding(), new DatabaseLocks(Duration.ofMinutes(1)), client);
  }

  static MaintenanceWindowSpec window(String schedule, String duration, String timeZone) {
    MaintenanceWindowSpec spec = new MaintenanceWindowSpec();
    spec.setSchedule(schedule);
    spec.setDuration(duration);
    spec.setTimeZone(timeZone);
    return spec;
  }

  Decision planDone(Instant at) {
    return transitions.apply(
        resource,
        status,
        RolloutStage.Plan,
        new StageResult.Advance(RolloutStage.Backup, Reasons.PLAN_SUCCEEDED, "backing up"),
        at);
  }

  Condition condition(String type) {
    return StatusRecorder.find(status, type);
  }

  @Test
  void aPlannedRolloutWaitsForTheWindowAndStartsWhenItOpens() {
    Decision decision = planDone(FRIDAY);
    assertThat(status.getPhase()).isEqualTo(Phase.Waiting);
    assertThat(status.getRollout().getStage()).isEqualTo(RolloutStage.Backup);
    assertThat(status.getRollout().getHeldBy()).isEqualTo(RolloutGates.HELD_BY_WINDOW);
    assertThat(status.getNextWindow()).isEqualTo(OPENS.toString());
    assertThat(status.getMessage())
        .contains("waiting for the maintenance window")
        .contains("timeouts.backup")
        .contains("2026-12-05T02:00+01:00 Europe/Berlin");
    assertThat(condition(ConditionTypes.RECONCILING).getReason())
        .isEqualTo(Reasons.WAITING_FOR_WINDOW);
    assertThat(decision.runsNextStage()).as("no Job before the window").isFalse();
    assertThat(decision.requeue()).isEqualTo(config.configRecheckInterval());
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactlyInAnyOrder(Reasons.WAITING_FOR_WINDOW, Reasons.PLAN_SUCCEEDED);

    Decision again = transitions.held(resource, status, OPENS.minusSeconds(30));
    assertThat(status.getPhase()).isEqualTo(Phase.Waiting);
    assertThat(again.events()).as("said once").isEmpty();
    assertThat(again.requeue())
        .as("looked at again when it opens")
        .isEqualTo(Duration.ofSeconds(30));

    Decision opened = transitions.held(resource, status, OPENS);
    assertThat(status.getPhase()).isEqualTo(Phase.BackingUp);
    assertThat(status.getRollout().getHeldBy()).isNull();
    assertThat(status.getNextWindow()).isNull();
    assertThat(status.getRollout().getStageStartedAt()).isEqualTo(OPENS.toString());
    assertThat(opened.runsNextStage()).isTrue();
    assertThat(opened.events()).extracting(Decision.Event::reason).containsExactly(Reasons.RESUMED);
  }

  @Test
  void aWindowOpenWhenThePlanEndsLetsTheRolloutGoOn() {
    Decision decision = planDone(OPENS.plusSeconds(600));
    assertThat(status.getPhase()).isEqualTo(Phase.BackingUp);
    assertThat(status.getRollout().getHeldBy()).isNull();
    assertThat(status.getNextWindow()).isNull();
    assertThat(decision.runsNextStage()).isTrue();
  }

  @Test
  void noStageStartsThatCannotFinishBeforeTheWindowCloses() {
    // 20 minutes left; the backup may take its timeout, 30m
    planDone(CLOSES.minusSeconds(20 * 60));
    assertThat(status.getPhase()).isEqualTo(Phase.Waiting);
    assertThat(status.getNextWindow()).isEqualTo(OPENS.plus(Duration.ofDays(7)).toString());
    assertThat(status.getMessage()).contains("more than is left of the window open until");
    // the next stage is checked the same way when the backup is done
    TimeoutsSpec timeouts = new TimeoutsSpec();
    timeouts.setMigrate("3h");
    resource.getSpec().setTimeouts(timeouts);
    transitions.held(resource, status, OPENS.plus(Duration.ofDays(7)));
    assertThat(status.getPhase()).isEqualTo(Phase.BackingUp);
    Instant backedUp = OPENS.plus(Duration.ofDays(7)).plus(Duration.ofHours(1).plusMinutes(1));
    transitions.apply(
        resource,
        status,
        RolloutStage.Backup,
        new StageResult.Advance(RolloutStage.Migrate, Reasons.BACKUP_SUCCEEDED, "migrating"),
        backedUp);
    assertThat(status.getPhase())
        .as("3h of migrate do not fit in the 2h59m left")
        .isEqualTo(Phase.Waiting);
    assertThat(status.getRollout().getStage()).isEqualTo(RolloutStage.Migrate);
  }

  @Test
  void aRehearsedMigrationIsExpectedToTakeWhatItTookOnTheCopy() {
    TimeoutsSpec timeouts = new TimeoutsSpec();
    timeouts.setMigrate("3h");
    resource.getSpec().setTimeouts(timeouts);
    status.getRollout().setStage(RolloutStage.Rehearse);
    RehearsalRecord rehearsal = new RehearsalRecord();
    rehearsal.setRolloutId(status.getRollout().getId());
    rehearsal.setResult("Passed");
    rehearsal.setForwardMs(Duration.ofMinutes(12).toMillis());
    status.setLastRehearsal(rehearsal);
    Instant rehearsed = CLOSES.minus(Duration.ofMinutes(30));
    transitions.apply(
        resource,
        status,
        RolloutStage.Rehearse,
        new StageResult.Advance(RolloutStage.Migrate, Reasons.REHEARSAL_SUCCEEDED, "migrating"),
        rehearsed);
    assertThat(status.getPhase())
        .as("12 minutes measured on the copy fit in the 30 left, though timeouts.migrate is 3h")
        .isEqualTo(Phase.Migrating);

    rehearsal.setRolloutId("an-earlier-rollout");
    status.getRollout().setStage(RolloutStage.Rehearse);
    transitions.apply(
        resource,
        status,
        RolloutStage.Rehearse,
        new StageResult.Advance(RolloutStage.Migrate, Reasons.REHEARSAL_SUCCEEDED, "migrating"),
        rehearsed);
    assertThat(status.getPhase())
        .as("another rollout's rehearsal says nothing about this one: timeouts.migrate counts")
        .isEqualTo(Phase.Waiting);
    assertThat(status.getMessage()).contains("timeouts.migrate");
  }

  @Test
  void aStageLongerThanTheWindowSaysItNeverFits() {
    resource.getSpec().setMaintenanceWindow(window("0 2 * * 6", "20m", "Europe/Berlin"));
    Decision decision = planDone(FRIDAY);
    assertThat(status.getPhase())
        .as("a window that never fits needs a human: Blocked, not Waiting")
        .isEqualTo(Phase.Blocked);
    assertThat(status.getMessage())
        .contains("longer than spec.maintenanceWindow.duration 20m")
        .contains("never fits")
        .contains("timeouts.backup");
    assertThat(condition(ConditionTypes.STALLED).getStatus()).isEqualTo("True");
    assertThat(condition(ConditionTypes.STALLED).getReason()).isEqualTo(Reasons.WINDOW_TOO_SHORT);
    assertThat(condition(ConditionTypes.RECONCILING).getStatus()).isEqualTo("False");
    assertThat(status.getNextWindow()).as("no window it can use").isNull();
    assertThat(status.getRollout().getHeldBy()).isEqualTo(RolloutGates.HELD_BY_WINDOW);
    assertThat(DatabaseMigrationReconciler.isHeld(status)).isTrue();
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .contains(Reasons.WINDOW_TOO_SHORT);

    // The window is lengthened: inside it the rollout goes on where it held.
    resource.getSpec().setMaintenanceWindow(window("0 2 * * 6", "4h", "Europe/Berlin"));
    Decision resumed = transitions.held(resource, status, OPENS.plusSeconds(60));
    assertThat(status.getPhase()).isEqualTo(Phase.BackingUp);
    assertThat(condition(ConditionTypes.STALLED).getStatus()).isEqualTo("False");
    assertThat(resumed.runsNextStage()).isTrue();
  }

  @Test
  void aScheduleThatNeverOpensIsBlocked() {
    resource.getSpec().setMaintenanceWindow(window("0 2 31 2 *", "4h", "UTC"));
    planDone(FRIDAY);
    assertThat(status.getPhase()).isEqualTo(Phase.Blocked);
    assertThat(status.getMessage()).contains("'0 2 31 2 *' opens no window any more");
    assertThat(condition(ConditionTypes.STALLED).getStatus()).isEqualTo("True");
    assertThat(condition(ConditionTypes.STALLED).getReason()).isEqualTo(Reasons.WINDOW_NEVER_OPENS);
    assertThat(status.getNextWindow()).isNull();
    Decision again = transitions.held(resource, status, FRIDAY.plusSeconds(600));
    assertThat(status.getPhase()).isEqualTo(Phase.Blocked);
    assertThat(again.events()).as("said once").isEmpty();
  }

  @Test
  void holdsThePolicyAsksForAreNormalEvents() {
    assertThat(Reasons.eventType(Reasons.WAITING_FOR_WINDOW)).isEqualTo("Normal");
    assertThat(Reasons.eventType(Reasons.SUSPENDED)).isEqualTo("Normal");
    assertThat(Reasons.eventType(Reasons.RESUMED)).isEqualTo("Normal");
    assertThat(Reasons.eventType(Reasons.WINDOW_TOO_SHORT))
        .as("a window that can never be used needs a person")
        .isEqualTo("Warning");
  }

  @Test
  void aRestartedOperatorReadsTheHoldFromStatusAlone() throws Exception {
    planDone(FRIDAY);
    ObjectMapper json = new ObjectMapper();
    DatabaseMigrationStatus stored =
        json.readValue(json.writeValueAsString(status), DatabaseMigrationStatus.class);
    assertThat(DatabaseMigrationReconciler.isHeld(stored)).isTrue();
    // restarted inside the window
    status = stored;
    transitions = newOperator();
    Decision decision = transitions.held(resource, status, OPENS.plusSeconds(3600));
    assertThat(status.getPhase()).isEqualTo(Phase.BackingUp);
    assertThat(decision.runsNextStage()).isTrue();
  }

  @Test
  void windowsLetPassAreCounted() {
    resource.getSpec().setMaintenanceWindow(window("0 2 * * 6", "20m", "Europe/Berlin"));
    planDone(FRIDAY);
    assertThat(status.getRollout().getWaitingSince()).isEqualTo("2026-12-04T12:00:00Z");
    transitions.held(resource, status, FRIDAY.plus(Duration.ofDays(15)));
    // December 5th, 12th and 19th (01:00 to 01:20 UTC) closed while it waited
    assertThat(status.getRollout().getWindowsWaited()).isEqualTo(3);
  }

  @Test
  void daylightSavingMovesTheWindowInUtc() {
    // Sundays 02:30 Berlin: 2026-03-29 has no 02:30 (clocks go to 03:00), so the next is April 5th
    resource.getSpec().setMaintenanceWindow(window("30 2 * * 0", "4h", "Europe/Berlin"));
    planDone(Instant.parse("2026-03-28T12:00:00Z"));
    assertThat(status.getNextWindow()).isEqualTo("2026-04-05T00:30:00Z");
    // autumn: 2026-10-25 02:30 happens twice; the window opens at the first (00:30 UTC)
    planning();
    resource.getSpec().setMaintenanceWindow(window("30 2 * * 0", "4h", "Europe/Berlin"));
    planDone(Instant.parse("2026-10-24T12:00:00Z"));
    assertThat(status.getNextWindow()).isEqualTo("2026-10-25T00:30:00Z");
  }

  @Test
  void aScheduleBrokenWhileWaitingHoldsWithInvalidSpec() {
    planDone(FRIDAY);
    resource.getSpec().getMaintenanceWindow().setSchedule("0 25 * * 6");
    transitions.held(resource, status, OPENS);
    assertThat(status.getPhase()).isEqualTo(Phase.Waiting);
    assertThat(condition(ConditionTypes.RECONCILING).getReason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(status.getMessage()).contains("spec.maintenanceWindow.schedule '0 25 * * 6'");
  }

  @Test
  void rollingBackIsNeverHeld() {
    resource.getSpec().setSuspend(true);
    Decision decision =
        transitions.apply(
            resource,
            status,
            RolloutStage.Migrate,
            new StageResult.Undo(
                RolloutStage.Rollback, Reasons.MIGRATION_FAILED, "rolling back", "it failed"),
            FRIDAY);
    assertThat(status.getPhase()).isEqualTo(Phase.RollingBack);
    assertThat(status.getRollout().getHeldBy()).isNull();
    assertThat(decision.runsNextStage()).isTrue();
  }

  @Test
  void suspendHoldsBeforeTheNextStageAndResumeContinuesThere() {
    resource.getSpec().setMaintenanceWindow(null);
    resource.getSpec().setSuspend(true);
    resource.getMetadata().setGeneration(4L);
    Decision decision =
        transitions.apply(
            resource,
            status,
            RolloutStage.Backup,
            new StageResult.Advance(RolloutStage.Migrate, Reasons.BACKUP_SUCCEEDED, "migrating"),
            FRIDAY);
    assertThat(status.getPhase()).isEqualTo(Phase.Suspended);
    assertThat(status.getRollout().getStage()).isEqualTo(RolloutStage.Migrate);
    assertThat(status.getRollout().getHeldBy()).isEqualTo(RolloutGates.HELD_BY_SUSPEND);
    assertThat(decision.runsNextStage()).isFalse();
    assertThat(status.getObservedGeneration()).as("the suspend is observed").isEqualTo(4L);
    for (String type :
        new String[] {ConditionTypes.READY, ConditionTypes.RECONCILING, ConditionTypes.STALLED}) {
      assertThat(condition(type).getStatus()).as(type).isEqualTo("False");
      assertThat(condition(type).getReason()).as(type).isEqualTo(Reasons.SUSPENDED);
    }
    assertThat(transitions.held(resource, status, FRIDAY.plusSeconds(60)).events()).isEmpty();

    resource.getSpec().setSuspend(false);
    resource.getMetadata().setGeneration(5L);
    Decision resumed = transitions.held(resource, status, FRIDAY.plusSeconds(120));
    assertThat(status.getPhase()).isEqualTo(Phase.Migrating);
    assertThat(status.getRollout().getGeneration()).as("the same rollout goes on").isEqualTo(3L);
    assertThat(resumed.runsNextStage()).isTrue();
    assertThat(resumed.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.RESUMED);
  }

  @Test
  void resumedOutsideTheWindowWaitsForIt() {
    resource.getSpec().setSuspend(true);
    planDone(OPENS.plusSeconds(60));
    assertThat(status.getPhase()).isEqualTo(Phase.Suspended);
    resource.getSpec().setSuspend(false);
    transitions.held(resource, status, CLOSES.plusSeconds(60));
    assertThat(status.getPhase()).isEqualTo(Phase.Waiting);
    assertThat(status.getRollout().getHeldBy()).isEqualTo(RolloutGates.HELD_BY_WINDOW);
  }

  @Test
  void verifyHeldBySuspendGetsItsWholeTimeAfterResuming() {
    resource.getSpec().setMaintenanceWindow(null);
    resource.getSpec().setSuspend(true);
    transitions.apply(
        resource,
        status,
        RolloutStage.Migrate,
        new StageResult.Advance(RolloutStage.Verify, Reasons.MIGRATION_SUCCEEDED, "verifying"),
        FRIDAY);
    assertThat(status.getPhase()).isEqualTo(Phase.Suspended);
    resource.getSpec().setSuspend(false);
    Instant later = FRIDAY.plus(Duration.ofHours(2));
    transitions.held(resource, status, later);
    assertThat(status.getPhase()).isEqualTo(Phase.Verifying);
    assertThat(status.getRollout().getVerifyStartedAt()).isEqualTo(later.toString());
  }
}
