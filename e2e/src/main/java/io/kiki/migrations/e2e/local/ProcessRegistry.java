package io.kiki.migrations.e2e.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every process the local control plane starts, recorded by PID in a file, so that it is stopped on
 * exit and, after a crash of the JVM that started it, at the next start: never by name.
 *
 * <p>Each run has a directory {@code <root>/<jvm pid>-<millis>/} with {@code owner} (the JVM's PID
 * and start instant) and {@code pids} (one {@code <pid> <executable>} line per process). A run
 * whose owner JVM is gone is stale: each of its processes that is still alive and still runs the
 * recorded executable (a PID can be reused) is stopped, then the directory goes.
 */
final class ProcessRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessRegistry.class);
  private static final long STOP_GRACE_MILLIS = 5000;

  private final Path runDir;
  private final List<Process> processes = new ArrayList<>();

  private ProcessRegistry(Path runDir) {
    this.runDir = runDir;
  }

  /** Stops what crashed runs under {@code root} left behind, then opens a run for this JVM. */
  static ProcessRegistry open(Path root) {
    try {
      Files.createDirectories(root);
      stopStaleRuns(root);
      ProcessHandle self = ProcessHandle.current();
      Path runDir = root.resolve(self.pid() + "-" + System.currentTimeMillis());
      Files.createDirectories(runDir);
      Files.writeString(
          runDir.resolve("owner"),
          self.pid() + " " + startInstant(self).map(Instant::toString).orElse("") + "\n");
      Files.writeString(runDir.resolve("pids"), "");
      return new ProcessRegistry(runDir);
    } catch (IOException e) {
      throw new UncheckedIOException("recording control plane processes under " + root, e);
    }
  }

  /** Records a started process (before anything else can fail). */
  synchronized void add(Process process, Path executable) {
    processes.add(process);
    try {
      // The real path: what the process table reports as its command (/proc/PID/exe).
      Files.writeString(
          runDir.resolve("pids"),
          process.pid() + " " + executable.toRealPath() + "\n",
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      process.destroyForcibly();
      throw new UncheckedIOException("recording PID " + process.pid() + " in " + runDir, e);
    }
  }

  /**
   * Stops the recorded processes, newest first (KCM before the API server before etcd), and forgets
   * the run.
   */
  synchronized void stopAll() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      stop(processes.get(i).toHandle());
    }
    processes.clear();
    deleteRun(runDir);
  }

  private static void stopStaleRuns(Path root) throws IOException {
    List<Path> runs;
    try (Stream<Path> dirs = Files.list(root)) {
      runs = dirs.filter(Files::isDirectory).toList();
    }
    for (Path run : runs) {
      if (ownerAlive(run)) {
        continue;
      }
      Path pids = run.resolve("pids");
      if (Files.exists(pids)) {
        for (String line : Files.readAllLines(pids)) {
          String[] parts = line.trim().split(" ", 2);
          if (parts.length != 2) {
            continue;
          }
          long pid = Long.parseLong(parts[0]);
          Optional<ProcessHandle> handle = ProcessHandle.of(pid);
          if (handle.isPresent()
              && handle.get().isAlive()
              && handle.get().info().command().map(parts[1]::equals).orElse(false)) {
            LOG.warn(
                "stopping {} (PID {}) left behind by a control plane run that did not stop it ({})",
                parts[1],
                pid,
                run);
            stop(handle.get());
          }
        }
      }
      deleteRun(run);
    }
  }

  private static boolean ownerAlive(Path run) throws IOException {
    Path owner = run.resolve("owner");
    if (!Files.exists(owner)) {
      return false;
    }
    String[] parts = Files.readString(owner).trim().split(" ", 2);
    Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(parts[0]));
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    String recordedStart = parts.length > 1 ? parts[1] : "";
    return startInstant(handle.get()).map(Instant::toString).orElse("").equals(recordedStart);
  }

  private static Optional<Instant> startInstant(ProcessHandle handle) {
    return handle.info().startInstant();
  }

  private static void stop(ProcessHandle handle) {
    handle.destroy();
    try {
      handle.onExit().get(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      handle.destroyForcibly();
    }
  }

  private static void deleteRun(Path run) {
    try (Stream<Path> files = Files.walk(run)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", run, e.getMessage());
    }
  }
}
