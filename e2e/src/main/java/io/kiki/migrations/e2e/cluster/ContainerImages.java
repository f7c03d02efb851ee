package io.kiki.migrations.e2e.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images the container mode runs, built before its cluster starts by {@code
 * scripts/build-images.sh migrations operator-jars}: the migrations image from {@code
 * migrations-image/}, and the operator image from this checkout's operator jar and its runtime
 * dependencies (what the reactor's {@code package} of the operator module made). Both are cached by
 * content in podman's layer cache, so an unchanged checkout rebuilds in a few seconds. {@code
 * -Dkiki.e2e.buildImages=false} skips the build (the images must exist).
 */
public final class ContainerImages {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerImages.class);
  public static final String OPERATOR_IMAGE = "registry.example.com/kiki/migrations-operator:0.1.0";

  private ContainerImages() {}

  /** podman's settings for this machine (runc, lowered rlimits): what build-images.sh uses too. */
  public static Path containersConf(Path repo) {
    return repo.resolve("e2e/images/containers.conf");
  }

  /** The migrations image and the operator image (from this checkout's jars). */
  public static void build(Path repo) {
    run(repo, "scripts/build-images.sh", "migrations", "operator-jars");
  }

  /** The "bring your own Alembic project" example images of {@code migrations-image/examples/}. */
  public static void buildExamples(Path repo) {
    run(repo, "scripts/build-example-images.sh");
  }

  private static void run(Path repo, String script, String... args) {
    if (!Boolean.parseBoolean(System.getProperty("kiki.e2e.buildImages", "true"))) {
      LOG.info("-Dkiki.e2e.buildImages=false: not running {}, using the images podman has", script);
      return;
    }
    java.util.List<String> command =
        new java.util.ArrayList<>(java.util.List.of(repo.resolve(script).toString()));
    command.addAll(java.util.List.of(args));
    long started = System.nanoTime();
    try {
      Path log = java.nio.file.Files.createTempFile("kiki-build-images-", ".log");
      Process build =
          new ProcessBuilder(command)
              .directory(repo.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      int exit = build.waitFor();
      java.util.List<String> lines = java.nio.file.Files.readAllLines(log);
      if (exit != 0) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " failed (exit code "
                + exit
                + "); the end of its log "
                + log
                + ":\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
      LOG.info(
          "{} built (or found cached) in {} ms: {} (log: {})",
          script,
          Duration.ofNanos(System.nanoTime() - started).toMillis(),
          lines.stream().filter(l -> l.startsWith("registry.example.com/")).toList(),
          log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the images", e);
    }
  }
}
