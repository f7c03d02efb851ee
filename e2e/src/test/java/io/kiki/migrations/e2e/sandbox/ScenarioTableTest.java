package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.e2e.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** e2e/README.md's scenario table has a row for every scenario class. */
class ScenarioTableTest {

  @Test
  void everyScenarioClassHasARowInTheReadme() throws Exception {
    Path e2e = Repository.root().resolve("e2e");
    String readme = Files.readString(e2e.resolve("README.md"));
    List<String> scenarios;
    try (Stream<Path> files = Files.walk(e2e.resolve("src/test/java"))) {
      scenarios =
          files
              .filter(f -> f.getParent().getFileName().toString().equals("scenarios"))
              .map(f -> f.getFileName().toString())
              .filter(name -> name.endsWith("E2E.java"))
              .map(name -> name.substring(0, name.length() - ".java".length()))
              .sorted()
              .toList();
    }

    assertThat(scenarios).hasSizeGreaterThan(30);
    assertThat(scenarios)
        .as("scenario classes without a row (| `Name` |) in e2e/README.md's table")
        .filteredOn(
            name ->
                !readme.contains("\n| `" + name + "` |")
                    && !readme.contains("\n| `" + name + "` ("))
        .isEmpty();
  }
}
