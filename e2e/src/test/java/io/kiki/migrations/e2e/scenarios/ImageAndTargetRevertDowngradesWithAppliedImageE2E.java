package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "Revert the commit": image and targetRevision go back together. The older image does not know the
 * database's revision, so the operator downgrades with status.appliedImage, the image that applied
 * it.
 */
@ExtendWith(ScenarioExtension.class)
class ImageAndTargetRevertDowngradesWithAppliedImageE2E {

  static final String OLDER_IMAGE = "registry.example.com/kiki/migrations:1.5.0";

  @Test
  void revertedImageAndTargetDowngradeWithTheAppliedImage(Scenario scenario) {
    String older =
        scenario.image(
            OLDER_IMAGE, Projects.copyOfKiki("1.5.0").withoutRevision(KikiRevisions.HEAD).dir());
    scenario.apply("database.yaml");
    scenario.apply(
        "image-and-target-revert.yaml", Map.of("image", TestCluster.KIKI_IMAGE, "target", "head"));
    DatabaseMigration upgraded = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(upgraded.getStatus().getPhase())
        .as(upgraded.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(upgraded.getStatus().getAppliedImage()).isEqualTo(TestCluster.KIKI_IMAGE);
    scenario.executeSqlFixture("kiki-rows.sql");

    scenario.apply(
        "image-and-target-revert.yaml", Map.of("image", older, "target", KikiRevisions.BACKFILL));
    DatabaseMigration reverted = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(reverted.getStatus().getPhase())
        .as(reverted.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(reverted, 2);
    assertThat(reverted.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.BACKFILL);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.BACKFILL);
    assertThat(reverted.getStatus().getHistory().get(0).getDirection()).isEqualTo("downgrade");
    String migrateJob = reverted.getStatus().getRollout().getJobs().getMigrate();
    Job downgrade =
        scenario.jobs("kiki-campaigns").stream()
            .filter(j -> j.getMetadata().getName().equals(migrateJob))
            .findFirst()
            .orElseThrow();
    assertThat(downgrade.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .as("the downgrade runs in the image that knows %s", KikiRevisions.HEAD)
        .isEqualTo(TestCluster.KIKI_IMAGE);
    assertThat(downgrade.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .startsWith("downgrade");
    assertThat(scenario.query("SELECT id FROM campaign_deployments ORDER BY id"))
        .containsExactly(List.of(100), List.of(101), List.of(102));
  }
}
