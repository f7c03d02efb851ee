package io.kiki.migrations.benchmarks;

import io.kiki.migrations.e2e.Repository;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs the figures and prints each next to its baseline (min / median / max over {@code
 * -Dbenchmark.runs}, default 5) with the ratios of the medians and of the minimums, and the goal.
 * {@code scripts/benchmark.sh} runs it; it is not a test and asserts nothing: a figure that misses
 * its goal is printed as such.
 *
 * <p>To add a figure, write one class implementing {@link Figure} and list it in {@link #FIGURES}.
 */
public final class BenchmarkMain {

  static final List<Figure> FIGURES =
      List.of(
          new RolloutVsAlembicUpgrade(),
          new BackupVsPgDump(),
          new RehearsalVsMigration(),
          new StageBoundaries(),
          new IdleResync(),
          new MetricsScrape(),
          new OperatorStartToReadyz(),
          new SandboxStartToFirstPhase());

  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(System.getProperty("benchmark.runs", "5").trim());
    if (runs < 1) {
      throw new IllegalArgumentException("-Dbenchmark.runs must be at least 1, not " + runs);
    }
    Set<String> picked =
        Arrays.stream(System.getProperty("benchmark.figures", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    Set<String> known = FIGURES.stream().map(Figure::name).collect(Collectors.toSet());
    if (!known.containsAll(picked)) {
      throw new IllegalArgumentException(
          "-Dbenchmark.figures: unknown "
              + picked.stream().filter(p -> !known.contains(p)).toList()
              + "; known: "
              + known);
    }
    Path repo = Repository.root();
    Path workDir = Files.createTempDirectory("kiki-benchmark-");
    // Before the first logger exists: the sandbox's and the operator's log lines go to a file, the
    // figures to stdout.
    System.setProperty("kiki.sandbox.log", workDir.resolve("benchmark.log").toString());
    System.setProperty("logback.configurationFile", "sandbox-logback.xml");
    PrintStream out = System.out;
    out.printf(
        "KIKI benchmarks, %s, %d cores, load average %s, %d runs per figure; logs under %s%n",
        Instant.now(), Runtime.getRuntime().availableProcessors(), loadAverage(), runs, workDir);
    int failures = 0;
    try (Bench bench = new Bench(repo, runs, workDir)) {
      for (Figure figure : FIGURES) {
        if (!picked.isEmpty() && !picked.contains(figure.name())) {
          continue;
        }
        out.printf("%n[%s] %s%n    goal: %s%n", figure.name(), figure.title(), figure.goal());
        out.flush();
        try {
          for (Figure.Line line : figure.measure(bench)) {
            out.printf("    %-58s %s%n", line.subject(), line.measured());
            out.printf("    %-58s %s%n", "baseline: " + line.baseline(), line.baselineSamples());
            out.printf(
                "    %-58s %.2fx (of the minimums, the least disturbed by a busy machine: %.2fx)%n",
                "ratio of the medians", line.ratio(), line.ratioOfMinimums());
          }
        } catch (Exception e) {
          failures++;
          out.println("    FAILED: " + e);
          e.printStackTrace();
        }
        out.flush();
      }
    }
    out.printf("%nload average at the end %s%n", loadAverage());
    System.exit(failures == 0 ? 0 : 1);
  }

  private static String loadAverage() {
    try {
      return String.join(
          " ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
    } catch (Exception e) {
      return "unknown";
    }
  }
}
