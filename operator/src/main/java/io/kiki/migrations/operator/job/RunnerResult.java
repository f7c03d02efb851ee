package io.kiki.migrations.operator.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The JSON object kiki-migrate writes as its termination message (see the runner contract). */
public record RunnerResult(JsonNode json) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The result in a termination message: the whole message, or with FallbackToLogsOnError the last
   * line that is a JSON object.
   */
  public static Optional<RunnerResult> parse(String terminationMessage) {
    if (terminationMessage == null || terminationMessage.isBlank()) {
      return Optional.empty();
    }
    List<String> lines = new ArrayList<>(List.of(terminationMessage.strip().split("\n")));
    lines.add(0, terminationMessage.strip());
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).strip();
      if (line.startsWith("{") && line.endsWith("}")) {
        try {
          JsonNode node = MAPPER.readTree(line);
          if (node.isObject() && node.has("ok")) {
            return Optional.of(new RunnerResult(node));
          }
        } catch (Exception ignored) {
          // not the result line; keep looking
        }
      }
    }
    return Optional.empty();
  }

  public boolean ok() {
    return json.path("ok").asBoolean(false);
  }

  public String command() {
    return text("command");
  }

  public String errorCode() {
    return json.path("error").path("code").asText(null);
  }

  /**
   * The contract's error the result names; empty when it names none or one this operator does not
   * know.
   */
  public Optional<RunnerError> runnerError() {
    return RunnerError.of(errorCode());
  }

  public String errorMessage() {
    return json.path("error").path("message").asText(null);
  }

  public JsonNode error() {
    return json.path("error");
  }

  public String text(String field) {
    JsonNode node = json.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  public Long number(String field) {
    JsonNode node = json.get(field);
    return node == null || !node.isNumber() ? null : node.asLong();
  }

  public Boolean bool(String field) {
    JsonNode node = json.get(field);
    return node == null || !node.isBoolean() ? null : node.asBoolean();
  }

  public List<String> list(String field) {
    return strings(json.get(field));
  }

  public static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node != null && node.isArray()) {
      node.forEach(n -> values.add(n.asText()));
    } else if (node != null && node.isTextual()) {
      values.add(node.asText());
    }
    return values;
  }
}
