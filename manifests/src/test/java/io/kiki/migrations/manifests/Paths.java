package io.kiki.migrations.manifests;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the manifests and the repository are, seen from the module's tests (Maven runs them in
 * manifests/) or from a sibling module that uses them (e2e).
 */
final class Paths {

  static final Path MANIFESTS = locateManifests();
  static final Path REPOSITORY = MANIFESTS.getParent();
  static final Path CRD_FILE =
      REPOSITORY.resolve("crds/databasemigrations.migrations.kiki.io-v1.yml");

  private Paths() {}

  private static Path locateManifests() {
    Path workingDirectory = Path.of("").toAbsolutePath();
    for (Path candidate :
        new Path[] {
          workingDirectory,
          workingDirectory.resolve("manifests"),
          workingDirectory.resolveSibling("manifests")
        }) {
      if (Files.isRegularFile(candidate.resolve("base/kustomization.yaml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "Run these tests from manifests/ or the repository root, not " + workingDirectory);
  }
}
