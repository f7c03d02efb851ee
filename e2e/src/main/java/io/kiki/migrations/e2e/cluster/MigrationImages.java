package io.kiki.migrations.e2e.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Builds images for real clusters: the operator from {@code operator/Dockerfile}, and a migrations
 * image for any Alembic project from {@code migrations-image/Dockerfile} (the runner plus that
 * project's {@code alembic.ini}, {@code alembic/} and {@code shared/}).
 */
final class MigrationImages {

  private MigrationImages() {}

  /**
   * The operator's Dockerfile builds from the repository root (its Maven stage needs every module's
   * pom).
   */
  static void buildOperator(Path repo, String tag) {
    new ImageFromDockerfile(tag, false)
        .withFileFromPath(".", repo)
        .withDockerfilePath("operator/Dockerfile")
        .get();
  }

  static void buildMigrations(Path repo, String tag, Path project) {
    Path context;
    try {
      context = Files.createTempDirectory("kiki-image-");
      Path image = repo.resolve("migrations-image");
      for (String runnerPart : List.of("Dockerfile", "kiki_migrate", "bin")) {
        ProjectFiles.copy(image.resolve(runnerPart), context.resolve(runnerPart));
      }
      ProjectFiles.copy(project.resolve("alembic.ini"), context.resolve("alembic.ini"));
      ProjectFiles.copy(project.resolve("alembic"), context.resolve("alembic"));
      if (Files.isDirectory(project.resolve("shared"))) {
        ProjectFiles.copy(project.resolve("shared"), context.resolve("shared"));
      } else {
        Files.createDirectories(context.resolve("shared"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("preparing the build context of " + tag, e);
    }
    new ImageFromDockerfile(tag, false).withDockerfile(context.resolve("Dockerfile")).get();
  }
}
