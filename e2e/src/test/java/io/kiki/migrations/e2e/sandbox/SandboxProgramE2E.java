package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.cluster.ControlPlaneBinaries;
import io.kiki.migrations.e2e.cluster.TestClusters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox program as a pipeline uses it (--apply FILE --until-settled, statuses as JSON, exit
 * code), and on the local control plane.
 */
class SandboxProgramE2E {

  @TempDir Path workDir;

  @Test
  void untilSettledPrintsFinalStatusesAndFailsWhenNotAllAreReady() throws Exception {
    Path manifest = workDir.resolve("pipeline.yaml");
    try (var in = SandboxProgramE2E.class.getResourceAsStream("program-settles.yaml")) {
      Files.write(manifest, in.readAllBytes());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    SandboxMain.Options options =
        SandboxMain.Options.parse(
            new String[] {"--apply", manifest.toString(), "--until-settled", "--timeout", "3m"});

    int exitCode =
        SandboxMain.run(
            options,
            Repository.root(),
            workDir.resolve("run"),
            workDir.resolve("sandbox.log"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    String phases = err.toString(StandardCharsets.UTF_8);
    assertThat(exitCode).as(phases).isEqualTo(SandboxMain.EXIT_NOT_READY);
    JsonNode statuses = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(statuses).hasSize(2);
    assertThat(statuses.get(0).get("name").asText()).isEqualTo("campaigns");
    assertThat(statuses.get(0).at("/status/phase").asText()).isEqualTo("Ready");
    assertThat(statuses.get(0).at("/status/currentRevision").asText()).isEqualTo("9d0e1f2a0010");
    assertThat(statuses.get(1).get("name").asText()).isEqualTo("reports");
    assertThat(statuses.get(1).at("/status/phase").asText()).isEqualTo("Blocked");
    assertThat(phases)
        .containsPattern("sandbox: operator metrics http://127\\.0\\.0\\.1:\\d+/metrics")
        .contains("authorizes nothing and validates nothing (--cluster local does both)");
    assertThat(phases)
        .contains("created Secret pipeline/campaigns-db")
        // No backup and no blocking lint: one Job plans and upgrades (KIKI_PLAN_THEN_MIGRATE), so
        // the
        // phase goes from Planning to Verifying.
        .contains("pipeline/campaigns  Planning -> Verifying")
        .contains("Verifying -> Ready")
        .contains("pipeline/reports")
        .contains("-> Blocked");
  }

  /**
   * {@code --cluster local}: the KIKI sample on the real control plane; the printed kubeconfig
   * works with kubectl (the one built with the control plane) while the program runs, and the
   * sample ends Ready.
   */
  @Test
  void onTheLocalControlPlaneKubectlListsTheResourceWhileItRuns() throws Exception {
    Assumptions.assumeTrue(
        TestClusters.selected().equals("local"),
        "runs with -Dkiki.e2e.cluster=local (needs the binaries)");
    Path kubectl = ControlPlaneBinaries.locate(Repository.root()).resolve("kubectl");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    SandboxMain.Options options =
        SandboxMain.Options.parse(
            new String[] {"--cluster", "local", "--until-settled", "--timeout", "3m"});
    ExecutorService program = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> exitCode =
          program.submit(
              () ->
                  SandboxMain.run(
                      options,
                      Repository.root(),
                      workDir.resolve("run"),
                      workDir.resolve("sandbox.log"),
                      new PrintStream(out, true, StandardCharsets.UTF_8),
                      new PrintStream(err, true, StandardCharsets.UTF_8)));
      Path kubeconfig = workDir.resolve("run").resolve("kubeconfig");
      String listed =
          await("kubectl get dbm -A lists the sample")
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () ->
                      Files.exists(kubeconfig)
                          ? kubectl(kubectl, kubeconfig, "get", "dbm", "-A")
                          : "",
                  text -> text.contains("kiki-campaigns"));
      assertThat(listed)
          .contains("NAMESPACE", "TARGET", "CURRENT", "PHASE", "READY")
          .contains("kiki ");

      assertThat(exitCode.get(3, TimeUnit.MINUTES))
          .as(err.toString(StandardCharsets.UTF_8))
          .isZero();
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("sandbox: kubeconfig " + kubeconfig)
          .contains("(Kubernetes v1.34.")
          .contains("Verifying -> Ready");
      JsonNode statuses = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
      assertThat(statuses.get(0).at("/status/phase").asText()).isEqualTo("Ready");
    } finally {
      program.shutdownNow();
    }
  }

  private static String kubectl(Path kubectl, Path kubeconfig, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return process.waitFor() == 0 ? output : "";
  }

  @Test
  void aFieldTheCrdDoesNotHaveIsRefusedInOneLineWithTheUsageCode() throws Exception {
    Path manifest = workDir.resolve("bad.yaml");
    try (var in = SandboxProgramE2E.class.getResourceAsStream("program-unknown-enum.yaml")) {
      Files.write(manifest, in.readAllBytes());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode =
        SandboxMain.run(
            SandboxMain.Options.parse(
                new String[] {"--apply", manifest.toString(), "--until-settled"}),
            Repository.root(),
            workDir.resolve("run"),
            workDir.resolve("sandbox.log"),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exitCode).isEqualTo(SandboxMain.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "sandbox: "
                + manifest
                + ": DatabaseMigration pipeline/campaigns: "
                + "spec.rollback.onFailure: Unsupported value \"RestoreEverything\": supported values: Downgrade, Restore, "
                + "DowngradeThenRestore, None"
                + System.lineSeparator());
  }

  @Test
  void stalledAtItsGenerationCountsAsSettledWithTheReason() throws Exception {
    Path manifest = workDir.resolve("stalled.yaml");
    try (var in = SandboxProgramE2E.class.getResourceAsStream("program-stalled.yaml")) {
      Files.write(manifest, in.readAllBytes());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long started = System.nanoTime();
    int exitCode =
        SandboxMain.run(
            SandboxMain.Options.parse(
                new String[] {
                  "--apply", manifest.toString(), "--until-settled", "--timeout", "5m"
                }),
            Repository.root(),
            workDir.resolve("run"),
            workDir.resolve("sandbox.log"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String log = err.toString(StandardCharsets.UTF_8);
    assertThat(exitCode).as(log).isEqualTo(SandboxMain.EXIT_NOT_READY);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
        .as("did not wait out --timeout")
        .isLessThan(java.time.Duration.ofMinutes(2));
    assertThat(log)
        .contains("sandbox: pipeline/campaigns: Pending (Stalled: SecretKeyNotFound): ")
        .contains("KIKI_DATABASE_URL");
  }

  @Test
  void badArgumentsAreRefusedWithTheFix() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SandboxMain.Options.parse(new String[] {"--apply"})))
        .hasMessageContaining("--apply needs at least one FILE");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SandboxMain.Options.parse(new String[] {"--timeout", "soon"})))
        .hasMessageContaining("expected e.g. 90s");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SandboxMain.Options.parse(new String[] {"--frobnicate"})))
        .hasMessageContaining("unknown argument --frobnicate");
  }
}
