package io.kiki.migrations.e2e.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.SpecDecoding;
import io.kiki.migrations.operator.controller.SpecValidator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code kubectl apply} refuses before anything is stored: a DatabaseMigration with a field
 * the CRD does not have, a value its types cannot hold, or a value its patterns, bounds and rules
 * refuse. The mock API server keeps such objects, so the sandbox checks files itself and answers in
 * one line naming the file, the object and the field.
 */
final class ManifestCheck {
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private ManifestCheck() {}

  /**
   * The problems of {@code content} (read from {@code source}), one line each naming the file, the
   * object and the field; empty when there is none. A spec that decodes is checked as the CRD
   * checks it ({@link SpecValidator#crdProblems}), so the sandbox refuses what a validating API
   * server refuses.
   */
  static List<String> problems(String source, String content) {
    List<String> problems = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(content)) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document == null
            || !DatabaseMigration.class.getSimpleName().equals(document.path("kind").asText())) {
          continue;
        }
        String namespace = document.path("metadata").path("namespace").asText("default");
        String name = document.path("metadata").path("name").asText("(no name)");
        String prefix = source + ": DatabaseMigration " + namespace + "/" + name + ": ";
        String problem = SpecDecoding.strictProblem(JSON, document.get("spec"));
        if (problem != null) {
          problems.add(prefix + problem);
          continue;
        }
        DatabaseMigration resource = JSON.treeToValue(document, DatabaseMigration.class);
        SpecValidator.crdProblems(resource).forEach(p -> problems.add(prefix + p));
      }
      return problems;
    } catch (IOException | RuntimeException e) {
      String message =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      return List.of(source + ": not valid YAML: " + message);
    }
  }
}
