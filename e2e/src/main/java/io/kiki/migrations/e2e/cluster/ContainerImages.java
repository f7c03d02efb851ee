package io.kiki.migrations.e2e.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images the container mode runs, built before its cluster starts by {@code scripts/build-images.sh migrations
 * operator-jars}: the migrations image from {@code migrations-image/}, and the operator image from this checkout's
 * operator jar and its runtime dependencies (what the reactor's {@code package} of the operator module made). Both are
 * cached by content in podman's layer cache, so an unchanged checkout rebuilds in a few seconds.
 * {@code -Dkiki.e2e.buildImages=false} skips the build (the images must exist).
 */
public final class ContainerImages {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerImages.class);
  public static final String OPERATOR_IMAGE = "registry.example.com/kiki/migrations-operator:0.1.0";

  private ContainerImages() {
  }

  /** podman's settings for this machine (runc, lowered rlimits): what build-images.sh uses too. */
  public static Path containersConf(Path repo) {
    return repo.resolve("e2e/images/containers.conf");
  }

  public static void build(Path repo) {
    if (!Boolean.parseBoolean(System.getProperty("kiki.e2e.buildImages", "true"))) {
      LOG.info("-Dkiki.e2e.buildImages=false: using the images podman has");
      return;
    }
    Path script = repo.resolve("scripts/build-images.sh");
    long started = System.nanoTime();
    try {
      Path log = java.nio.file.Files.createTempFile("kiki-build-images-", ".log");
      Process build = new ProcessBuilder(script.toString(), "migrations", "operator-jars").directory(repo.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      int exit = build.waitFor();
      if (exit != 0) {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(log);
        throw new IllegalStateException(script + " migrations operator-jars failed (exit code " + exit + "); the end of its log "
            + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
      LOG.info("build log: {}", log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the images", e);
    }
    LOG.info("images built (or found cached) in {} ms: {}, {}", Duration.ofNanos(System.nanoTime() - started).toMillis(),
        TestCluster.KIKI_IMAGE, OPERATOR_IMAGE);
  }
}
