package io.kiki.migrations.manifests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the real tools the tests run (kubectl, lua, promtool) the way a shell would. */
final class Executables {

  private Executables() {}

  /** The first executable file called {@code name} in a directory of $PATH. */
  static Optional<String> onPath(String name) {
    for (String directory :
        System.getenv()
            .getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin")
            .split(File.pathSeparator)) {
      Path candidate = Path.of(directory, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }
}
