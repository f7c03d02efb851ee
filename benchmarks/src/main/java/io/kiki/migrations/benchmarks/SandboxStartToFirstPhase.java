package io.kiki.migrations.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox program as users run it: {@code scripts/sandbox.sh} (the KIKI sample, its own
 * PostgreSQL from the cached initdb template, the class data sharing archive of this build), from
 * the script's start to the first phase line on stdout, after the build ({@code
 * KIKI_SANDBOX_BUILD=0}; one run first builds and writes the archive, and is not counted). Also
 * without the archive ({@code KIKI_SANDBOX_CDS=0}), alternating. Baseline: a JVM that starts and
 * exits doing nothing.
 */
final class SandboxStartToFirstPhase implements Figure {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @Override
  public String name() {
    return "sandbox";
  }

  @Override
  public String title() {
    return "sandbox program start (scripts/sandbox.sh after the build) -> first phase printed";
  }

  @Override
  public String goal() {
    return "<= 3 s";
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    Path log = bench.workDir().resolve("sandbox-program.log");
    // The build and the archive, as a user's first run makes them.
    firstPhase(bench, log, Map.of());
    Samples withArchive = new Samples();
    Samples withoutArchive = new Samples();
    Samples jvm = new Samples();
    for (int run = 0; run < bench.runs(); run++) {
      jvm.add(
          Processes.timed(Processes.java(List.of(), JvmBaseline.class.getName()), Map.of(), log)
              .wallSeconds());
      withArchive.addNanos(firstPhase(bench, log, Map.of("KIKI_SANDBOX_BUILD", "0")));
      withoutArchive.addNanos(
          firstPhase(bench, log, Map.of("KIKI_SANDBOX_BUILD", "0", "KIKI_SANDBOX_CDS", "0")));
    }
    return List.of(
        new Line(
            "scripts/sandbox.sh start -> first phase line",
            withArchive,
            "JVM start and exit (empty main)",
            jvm),
        new Line(
            "the same without the archive (KIKI_SANDBOX_CDS=0)",
            withoutArchive,
            "JVM start and exit (empty main)",
            jvm));
  }

  /** Nanoseconds from starting scripts/sandbox.sh with {@code env} to its first phase line. */
  private static long firstPhase(Bench bench, Path log, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
            bench.repo().resolve("scripts/sandbox.sh").toString(),
            "--work-dir",
            bench.workDir().resolve("sandbox-program-" + System.nanoTime()).toString());
    pb.environment().putAll(env);
    // its own PostgreSQL, as a newcomer's run has
    pb.environment().remove("KIKI_TEST_POSTGRES_URL");
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long start = System.nanoTime();
    Process sandbox = pb.start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.contains(" -> ")) {
        Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        if (System.nanoTime() - start > TIMEOUT.toNanos()) {
          throw new IOException("no phase printed within " + TIMEOUT + "; see " + log);
        }
      }
      if (line == null) {
        throw new IOException("the sandbox program ended before it printed a phase; see " + log);
      }
      return System.nanoTime() - start;
    } finally {
      // SIGTERM to the JVM (the script's child on a run that writes the archive, else the script
      // itself after its exec): its shutdown hook stops the operator, the kubelet's processes and
      // its PostgreSQL, and a first run writes the archive, which the script then renames.
      sandbox.descendants().forEach(ProcessHandle::destroy);
      sandbox.destroy();
      if (!sandbox.waitFor(2, TimeUnit.MINUTES)) {
        sandbox.descendants().forEach(ProcessHandle::destroyForcibly);
        sandbox.destroyForcibly().waitFor();
      }
    }
  }
}
