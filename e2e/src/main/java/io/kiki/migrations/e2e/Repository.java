package io.kiki.migrations.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the project checkout is: {@code -Dkiki.e2e.repo}, else the nearest directory up with {@code
 * migrations-image/} and {@code crds/}.
 */
public final class Repository {

  private Repository() {}

  public static Path root() {
    String configured = System.getProperty("kiki.e2e.repo");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("migrations-image"))
          && Files.isDirectory(dir.resolve("crds"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the project checkout above "
            + Path.of("").toAbsolutePath()
            + "; run from inside it or pass -Dkiki.e2e.repo=DIR");
  }

  public static Path kikiProject() {
    return root().resolve("migrations-image");
  }
}
