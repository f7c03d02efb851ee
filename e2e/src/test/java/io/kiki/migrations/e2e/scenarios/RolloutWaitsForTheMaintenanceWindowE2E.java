package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A target set outside spec.maintenanceWindow is planned at once and then waits, touching nothing,
 * in phase Waiting with status.nextWindow; when the window opens the backup and the migration run.
 * The window is a real one with no test-only knob in the operator: the scenario writes a daily
 * schedule (Europe/Berlin) whose start is the next whole minute at least 45 seconds away, and the
 * operator's wall clock does the rest.
 */
@ExtendWith(ScenarioExtension.class)
class RolloutWaitsForTheMaintenanceWindowE2E {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @Test
  void waitsInPhaseWaitingAndMigratesWhenTheWindowOpens(Scenario scenario) {
    ZonedDateTime opens =
        ZonedDateTime.now(BERLIN).plusSeconds(45).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    String schedule = opens.getMinute() + " " + opens.getHour() + " * * *";
    scenario.apply("database.yaml");
    scenario.apply("maintenance-window.yaml", Map.of("schedule", schedule));

    DatabaseMigration waiting = scenario.awaitPhase("kiki-campaigns", Phase.Waiting);
    assertThat(Instant.now())
        .as("the scenario saw it before the window")
        .isBefore(opens.toInstant());
    assertThat(waiting.getStatus().getNextWindow()).isEqualTo(opens.toInstant().toString());
    assertThat(waiting.getStatus().getMessage())
        .contains("waiting for the maintenance window")
        .contains("spec.timeouts.backup");
    assertThat(waiting.getStatus().getRollout().getStage()).isEqualTo(RolloutStage.Backup);
    assertThat(waiting.getStatus().getRollout().getTo())
        .as("planned before waiting")
        .isEqualTo(KikiRevisions.HEAD);
    assertCondition(waiting, "Reconciling", "True", "WaitingForMaintenanceWindow", 1);
    assertThat(scenario.jobs("kiki-campaigns"))
        .extracting(
            j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .as("only the plan ran before the window")
        .containsExactly("plan");
    assertThat(scenario.databaseRevisions()).as("the database is untouched").isEmpty();

    DatabaseMigration ready =
        await("Ready once the window opened")
            .atMost(
                Duration.between(Instant.now(), opens.toInstant()).plus(Scenario.ROLLOUT_TIMEOUT))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> scenario.get("kiki-campaigns"),
                d -> d.getStatus() != null && d.getStatus().getPhase() == Phase.Ready);
    assertReady(ready, 1);
    assertThat(ready.getStatus().getNextWindow()).isNull();
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    Job backup =
        scenario.jobs("kiki-campaigns").stream()
            .filter(
                j ->
                    "backup"
                        .equals(
                            j.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getArgs()
                                .get(0)))
            .findFirst()
            .orElseThrow();
    assertThat(Instant.parse(backup.getMetadata().getCreationTimestamp()))
        .as("the backup Job was created inside the window")
        .isAfterOrEqualTo(opens.toInstant());
    assertThat(scenario.eventTexts()).anyMatch(e -> e.contains("the maintenance window is open"));
  }
}
