package io.kiki.migrations.e2e.scenarios;

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
 * The Jobs connect as the role that owns the database, not a superuser; a superuser created the
 * citext extension its users table uses. A failing check after c2 makes the operator restore the
 * backup taken at c1: the restore leaves out the extension (it exists, and the role may neither
 * drop nor recreate it), restores the rows, RolledBack; the backup was verified because the same
 * role can restore it.
 */
@ExtendWith(ScenarioExtension.class)
class RestoreAsTheDatabaseOwnerLeavesOutASuperusersExtensionE2E {
  static final String C1 = "c1000000citx";

  @Test
  void rolledBackByRestoreAsTheOwner(Scenario scenario) {
    String image =
        scenario.image(
            "registry.example.com/kiki/migrations:citext", Projects.fixture("citext").dir());
    scenario.executeSqlFixture("database-owner-role.sql");
    String ownerUrl =
        scenario
            .database()
            .clusterUrl()
            .replaceFirst("://[^@]*@", "://kiki_app_owner:Kiki-app-0wner-e2e@");
    scenario.apply("owner-role-secret.yaml", Map.of("ownerUrl", ownerUrl));
    scenario.apply("citext-restore.yaml", Map.of("image", image, "target", C1));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);

    scenario.apply("citext-restore.yaml", Map.of("image", image, "target", "head"));
    DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);

    assertThat(rolledBack.getStatus().getPhase())
        .as(rolledBack.getStatus().getMessage())
        .isEqualTo(Phase.RolledBack);
    assertThat(rolledBack.getStatus().getRollout().getJobs().getRestore())
        .as("rolled back by restore")
        .isNotNull();
    assertThat(rolledBack.getStatus().getLastBackup().getVerified()).isTrue();
    assertThat(rolledBack.getStatus().getCurrentRevision()).isEqualTo(C1);
    assertThat(scenario.databaseRevisions()).containsExactly(C1);
    assertThat(scenario.query("SELECT id, email::text FROM users ORDER BY id"))
        .containsExactly(
            List.of(1, "A@example.com"), List.of(2, "b@example.com"), List.of(3, "C@Example.com"));
    assertThat(scenario.query("SELECT count(*) FROM users WHERE email = 'a@EXAMPLE.com'"))
        .as("still citext")
        .containsExactly(List.of(1L));
    assertThat(
            scenario.query(
                "SELECT r.rolsuper FROM pg_extension e JOIN pg_roles r ON r.oid = e.extowner "
                    + "WHERE e.extname = 'citext'"))
        .as("the superuser's extension, untouched")
        .containsExactly(List.of(true));
  }
}
