package io.kiki.migrations.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRegistryTest {

  private static final Path SLEEP = Path.of("/bin/sleep");

  @Test
  void stopsItsProcessesNewestFirstAndForgetsTheRun(@TempDir Path root) throws Exception {
    ProcessRegistry registry = ProcessRegistry.open(root);
    Process first = new ProcessBuilder(SLEEP.toString(), "300").start();
    Process second = new ProcessBuilder(SLEEP.toString(), "300").start();
    registry.add(first, SLEEP);
    registry.add(second, SLEEP);

    registry.stopAll();

    assertThat(first.isAlive()).isFalse();
    assertThat(second.isAlive()).isFalse();
    try (var runs = Files.list(root)) {
      assertThat(runs).isEmpty();
    }
  }

  @Test
  void theNextStartStopsWhatACrashedRunLeftBehindByPidButNeverAReusedPid(@TempDir Path root)
      throws Exception {
    Process leftBehind = new ProcessBuilder(SLEEP.toString(), "300").start();
    Process notOurs = new ProcessBuilder(SLEEP.toString(), "300").start();
    Process deadOwner = new ProcessBuilder("/bin/true").start();
    deadOwner.waitFor(10, TimeUnit.SECONDS);
    Path crashed = Files.createDirectories(root.resolve(deadOwner.pid() + "-1"));
    Files.writeString(crashed.resolve("owner"), deadOwner.pid() + " 2026-01-01T00:00:00Z\n");
    Files.writeString(
        crashed.resolve("pids"),
        leftBehind.pid()
            + " "
            + SLEEP.toRealPath()
            + "\n"
            // the same PID recorded for another executable: a reused PID, which must not be stopped
            + notOurs.pid()
            + " /opt/kiki/kube-apiserver\n");
    try {
      ProcessRegistry registry = ProcessRegistry.open(root);

      assertThat(leftBehind.waitFor(10, TimeUnit.SECONDS))
          .as("the crashed run's process is stopped")
          .isTrue();
      assertThat(notOurs.isAlive()).as("a PID now running something else is left alone").isTrue();
      assertThat(crashed).doesNotExist();
      registry.stopAll();
    } finally {
      leftBehind.destroyForcibly();
      notOurs.destroyForcibly();
    }
  }

  @Test
  void aRunWhoseJvmStillRunsIsLeftAlone(@TempDir Path root) throws Exception {
    ProcessRegistry live = ProcessRegistry.open(root);
    Process running = new ProcessBuilder(SLEEP.toString(), "300").start();
    live.add(running, SLEEP);
    try {
      ProcessRegistry.open(root).stopAll();

      assertThat(running.isAlive())
          .as("another live run's process (this JVM's) is not stopped")
          .isTrue();
    } finally {
      live.stopAll();
    }
    assertThat(running.isAlive()).isFalse();
  }
}
