package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What --apply refuses before starting anything, and what --until-settled counts as settled. */
class ManifestCheckTest {
  private static final String HEAD = """
      apiVersion: v1
      kind: Secret
      metadata: {name: db, namespace: kiki}
      stringData: {URL: "postgresql://x@y/z"}
      ---
      apiVersion: migrations.kiki.io/v1alpha1
      kind: DatabaseMigration
      metadata: {name: campaigns, namespace: kiki}
      spec:
        image: kiki/migrations:1
        database: {urlSecretRef: {name: db, key: URL}}
      """;

  @Test
  void unknownEnumValueNamesFileObjectFieldAndAllowedValues() {
    assertThat(ManifestCheck.firstProblem("f.yaml", HEAD + "  rollback: {onFailure: RestoreEverything}\n"))
        .contains("f.yaml: DatabaseMigration kiki/campaigns: spec.rollback.onFailure: Unsupported value "
            + "\"RestoreEverything\": supported values: Downgrade, Restore, DowngradeThenRestore, None");
  }

  @Test
  void unknownFieldIsNamed() {
    assertThat(ManifestCheck.firstProblem("f.yaml", HEAD + "  approval: Manual\n"))
        .contains("f.yaml: DatabaseMigration kiki/campaigns: spec.approval: unknown field (this version of the operator "
            + "does not have it)");
  }

  @Test
  void aGoodFileHasNoProblemAndBrokenYamlIsOneLine() {
    assertThat(ManifestCheck.firstProblem("f.yaml", HEAD)).isEmpty();
    assertThat(ManifestCheck.firstProblem("f.yaml", "kind: [")).hasValueSatisfying(p ->
        assertThat(p).startsWith("f.yaml: not valid YAML: ").doesNotContain("\n"));
  }

  @Test
  void stalledAtTheCurrentGenerationIsSettled() {
    DatabaseMigration pending = withStatus(Phase.Pending, "True", 2L, 2L);
    assertThat(SandboxMain.isSettled(pending)).isTrue();
    assertThat(SandboxMain.isSettled(withStatus(Phase.Pending, "True", 3L, 2L))).as("older generation").isFalse();
    assertThat(SandboxMain.isSettled(withStatus(Phase.Pending, "False", 2L, 2L))).isFalse();
    assertThat(SandboxMain.isSettled(withStatus(Phase.Ready, "False", 2L, 2L))).isTrue();
  }

  private static DatabaseMigration withStatus(Phase phase, String stalled, long generation, long observed) {
    DatabaseMigration resource = new DatabaseMigration();
    resource.setMetadata(new ObjectMetaBuilder().withName("x").withNamespace("kiki").withGeneration(generation).build());
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    status.setPhase(phase);
    status.setObservedGeneration(observed);
    status.setConditions(List.of(new ConditionBuilder().withType("Stalled").withStatus(stalled)
        .withReason("SecretKeyNotFound").withObservedGeneration(observed).build()));
    resource.setStatus(status);
    return resource;
  }
}
