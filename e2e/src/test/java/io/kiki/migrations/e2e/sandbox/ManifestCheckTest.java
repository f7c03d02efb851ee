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
  private static final String HEAD =
      """
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
    assertThat(
            ManifestCheck.problems("f.yaml", HEAD + "  rollback: {onFailure: RestoreEverything}\n"))
        .containsExactly(
            "f.yaml: DatabaseMigration kiki/campaigns: spec.rollback.onFailure: Unsupported value "
                + "\"RestoreEverything\": supported values: Downgrade, Restore, DowngradeThenRestore, None");
  }

  @Test
  void unknownFieldIsNamed() {
    assertThat(ManifestCheck.problems("f.yaml", HEAD + "  canary: {percent: 10}\n"))
        .containsExactly(
            "f.yaml: DatabaseMigration kiki/campaigns: spec.canary: unknown field (this version of the operator "
                + "does not have it)");
  }

  @Test
  void aGoodFileHasNoProblemAndBrokenYamlIsOneLine() {
    assertThat(ManifestCheck.problems("f.yaml", HEAD)).isEmpty();
    assertThat(ManifestCheck.problems("f.yaml", "kind: ["))
        .singleElement()
        .satisfies(p -> assertThat(p).startsWith("f.yaml: not valid YAML: ").doesNotContain("\n"));
  }

  @Test
  void everyValueTheCrdRefusesIsOneLineNamingFileObjectAndField() {
    String checks =
        """
          verify:
            timeout: 5s
            interval: 10s
            checks:
            - name: "prüfung ✓"
              sql: SELECT 1
        """;
    String longName = "a".repeat(73);
    assertThat(
            ManifestCheck.problems(
                "f.yaml", HEAD.replace("name: campaigns,", "name: " + longName + ",") + checks))
        .containsExactly(
            "f.yaml: DatabaseMigration kiki/"
                + longName
                + ": metadata.name must be at most 63 characters (it has 73): "
                + "the operator puts it into label values of the rollout's Jobs and pods, which Kubernetes limits to "
                + "63; choose a shorter name",
            "f.yaml: DatabaseMigration kiki/"
                + longName
                + ": spec.verify.interval must not be longer than "
                + "spec.verify.timeout: no second round of checks could run before the timeout",
            "f.yaml: DatabaseMigration kiki/"
                + longName
                + ": spec.verify.checks[0].name 'prüfung ✓' must be "
                + "lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. "
                + "campaigns-readable)");
  }

  @Test
  void whatOnlyTheOperatorChecksIsLeftToTheOperator() {
    String infeasible =
        """
          verify:
            timeout: 20s
            interval: 10s
            successThreshold: 3
            checks:
            - name: two
              sql: SELECT 1; SELECT 2
        """;
    assertThat(ManifestCheck.problems("f.yaml", HEAD + infeasible))
        .as("stored by a validating API server too, then " + "Blocked with InvalidSpec")
        .isEmpty();
  }

  @Test
  void stalledAtTheCurrentGenerationIsSettled() {
    DatabaseMigration pending = withStatus(Phase.Pending, "True", 2L, 2L);
    assertThat(SandboxMain.isSettled(pending)).isTrue();
    assertThat(SandboxMain.isSettled(withStatus(Phase.Pending, "True", 3L, 2L)))
        .as("older generation")
        .isFalse();
    assertThat(SandboxMain.isSettled(withStatus(Phase.Pending, "False", 2L, 2L))).isFalse();
    assertThat(SandboxMain.isSettled(withStatus(Phase.Ready, "False", 2L, 2L))).isTrue();
  }

  private static DatabaseMigration withStatus(
      Phase phase, String stalled, long generation, long observed) {
    DatabaseMigration resource = new DatabaseMigration();
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName("x")
            .withNamespace("kiki")
            .withGeneration(generation)
            .build());
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    status.setPhase(phase);
    status.setObservedGeneration(observed);
    status.setConditions(
        List.of(
            new ConditionBuilder()
                .withType("Stalled")
                .withStatus(stalled)
                .withReason("SecretKeyNotFound")
                .withObservedGeneration(observed)
                .build()));
    resource.setStatus(status);
    return resource;
  }
}
