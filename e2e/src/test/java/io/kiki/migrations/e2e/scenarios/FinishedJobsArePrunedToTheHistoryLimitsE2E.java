package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Finished Jobs do not pile up: with successfulJobsHistoryLimit 1, the Jobs of the earlier
 * successful rollout are deleted once the next one is Ready, and the last rollout's Jobs (with
 * their logs) stay. The backups are not touched: their retention is backup.keep.
 */
@ExtendWith(ScenarioExtension.class)
class FinishedJobsArePrunedToTheHistoryLimitsE2E {

  @Test
  void onlyTheLastSuccessfulRolloutKeepsItsJobs(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("job-history.yaml", Map.of("target", KikiRevisions.ARCHIVED));
    DatabaseMigration first = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(first.getStatus().getPhase())
        .as(first.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(rollouts(scenario.jobs("kiki-campaigns"))).containsOnly("1");
    String firstBackup = first.getStatus().getLastBackup().getFile();

    scenario.apply("job-history.yaml", Map.of("target", KikiRevisions.HEAD));
    DatabaseMigration second = scenario.awaitSettled("kiki-campaigns", 2);
    assertThat(second.getStatus().getPhase())
        .as(second.getStatus().getMessage())
        .isEqualTo(Phase.Ready);

    List<Job> kept =
        await("the first rollout's Jobs deleted")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    scenario.jobs("kiki-campaigns").stream()
                        .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
                        .toList(),
                jobs -> !rollouts(jobs).contains("1"));
    assertThat(rollouts(kept)).containsOnly("2");
    assertThat(kept)
        .extracting(
            j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .containsExactlyInAnyOrder("plan", "backup", "upgrade");
    assertThat(second.getStatus().getHistory())
        .extracting(h -> h.getBackupFile())
        .as("the backups' records (and files, backup.keep: 3) stay")
        .contains(firstBackup);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
  }

  private static List<String> rollouts(List<Job> jobs) {
    return jobs.stream()
        .map(j -> j.getMetadata().getLabels().get("migrations.kiki.io/rollout"))
        .distinct()
        .toList();
  }
}
