package io.kiki.migrations.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end and times it: wall clock, and with {@code /usr/bin/time} its CPU time
 * (with children).
 */
final class Processes {

  private Processes() {}

  /** Wall and CPU (user + system) seconds of one run. */
  record Timing(double wallSeconds, double cpuSeconds) {}

  static Timing timed(List<String> command, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    Path cpu = Files.createTempFile("kiki-bench-cpu", ".txt");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(
              concat(List.of("/usr/bin/time", "-f", "%U %S", "-o", cpu.toString()), command));
      pb.environment().putAll(env);
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      long start = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " did not end within 10 minutes; see " + log);
      }
      long wall = System.nanoTime() - start;
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", command) + " failed (exit " + p.exitValue() + "); see " + log);
      }
      String[] parts = Files.readString(cpu).trim().split("\\s+");
      return new Timing(
          wall / 1e9,
          Double.parseDouble(parts[parts.length - 2])
              + Double.parseDouble(parts[parts.length - 1]));
    } finally {
      Files.deleteIfExists(cpu);
    }
  }

  /** {@code java} of this JVM with this JVM's class path, then {@code arguments}. */
  static List<String> java(List<String> jvmOptions, String mainClass, String... arguments) {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(arguments));
    return command;
  }

  static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
