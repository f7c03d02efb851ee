package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * env.py keeps the version table as kiki_meta.kiki_version, and another application's
 * public.alembic_version holds x9: the plan reports the project's table, the operator reads the
 * revision there (not x9, not base), Ready at v2; a downgrade back to v1 is a real downgrade, not a
 * no-op from "base".
 */
@ExtendWith(ScenarioExtension.class)
class CustomVersionTableIsReadWhereEnvPyKeepsItE2E {
  static final String V1 = "c0000001vtab";
  static final String V2 = "c0000002vtab";

  @Test
  void readyAtTheProjectsRevisionAndAnotherAppsTableUntouched(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:custom-version-table",
            Projects.fixture("custom-version-table").dir());
    scenario.executeSqlFixture("another-apps-alembic-version.sql");
    scenario.apply("database.yaml");
    scenario.apply(
        "custom-version-table.yaml",
        Map.of("image", image, "target", "head", "allowDowngrade", "false"));

    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(ready, 1);
    assertThat(ready.getStatus().getCurrentRevision()).isEqualTo(V2);
    assertThat(ready.getStatus().getVersionTableSchema()).isEqualTo("kiki_meta");
    assertThat(ready.getStatus().getVersionTable()).isEqualTo("kiki_version");
    assertThat(ready.getStatus().getLastBackup().getRevision())
        .as("backup named by the project's revision")
        .isEqualTo("base");
    assertThat(scenario.query("SELECT version_num FROM kiki_meta.kiki_version"))
        .containsExactly(List.of(V2));
    assertThat(scenario.databaseRevisions())
        .as("the other application's table")
        .containsExactly("x9");

    scenario.apply(
        "custom-version-table.yaml",
        Map.of("image", image, "target", V1, "allowDowngrade", "true"));
    DatabaseMigration down = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(down.getStatus().getPhase())
        .as(down.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(down.getStatus().getCurrentRevision()).isEqualTo(V1);
    assertThat(down.getStatus().getHistory().get(0).getFrom()).isEqualTo(V2);
    assertThat(scenario.query("SELECT version_num FROM kiki_meta.kiki_version"))
        .containsExactly(List.of(V1));
    assertThat(
            scenario.query(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'campaigns' "
                    + "AND column_name = 'name'"))
        .containsExactly(List.of(0L));
  }
}
