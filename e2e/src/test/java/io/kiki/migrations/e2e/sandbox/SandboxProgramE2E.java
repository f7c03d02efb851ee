package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.e2e.Repository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox program as a pipeline uses it: --apply FILE --until-settled, statuses as JSON, exit code. */
class SandboxProgramE2E {

  @TempDir
  Path workDir;

  @Test
  void untilSettledPrintsFinalStatusesAndFailsWhenNotAllAreReady() throws Exception {
    Path manifest = workDir.resolve("pipeline.yaml");
    try (var in = SandboxProgramE2E.class.getResourceAsStream("program-settles.yaml")) {
      Files.write(manifest, in.readAllBytes());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    SandboxMain.Options options = SandboxMain.Options.parse(new String[] {"--apply", manifest.toString(), "--until-settled", "--timeout", "3m"});

    int exitCode = SandboxMain.run(options, Repository.root(), workDir.resolve("run"), workDir.resolve("sandbox.log"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    String phases = err.toString(StandardCharsets.UTF_8);
    assertThat(exitCode).as(phases).isEqualTo(SandboxMain.EXIT_NOT_READY);
    JsonNode statuses = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(statuses).hasSize(2);
    assertThat(statuses.get(0).get("name").asText()).isEqualTo("campaigns");
    assertThat(statuses.get(0).at("/status/phase").asText()).isEqualTo("Ready");
    assertThat(statuses.get(0).at("/status/currentRevision").asText()).isEqualTo("9d0e1f2a0010");
    assertThat(statuses.get(1).get("name").asText()).isEqualTo("reports");
    assertThat(statuses.get(1).at("/status/phase").asText()).isEqualTo("Blocked");
    assertThat(phases).containsPattern("sandbox: operator metrics http://127\\.0\\.0\\.1:\\d+/metrics")
        .contains("authorizes nothing and validates nothing (--cluster local does both)");
    assertThat(phases).contains("created Secret pipeline/campaigns-db")
        .contains("pipeline/campaigns  Planning -> Migrating").contains("Verifying -> Ready")
        .contains("pipeline/reports").contains("-> Blocked");
  }

  @Test
  void badArgumentsAreRefusedWithTheFix() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> SandboxMain.Options.parse(new String[] {"--apply"})))
        .hasMessageContaining("--apply needs at least one FILE");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> SandboxMain.Options.parse(new String[] {"--timeout", "soon"})))
        .hasMessageContaining("expected e.g. 90s");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> SandboxMain.Options.parse(new String[] {"--frobnicate"})))
        .hasMessageContaining("unknown argument --frobnicate");
  }
}
