package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RehearsalRecord;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import io.kiki.migrations.operator.database.ScratchDatabases;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * spec.rehearsal: the rollout first runs on a restored copy of its backup. A unique constraint over
 * rows that repeat an email fails there, and the real database is never touched (revision, rows, no
 * migrate Job, no scratch database left); a healthy rollout rehearses, then reaches Ready with the
 * rehearsal's durations in status.
 */
@ExtendWith(ScenarioExtension.class)
class RehearsalCatchesDataDependentFailuresE2E {
  static final String FIRST = "du0000000001";
  static final String UNIQUE_EMAIL = "du0000000002";

  @Test
  void uniqueConstraintOverDuplicateRowsStopsAtRehearsal(Scenario scenario) {
    String image = startAtFirstRevision(scenario);
    scenario.executeSqlFixture("duplicate-accounts.sql");
    List<List<Object>> before = scenario.query("SELECT id, email FROM accounts ORDER BY id");

    scenario.apply("rehearsal.yaml", Map.of("image", image, "target", "head"));
    DatabaseMigration failed = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(failed.getStatus().getPhase())
        .as(failed.getStatus().getMessage())
        .isEqualTo(Phase.Failed);
    assertStalled(failed, "RehearsalFailed", 2);
    assertThat(failed.getStatus().getMessage())
        .contains(UNIQUE_EMAIL)
        .contains("ada@kiki.example")
        .contains("not touched");
    RehearsalRecord rehearsal = failed.getStatus().getLastRehearsal();
    assertThat(rehearsal.getResult()).isEqualTo("Failed");
    assertThat(rehearsal.getFailedRevision()).isEqualTo(UNIQUE_EMAIL);
    assertThat(failed.getStatus().getLastBackup().getRestoredInRehearsal())
        .as("the restore into the copy completed before the step failed")
        .isTrue();
    assertThat(rehearsal.getRolloutId()).isEqualTo(failed.getStatus().getRollout().getId());
    assertThat(failed.getStatus().getRollout().getJobs().getMigrate())
        .as("no migrate Job for the real database")
        .isNull();
    assertThat(migrateJobs(scenario, failed.getStatus().getRollout().getId())).isEmpty();
    assertThat(scenario.databaseRevisions()).containsExactly(FIRST);
    assertThat(scenario.query("SELECT id, email FROM accounts ORDER BY id")).isEqualTo(before);
    assertThat(scratchDatabases(scenario, failed)).as("scratch databases left over").isEmpty();
  }

  @Test
  void healthyRolloutRehearsesThenBecomesReady(Scenario scenario) {
    String image = startAtFirstRevision(scenario);
    scenario.executeSqlFixture("distinct-accounts.sql");

    scenario.apply("rehearsal.yaml", Map.of("image", image, "target", "head"));
    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 2);
    assertThat(scenario.databaseRevisions()).containsExactly(UNIQUE_EMAIL);
    RehearsalRecord rehearsal = ready.getStatus().getLastRehearsal();
    assertThat(rehearsal.getResult()).isEqualTo("Passed");
    assertThat(rehearsal.getRolloutId()).isEqualTo(ready.getStatus().getRollout().getId());
    assertThat(rehearsal.getRoundTrip()).as("both steps are reversible").isTrue();
    assertThat(rehearsal.getForwardMs()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(rehearsal.getBackMs()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(rehearsal.getAgainMs()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(rehearsal.getDurationMs()).isGreaterThan(0L);
    assertThat(rehearsal.getRestoredBytes()).isGreaterThan(0L);
    assertThat(rehearsal.getBackupFile()).isEqualTo(ready.getStatus().getLastBackup().getFile());
    assertThat(ready.getStatus().getLastBackup().getRestoredInRehearsal()).isTrue();
    assertThat(ready.getStatus().getRollout().getJobs().getRehearse()).isNotNull();
    assertThat(scenario.eventTexts()).anyMatch(e -> e.contains("RehearsalSucceeded"));
    assertThat(scratchDatabases(scenario, ready)).as("scratch databases left over").isEmpty();
  }

  /** Generation 1: the project's first revision (rehearsed too, on an empty copy), Ready. */
  private static String startAtFirstRevision(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:duplicates",
            Projects.fixture("duplicates").dir());
    scenario.apply("database.yaml");
    scenario.apply("rehearsal.yaml", Map.of("image", image, "target", FIRST));
    DatabaseMigration first = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(first.getStatus().getPhase())
        .as(first.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    return image;
  }

  private static List<Job> migrateJobs(Scenario scenario, String rolloutId) {
    return scenario.jobs("kiki-campaigns").stream()
        .filter(j -> j.getMetadata().getName().contains("-migrate-" + rolloutId))
        .toList();
  }

  private static List<List<Object>> scratchDatabases(Scenario scenario, DatabaseMigration owner) {
    String prefix = ScratchDatabases.prefix(owner);
    return scenario.query(
        "SELECT datname FROM pg_database WHERE left(datname, "
            + prefix.length()
            + ") = '"
            + prefix
            + "'");
  }
}
