package io.kiki.migrations.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table and the operator's Deployment in manifests/ say what {@link
 * OperatorSettings} declares: the table lists every setting with its meaning and default, and every
 * variable a manifest sets is a setting, with a value the operator accepts.
 */
class OperatorSettingsDocumentedTest {
  static final Path ROOT = Path.of(System.getProperty("basedir", ".")).resolve("..").normalize();
  static final String TABLE_HEADER = "| variable | meaning | default |";
  private static final Pattern ENV_IN_FIELD_PATH = Pattern.compile("env\\.\\[name=([A-Z0-9_]+)]");
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  @Test
  void readmeTableIsTheDeclaration() throws IOException {
    List<String> readme =
        Files.readAllLines(ROOT.resolve("README.md")).stream().map(String::strip).toList();
    int header = readme.indexOf(TABLE_HEADER);
    assertThat(header)
        .as("README.md has the settings table (" + TABLE_HEADER + ")")
        .isNotNegative();
    List<String> rows =
        readme.subList(header + 2, readme.size()).stream()
            .takeWhile(l -> l.startsWith("|"))
            .toList();
    List<String> expected =
        OperatorSettings.ALL.stream()
            .map(s -> "| `" + s.name() + "` | " + s.description() + " | " + s.defaultText() + " |")
            .toList();
    assertThat(rows)
        .as("README.md's settings table; it should read:\n" + String.join("\n", expected) + "\n")
        .containsExactlyElementsOf(expected);
  }

  @Test
  void manifestsSetOnlyDeclaredSettingsWithValidValues() throws IOException {
    Map<String, OperatorSetting<?>> declared =
        OperatorSettings.ALL.stream()
            .collect(Collectors.toMap(OperatorSetting::name, Function.identity()));
    List<String> checked = new ArrayList<>();
    for (Path file : manifestFiles()) {
      for (JsonNode document : documents(file)) {
        if (!"Deployment".equals(document.path("kind").asText())) {
          continue;
        }
        for (JsonNode container :
            document.path("spec").path("template").path("spec").path("containers")) {
          for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            String where =
                ROOT.relativize(file)
                    + ": container "
                    + container.path("name").asText()
                    + ", env "
                    + name;
            assertThat(declared)
                .as(where + " is not a setting of the operator (OperatorSettings)")
                .containsKey(name);
            String value = env.path("value").asText("");
            if (!value.isBlank()) {
              declared.get(name).parse(value.strip());
            }
            checked.add(name);
          }
        }
      }
    }
    assertThat(checked)
        .as("the base Deployment sets the operator's environment")
        .contains(OperatorSettings.METRICS_PORT.name(), OperatorSettings.WATCH_NAMESPACES.name());
  }

  /** Kustomize replacements that write into an env entry name a declared setting. */
  @Test
  void kustomizeReplacementsNameDeclaredSettings() throws IOException {
    Set<String> declared =
        OperatorSettings.ALL.stream().map(OperatorSetting::name).collect(Collectors.toSet());
    for (Path file : manifestFiles()) {
      Matcher m = ENV_IN_FIELD_PATH.matcher(Files.readString(file));
      while (m.find()) {
        assertThat(declared)
            .as(ROOT.relativize(file) + " writes env " + m.group(1))
            .contains(m.group(1));
      }
    }
  }

  /**
   * The port the Deployment names http (its probes and the Service use it) is the one the operator
   * serves on.
   */
  @Test
  void deploymentPortIsTheMetricsPort() throws IOException {
    JsonNode container =
        documents(ROOT.resolve("manifests/base/deployment.yaml"))
            .get(0)
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    String configured =
        Stream.of(container.path("env"))
            .flatMap(
                env -> {
                  List<JsonNode> list = new ArrayList<>();
                  env.forEach(list::add);
                  return list.stream();
                })
            .filter(e -> e.path("name").asText().equals(OperatorSettings.METRICS_PORT.name()))
            .map(e -> e.path("value").asText())
            .findFirst()
            .orElse(String.valueOf(OperatorSettings.METRICS_PORT.defaultValue()));
    JsonNode http = null;
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").asText().equals("http")) {
        http = port;
      }
    }
    assertThat(http).as("port http of the operator container").isNotNull();
    assertThat(http.path("containerPort").asInt())
        .isEqualTo(OperatorSettings.METRICS_PORT.parse(configured));
  }

  private static List<Path> manifestFiles() throws IOException {
    Path manifests = ROOT.resolve("manifests");
    try (Stream<Path> files = Files.walk(manifests)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") && !manifests.relativize(p).startsWith("src"))
          .sorted()
          .toList();
    }
  }

  private List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (var values = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (values.hasNext()) {
        JsonNode document = (JsonNode) values.next();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    }
    return documents;
  }
}
