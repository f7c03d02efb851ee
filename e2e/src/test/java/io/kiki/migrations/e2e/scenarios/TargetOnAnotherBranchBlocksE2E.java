package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database is at h_a; the target h_b is on another branch from p1: reaching it would leave two
 * current revisions. Blocked at plan (TargetWouldBranch), no backup or migrate Job, the database
 * stays at h_a.
 */
@ExtendWith(ScenarioExtension.class)
class TargetOnAnotherBranchBlocksE2E {
  static final String HA = "ha000000colm";
  static final String HB = "hb000000sbox";

  @Test
  void aTargetThatWouldBranchTheDatabaseIsBlocked(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:branches", Projects.fixture("branches").dir());
    scenario.apply("database.yaml");
    scenario.apply(
        "fixture-project.yaml",
        Map.of("image", image, "target", HA, "table", "users", "lock", "5s"));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    int jobsBefore = scenario.jobs("kiki-campaigns").size();

    scenario.apply(
        "fixture-project.yaml",
        Map.of("image", image, "target", HB, "table", "users", "lock", "5s"));
    DatabaseMigration blocked = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(blocked.getStatus().getPhase())
        .as(blocked.getStatus().getMessage())
        .isEqualTo(Phase.Blocked);
    assertStalled(blocked, "TargetWouldBranch", 2);
    assertThat(blocked.getStatus().getMessage()).contains(HA).contains(HB).contains("merge");
    assertThat(scenario.jobs("kiki-campaigns"))
        .as("only the plan of generation 2 ran")
        .hasSize(jobsBefore + 1);
    assertThat(scenario.databaseRevisions()).containsExactly(HA);
    assertThat(scenario.tableExists("sandboxes")).isFalse();
  }
}
