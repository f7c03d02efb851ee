package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An image with two unmerged heads: Blocked before touching the database, telling the user to merge
 * heads.
 */
@ExtendWith(ScenarioExtension.class)
class MultipleHeadsBlocksE2E {

  @Test
  void twoHeadsBlockWithMergeAdvice(Scenario scenario) {
    Map<String, String> parent = Map.of("down_revision", KikiRevisions.HEAD);
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-two-heads",
            Projects.copyOfKiki("two-heads")
                .withRevision("e2e0head000a_branch_a.py", parent)
                .withRevision("e2e0head000b_branch_b.py", parent)
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("multiple-heads.yaml", Map.of("image", image));

    DatabaseMigration blocked = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(blocked.getStatus().getPhase())
        .as(blocked.getStatus().getMessage())
        .isEqualTo(Phase.Blocked);
    assertStalled(blocked, "MultipleHeads", 1);
    assertThat(blocked.getStatus().getMessage())
        .contains("alembic merge heads")
        .contains("e2e0head000a")
        .contains("e2e0head000b");
    assertThat(scenario.databaseRevisions()).as("the database is untouched").isEmpty();
    assertThat(scenario.jobs("kiki-campaigns")).as("only the plan ran").hasSize(1);
  }
}
