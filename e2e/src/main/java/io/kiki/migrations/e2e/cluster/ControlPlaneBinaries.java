package io.kiki.migrations.e2e.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the local control plane's binaries are: {@code -Dkiki.e2e.controlPlane=DIR} or {@code
 * KIKI_CONTROL_PLANE_DIR}, else what {@code scripts/build-control-plane.sh} prints (it builds them
 * once per machine and version, and only prints the cached directory afterwards).
 */
public final class ControlPlaneBinaries {

  private ControlPlaneBinaries() {}

  public static Path locate(Path repo) {
    String configured =
        System.getProperty("kiki.e2e.controlPlane", System.getenv("KIKI_CONTROL_PLANE_DIR"));
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path script = repo.resolve("scripts/build-control-plane.sh");
    try {
      Process build =
          new ProcessBuilder(script.toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      build.getOutputStream().close();
      String output =
          new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (build.waitFor() != 0 || output.isEmpty()) {
        throw new IllegalStateException(
            script + " failed (exit code " + build.exitValue() + "); its messages are above");
      }
      List<String> lines = output.lines().toList();
      return Path.of(lines.get(lines.size() - 1));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the control plane", e);
    }
  }
}
