package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A GitOps pipeline bumps spec.targetRevision and waits for Ready at the new generation (what Argo
 * CD and Flux gate on): the database moves forward with its data, including the data migration.
 */
@ExtendWith(ScenarioExtension.class)
class GitOpsTargetBumpBecomesReadyAtNewGenerationE2E {

  @Test
  void bumpedTargetRevisionIsReadyAtTheNewGeneration(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("gitops-target-bump.yaml", Map.of("target", KikiRevisions.ARCHIVED));
    DatabaseMigration first = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(first.getStatus().getPhase())
        .as(first.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.ARCHIVED);
    scenario.executeSqlFixture("kiki-rows.sql");

    scenario.apply("gitops-target-bump.yaml", Map.of("target", KikiRevisions.HEAD));
    DatabaseMigration bumped = scenario.get("kiki-campaigns");
    assertThat(bumped.getMetadata().getGeneration()).isEqualTo(2L);
    DatabaseMigration settled = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(settled.getStatus().getPhase())
        .as(settled.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(settled, 2);
    assertThat(settled.getStatus().getCurrentRevision()).isEqualTo(KikiRevisions.HEAD);
    assertThat(settled.getStatus().getHistory())
        .hasSizeGreaterThanOrEqualTo(2)
        .first()
        .satisfies(
            h -> {
              assertThat(h.getGeneration()).isEqualTo(2L);
              assertThat(h.getFrom()).isEqualTo(KikiRevisions.ARCHIVED);
              assertThat(h.getTo()).isEqualTo(KikiRevisions.HEAD);
              assertThat(h.getOutcome()).isEqualTo(Phase.Ready);
            });
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
    assertThat(scenario.query("SELECT id, assets_source FROM campaign_deployments ORDER BY id"))
        .containsExactly(
            List.of(100, "GENERATED"), List.of(101, "UPLOADED"), List.of(102, "GENERATED"));
  }
}
