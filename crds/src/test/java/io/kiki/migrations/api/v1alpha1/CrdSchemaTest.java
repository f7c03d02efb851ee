package io.kiki.migrations.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What `kubectl get dbm` and `kubectl explain dbm` show, and the validation the API server does.
 */
class CrdSchemaTest {
  /** Fields whose schema comes from Kubernetes' own types. */
  private static final Set<String> KUBERNETES_TYPES =
      Set.of(
          "spec.jobTemplate.resources",
          "spec.jobTemplate.tolerations",
          "spec.jobTemplate.imagePullSecrets",
          "status.conditions");

  private final CustomResourceDefinitionVersion version = load().getSpec().getVersions().get(0);

  private static CustomResourceDefinition load() {
    try {
      return Serialization.unmarshal(
          Files.readString(Path.of(CrdYamlUpToDateTest.FILE)), CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void printerColumnsAndShortName() {
    // `kubectl get dbm`: NAME TARGET CURRENT PHASE READY SUSPENDED AGE, and NEXT-WINDOW with -o
    // wide (the generator alone would sort them by JSON path).
    assertThat(version.getAdditionalPrinterColumns())
        .extracting("name")
        .containsExactly("Target", "Current", "Phase", "Ready", "Suspended", "Next-Window", "Age");
    assertThat(version.getAdditionalPrinterColumns())
        .extracting("jsonPath")
        .containsExactly(
            Arrays.stream(
                    DatabaseMigration.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::jsonPath)
                .toArray());
    assertThat(load().getSpec().getNames().getShortNames()).containsExactly("dbm");
    assertThat(version.getSubresources().getStatus()).isNotNull();
  }

  @Test
  void everyFieldIsDescribed() {
    List<String> undescribed = new ArrayList<>();
    Map<String, JSONSchemaProps> root = version.getSchema().getOpenAPIV3Schema().getProperties();
    walk("spec", root.get("spec"), undescribed);
    walk("status", root.get("status"), undescribed);
    assertThat(undescribed).as("fields without @JsonPropertyDescription").isEmpty();
  }

  @Test
  void everyDefaultIsStatedInTheDescription() {
    // `kubectl explain` shows the description, never the schema's default.
    List<String> unstated = new ArrayList<>();
    defaults(
        "spec", version.getSchema().getOpenAPIV3Schema().getProperties().get("spec"), unstated);
    assertThat(unstated).as("defaults the description does not state (\"Default: X.\")").isEmpty();
  }

  private static void defaults(String path, JSONSchemaProps props, List<String> unstated) {
    if (props.getItems() != null && props.getItems().getSchema() != null) {
      defaults(path + "[]", props.getItems().getSchema(), unstated);
    }
    if (props.getProperties() == null || KUBERNETES_TYPES.contains(path)) {
      return;
    }
    props
        .getProperties()
        .forEach(
            (name, child) -> {
              String childPath = path + "." + name;
              if (child.getDefault() != null) {
                String value = child.getDefault().asText();
                String description = child.getDescription() == null ? "" : child.getDescription();
                if (!description.contains("Default: " + value + ".")
                    && !description.contains("default " + value)) {
                  unstated.add(childPath + " (default " + value + ")");
                }
              }
              defaults(childPath, child, unstated);
            });
  }

  @Test
  void everyDurationConversionIsGuardedByThePattern() {
    // duration() of a malformed string is a "type conversion error" next to the pattern's own
    // error: each rule converts a field only after matching it against the pattern.
    List<String> unguarded = new ArrayList<>();
    rules("spec", version.getSchema().getOpenAPIV3Schema().getProperties().get("spec"), unguarded);
    assertThat(unguarded).isEmpty();
  }

  private static void rules(String path, JSONSchemaProps props, List<String> unguarded) {
    if (props.getXKubernetesValidations() != null) {
      props
          .getXKubernetesValidations()
          .forEach(
              rule -> {
                java.util.regex.Matcher converted =
                    java.util.regex.Pattern.compile("duration\\((self\\.[A-Za-z]+)\\)")
                        .matcher(rule.getRule());
                while (converted.find()) {
                  String guard =
                      "!" + converted.group(1) + ".matches(" + Durations.CEL_PATTERN + ")";
                  if (!rule.getRule().contains(guard)) {
                    unguarded.add(path + ": " + rule.getRule());
                  }
                }
              });
    }
    if (props.getProperties() != null && !KUBERNETES_TYPES.contains(path)) {
      props.getProperties().forEach((name, child) -> rules(path + "." + name, child, unguarded));
    }
  }

  @Test
  void validationRulesAreInTheSchema() {
    JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getRequired()).contains("image", "database");
    assertThat(spec.getXKubernetesValidations())
        .extracting("message")
        .anySatisfy(m -> assertThat((String) m).contains("allowDowngrade"));
    assertThat(spec.getProperties().get("targetRevision").getPattern()).isNotBlank();
    assertThat(spec.getProperties().get("rollback").getProperties().get("onFailure").getEnum())
        .hasSize(4);
    assertThat(
            spec.getProperties().get("verify").getProperties().get("successThreshold").getMinimum())
        .isEqualTo(1.0);
  }

  private static void walk(String path, JSONSchemaProps props, List<String> undescribed) {
    if (props.getProperties() == null) {
      if (props.getItems() != null
          && props.getItems().getSchema() != null
          && !KUBERNETES_TYPES.contains(path)) {
        walk(path + "[]", props.getItems().getSchema(), undescribed);
      }
      return;
    }
    props
        .getProperties()
        .forEach(
            (name, child) -> {
              String childPath = path + "." + name;
              if (child.getDescription() == null || child.getDescription().isBlank()) {
                undescribed.add(childPath);
              }
              if (!KUBERNETES_TYPES.contains(childPath)) {
                walk(childPath, child, undescribed);
              }
            });
  }
}
