package io.kiki.migrations.e2e.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.SpecDecoding;
import java.io.IOException;
import java.util.Optional;

/**
 * What {@code kubectl apply} refuses before anything is stored: a DatabaseMigration with a field the CRD does not have
 * or a value its types cannot hold. The mock API server keeps such objects, so the sandbox checks files itself and
 * answers in one line naming the file, the object and the field.
 */
final class ManifestCheck {
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private ManifestCheck() {
  }

  /** The first problem of {@code content} (read from {@code source}), as one line; empty when there is none. */
  static Optional<String> firstProblem(String source, String content) {
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(content)) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document == null || !DatabaseMigration.class.getSimpleName().equals(document.path("kind").asText())) {
          continue;
        }
        String problem = SpecDecoding.strictProblem(JSON, document.get("spec"));
        if (problem != null) {
          String namespace = document.path("metadata").path("namespace").asText("default");
          String name = document.path("metadata").path("name").asText("(no name)");
          return Optional.of(source + ": DatabaseMigration " + namespace + "/" + name + ": " + problem);
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      return Optional.of(source + ": not valid YAML: " + message);
    }
  }
}
