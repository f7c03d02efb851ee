package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.e2e.support.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An empty database and a DatabaseMigration targeting head: plan, back up, migrate, verify, Ready. */
@ExtendWith(ScenarioExtension.class)
class FreshDatabaseMigratesToHeadE2E {

  @Test
  void freshDatabaseIsMigratedToHeadAndReady(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("fresh-database-to-head.yaml");

    DatabaseMigration dbm = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(dbm.getStatus().getPhase()).as(dbm.getStatus().getMessage()).isEqualTo(Phase.Ready);
    assertReady(dbm, 1);
    assertThat(dbm.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.HEAD);
    assertThat(dbm.getStatus().getTargetRevision()).isEqualTo(KikiRevisions.HEAD);
    assertThat(dbm.getStatus().getAppliedImage()).isEqualTo(TestCluster.KIKI_IMAGE);
    assertThat(dbm.getStatus().getLastBackup()).isNotNull();
    assertThat(dbm.getStatus().getLastBackup().getRevision()).isEqualTo("base");
    assertThat(dbm.getStatus().getHistory()).first().satisfies(h -> {
      assertThat(h.getOutcome()).isEqualTo(Phase.Ready);
      assertThat(h.getTo()).isEqualTo(KikiRevisions.HEAD);
      assertThat(h.getGeneration()).isEqualTo(1L);
    });

    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(List.of("users", "campaigns", "campaign_deployments", "campaign_assets")).allMatch(scenario::tableExists);

    List<Job> jobs = scenario.jobs("kiki-campaigns");
    assertThat(jobs).extracting(j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0))
        .containsExactlyInAnyOrder("plan", "backup", "upgrade");
    for (Job job : jobs) {
      assertThat(job.getSpec().getBackoffLimit()).isZero();
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isPositive();
      assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
      Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(container.getName()).isEqualTo("kiki-migrate");
      assertThat(container.getImage()).isEqualTo(TestCluster.KIKI_IMAGE);
      assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("KIKI_DATABASE_URL")).singleElement()
          .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kiki-db"));
    }
  }
}
