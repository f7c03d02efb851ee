package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * operator/Dockerfile agrees with the Deployment that runs it (no Docker engine here to build it):
 * the same uid, the same port, and a main class that exists.
 */
class OperatorImageTest {

  private static final Path DOCKERFILE = Paths.REPOSITORY.resolve("operator/Dockerfile");

  private final String dockerfile = read(DOCKERFILE);
  private final Install base = Installs.build(Installs.BASE);

  @Test
  void runsAsTheUserTheDeploymentRequires() {
    assertThat(lastInstruction("USER")).isEqualTo("65532:65532");
    assertThat(
            base.operatorDeployment()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSecurityContext()
                .getRunAsUser())
        .isEqualTo(65532L);
  }

  @Test
  void exposesThePortOfTheProbesAndMetrics() {
    assertThat(lastInstruction("EXPOSE")).isEqualTo("8080");
    assertThat(base.operatorContainer().getPorts())
        .extracting(ContainerPort::getContainerPort)
        .containsExactly(8080);
  }

  @Test
  void startsTheOperatorsMainClass() {
    Matcher entrypoint =
        Pattern.compile("ENTRYPOINT \\[(.*?)]", Pattern.DOTALL).matcher(dockerfile);
    assertThat(entrypoint.find()).as("ENTRYPOINT in exec form").isTrue();
    List<String> arguments =
        Pattern.compile("\"([^\"]*)\"")
            .matcher(entrypoint.group(1))
            .results()
            .map(match -> match.group(1))
            .toList();
    String mainClass = arguments.get(arguments.size() - 1);
    assertThat(mainClass).isEqualTo("io.kiki.migrations.operator.Main");
    assertThat(
            Paths.REPOSITORY.resolve(
                "operator/src/main/java/" + mainClass.replace('.', '/') + ".java"))
        .as("the main class in the operator module")
        .isRegularFile();
  }

  @Test
  void buildsWithMavenAndRunsOnAJavaRuntimeOnly() {
    // The bases are ARGs (stand-ins replace them where no registry serves them); their defaults are
    // production's.
    Map<String, String> argDefaults =
        Pattern.compile("(?m)^ARG\\s+(\\w+)=(\\S+)")
            .matcher(dockerfile)
            .results()
            .collect(Collectors.toMap(match -> match.group(1), match -> match.group(2)));
    List<String> stages =
        Pattern.compile("(?m)^FROM\\s+(\\S+)")
            .matcher(dockerfile)
            .results()
            .map(match -> match.group(1))
            .map(
                from ->
                    from.matches("\\$\\{\\w+}")
                        ? argDefaults.get(from.substring(2, from.length() - 1))
                        : from)
            .toList();
    // build (Maven, or the jars of a prebuilt/ context), runtime: no stage chosen by an ARG, which
    // not every builder builds (podman 4.3's buildah)
    assertThat(stages).hasSize(2);
    assertThat(stages.get(0)).startsWith("maven:3-eclipse-temurin-17");
    assertThat(stages.get(1))
        .isIn("gcr.io/distroless/java17-debian12:nonroot", "eclipse-temurin:17-jre");
    assertThat(dockerfile).contains("COPY --from=build --chown=0:0 /out/lib/ /app/lib/");
    assertThat(dockerfile).contains("mvn -B -pl operator -am");
  }

  private String lastInstruction(String instruction) {
    List<String> values =
        Pattern.compile("(?m)^" + instruction + "\\s+(.+)$")
            .matcher(dockerfile)
            .results()
            .map(match -> match.group(1).trim())
            .toList();
    assertThat(values).as(instruction + " in " + DOCKERFILE).isNotEmpty();
    return values.get(values.size() - 1);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }
}
