package io.kiki.migrations.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox program as {@code scripts/sandbox.sh} runs it after its build ({@code SandboxMain}
 * with the KIKI sample, its own PostgreSQL, the JVM options of its {@code java_options} line): from
 * the process start to the first phase line on stdout. Baseline: a JVM that starts and exits doing
 * nothing.
 */
final class SandboxStartToFirstPhase implements Figure {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @Override
  public String name() {
    return "sandbox";
  }

  @Override
  public String title() {
    return "sandbox program start -> first phase printed (after the build)";
  }

  @Override
  public String goal() {
    return "<= 3 s";
  }

  /**
   * The JVM options scripts/sandbox.sh starts the program with (its {@code java_options="..."}
   * line).
   */
  static List<String> javaOptions(Path repo) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^java_options=\"([^\"]*)\"$")
            .matcher(Files.readString(repo.resolve("scripts/sandbox.sh")));
    return m.find() ? List.of(m.group(1).trim().split("\\s+")) : List.of();
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    Samples firstPhase = new Samples();
    Samples jvm = new Samples();
    Path log = bench.workDir().resolve("sandbox-program.log");
    for (int run = 0; run < bench.runs(); run++) {
      jvm.add(
          Processes.timed(Processes.java(List.of(), JvmBaseline.class.getName()), Map.of(), log)
              .wallSeconds());
      Path workDir = bench.workDir().resolve("sandbox-program-" + run);
      List<String> options = new ArrayList<>(javaOptions(bench.repo()));
      options.add("-Dkiki.e2e.repo=" + bench.repo());
      ProcessBuilder pb =
          new ProcessBuilder(
              Processes.java(
                  options,
                  "io.kiki.migrations.e2e.sandbox.SandboxMain",
                  "--work-dir",
                  workDir.toString()));
      // its own PostgreSQL, as a newcomer's first run has
      pb.environment().remove("KIKI_TEST_POSTGRES_URL");
      pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      long start = System.nanoTime();
      Process sandbox = pb.start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null && !line.contains(" -> ")) {
          Files.writeString(
              log, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
          if (System.nanoTime() - start > TIMEOUT.toNanos()) {
            throw new IOException("no phase printed within " + TIMEOUT + "; see " + log);
          }
        }
        if (line == null) {
          throw new IOException("the sandbox program ended before it printed a phase; see " + log);
        }
        firstPhase.addNanos(System.nanoTime() - start);
      } finally {
        // SIGTERM: its shutdown hook stops the operator, the kubelet's processes and its PostgreSQL
        sandbox.destroy();
        if (!sandbox.waitFor(60, TimeUnit.SECONDS)) {
          sandbox.destroyForcibly().waitFor();
        }
      }
    }
    return List.of(
        new Line(
            "SandboxMain start -> first phase line",
            firstPhase,
            "JVM start and exit (empty main)",
            jvm));
  }
}
