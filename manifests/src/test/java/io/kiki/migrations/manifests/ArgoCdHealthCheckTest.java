package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Argo CD health check (Lua) with the real Lua interpreter on the sample statuses of its
 * health_test.yaml, as Argo CD does: the object as a Lua table in the global `obj`, the script's
 * returned table as the result. Lua 5.4 always; Lua 5.1 too when installed (Argo CD's gopher-lua
 * implements 5.1).
 */
class ArgoCdHealthCheckTest {

  private static final Path CHECK_DIRECTORY =
      Paths.MANIFESTS.resolve(
          "gitops/argocd/resource_customizations/migrations.kiki.io/DatabaseMigration");
  private static final Path SCRIPT = CHECK_DIRECTORY.resolve("health.lua");
  private static final Path DRIVER =
      Paths.MANIFESTS.resolve("src/test/resources/argocd/run-health-check.lua");
  private static final Set<String> ARGO_CD_STATUSES =
      Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");

  @TempDir static Path work;

  record Case(String inputPath, String status, String message) {}

  record Result(String status, String message) {}

  @TestFactory
  Stream<DynamicTest> returnsTheExpectedHealthForEverySampleStatus() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String interpreter : interpreters()) {
      for (boolean numbersAsFloats : new boolean[] {false, true}) {
        for (Case expected : cases()) {
          String name =
              expected.inputPath()
                  + " with "
                  + interpreter
                  + (numbersAsFloats ? ", numbers as floats" : "");
          tests.add(
              DynamicTest.dynamicTest(
                  name,
                  () -> {
                    Result result =
                        run(
                            interpreter,
                            CHECK_DIRECTORY.resolve(expected.inputPath()),
                            numbersAsFloats);
                    assertThat(result).isEqualTo(new Result(expected.status(), expected.message()));
                  }));
        }
      }
    }
    return tests.stream();
  }

  /** Suspended only for the operator's phase Suspended (spec.suspend), never for a hold or wait. */
  @Test
  void samplesCoverEveryOutcome() {
    assertThat(cases())
        .extracting(Case::status)
        .allMatch(ARGO_CD_STATUSES::contains)
        .contains("Healthy", "Progressing", "Degraded", "Suspended");
    for (Case sample : cases()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> status =
          (Map<String, Object>) yaml(CHECK_DIRECTORY.resolve(sample.inputPath())).get("status");
      boolean suspended = status != null && "Suspended".equals(status.get("phase"));
      assertThat(sample.status().equals("Suspended")).as(sample.inputPath()).isEqualTo(suspended);
    }
  }

  @Test
  void everySampleStatusFileIsTested() throws IOException {
    try (Stream<Path> files = Files.list(CHECK_DIRECTORY.resolve("testdata"))) {
      Set<String> present =
          files.map(file -> "testdata/" + file.getFileName()).collect(Collectors.toSet());
      assertThat(cases()).extracting(Case::inputPath).containsExactlyInAnyOrderElementsOf(present);
    }
  }

  @Test
  void sampleStatusesAreValidDatabaseMigrations() {
    CrdSchema schema = CrdSchema.load("v1alpha1");
    for (Case sample : cases()) {
      Map<String, Object> object = yaml(CHECK_DIRECTORY.resolve(sample.inputPath()));
      assertThat(object)
          .containsEntry("apiVersion", "migrations.kiki.io/v1alpha1")
          .containsEntry("kind", "DatabaseMigration");
      assertThat(schema.violations(object)).as(sample.inputPath()).isEmpty();
    }
  }

  @Test
  void argoCdConfigMapSnippetCarriesTheSameScript() throws IOException {
    Map<String, Object> configMap = yaml(Paths.MANIFESTS.resolve("gitops/argocd/argocd-cm.yaml"));
    assertThat(configMap).containsEntry("kind", "ConfigMap");
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) configMap.get("metadata");
    assertThat(metadata).containsEntry("name", "argocd-cm");
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) configMap.get("data");
    assertThat(data)
        .containsOnlyKeys("resource.customizations.health.migrations.kiki.io_DatabaseMigration");
    assertThat(data.get("resource.customizations.health.migrations.kiki.io_DatabaseMigration"))
        .as("argocd-cm.yaml must embed health.lua unchanged")
        .isEqualTo(Files.readString(SCRIPT));
  }

  private static Result run(String interpreter, Path input, boolean numbersAsFloats)
      throws Exception {
    Path object = Files.createTempFile(work, "object", ".lua");
    Files.writeString(object, "return " + LuaTable.of(yaml(input), numbersAsFloats) + "\n");
    Process process =
        new ProcessBuilder(interpreter, DRIVER.toString(), SCRIPT.toString(), object.toString())
            .redirectErrorStream(false)
            .start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("Lua finished").isTrue();
    assertThat(process.exitValue())
        .as(interpreter + " failed on " + input + ":\n" + errors)
        .isZero();
    String[] fields = new String(output, StandardCharsets.UTF_8).split("\0", -1);
    assertThat(fields).as("status NUL message NUL").hasSize(3);
    return new Result(fields[0], fields[1]);
  }

  @SuppressWarnings("unchecked")
  private static List<Case> cases() {
    Map<String, Object> healthTest = yaml(CHECK_DIRECTORY.resolve("health_test.yaml"));
    List<Case> cases = new ArrayList<>();
    for (Object entry : (List<Object>) healthTest.get("tests")) {
      Map<String, Object> test = (Map<String, Object>) entry;
      Map<String, Object> health = (Map<String, Object>) test.get("healthStatus");
      cases.add(
          new Case(
              (String) test.get("inputPath"),
              (String) health.get("status"),
              (String) health.get("message")));
    }
    assertThat(cases).isNotEmpty();
    return cases;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(Path file) {
    try {
      return Serialization.unmarshal(Files.readString(file), Map.class);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  /** lua5.4 (required; scripts/install-deps.sh installs it) and lua5.1 when present. */
  private static List<String> interpreters() {
    List<String> found = new ArrayList<>();
    for (String name : List.of("lua5.4", "lua5.1")) {
      String path = Executables.onPath(name).orElse(null);
      if (path != null) {
        found.add(path);
      } else if (name.equals("lua5.4")) {
        throw new AssertionError(
            "lua5.4 is not installed: the Argo CD health check is tested with the real Lua "
                + "interpreter (Debian: apt-get install lua5.4, which scripts/install-deps.sh does)");
      }
    }
    return found;
  }
}
