package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * gitops/flux: the operator first, then the DatabaseMigration gated on Ready at its generation,
 * then the app.
 */
class FluxKustomizationsTest {

  private final List<GenericKubernetesResource> kustomizations = load();

  @Test
  void operatorIsInstalledFromTheManifestsDirectoryAndWaitedFor() {
    Map<String, Object> spec = spec("kiki-migrations-operator");
    assertThat(spec).containsEntry("path", "./manifests").containsEntry("wait", true);
  }

  @Test
  void databaseWaitsForTheOperatorAndGatesOnTheMigrationsConditions() {
    Map<String, Object> spec = spec("kiki-database");
    assertThat(spec).containsEntry("wait", true);
    assertThat(dependsOn(spec)).containsExactly("kiki-migrations-operator");

    List<Map<String, Object>> expressions = list(spec.get("healthCheckExprs"));
    assertThat(expressions)
        .singleElement()
        .satisfies(
            expression -> {
              assertThat(expression)
                  .containsEntry("apiVersion", "migrations.kiki.io/v1alpha1")
                  .containsEntry("kind", "DatabaseMigration");
              assertThat((String) expression.get("current"))
                  .contains("status.observedGeneration == metadata.generation")
                  .contains("c.type == 'Ready' && c.status == 'True'");
              assertThat((String) expression.get("failed"))
                  .contains("status.observedGeneration == metadata.generation")
                  .contains("c.type == 'Stalled' && c.status == 'True'");
            });
  }

  @Test
  void applicationIsDeployedOnlyAfterItsSchemaIsReady() {
    assertThat(dependsOn(spec("kiki-api"))).containsExactly("kiki-database");
  }

  private Map<String, Object> spec(String name) {
    GenericKubernetesResource kustomization =
        kustomizations.stream()
            .filter(candidate -> name.equals(candidate.getMetadata().getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Flux Kustomization " + name));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>) kustomization.getAdditionalProperties().get("spec");
    return spec;
  }

  private static List<String> dependsOn(Map<String, Object> spec) {
    return list(spec.get("dependsOn")).stream().map(entry -> (String) entry.get("name")).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<Map<String, Object>>) value;
  }

  private static List<GenericKubernetesResource> load() {
    try {
      var file = Paths.MANIFESTS.resolve("gitops/flux/kiki-migrations.yaml");
      List<GenericKubernetesResource> all =
          Kustomize.parseAll(Files.readString(file), file).stream()
              .map(GenericKubernetesResource.class::cast)
              .toList();
      assertThat(all)
          .allSatisfy(
              object -> {
                assertThat(object.getApiVersion()).isEqualTo("kustomize.toolkit.fluxcd.io/v1");
                assertThat(object.getKind()).isEqualTo("Kustomization");
              });
      return all;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
