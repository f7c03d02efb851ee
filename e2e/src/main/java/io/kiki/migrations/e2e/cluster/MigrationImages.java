package io.kiki.migrations.e2e.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Builds images for real clusters: the operator from {@code operator/Dockerfile}, and a migrations image for
 * any Alembic project from {@code migrations-image/Dockerfile} (the runner plus that project's
 * {@code alembic.ini}, {@code alembic/} and {@code shared/}).
 */
final class MigrationImages {

  private MigrationImages() {
  }

  /** The operator's Dockerfile builds from the repository root (its Maven stage needs every module's pom). */
  static void buildOperator(Path repo, String tag) {
    new ImageFromDockerfile(tag, false).withFileFromPath(".", repo).withDockerfilePath("operator/Dockerfile").get();
  }

  static void buildMigrations(Path repo, String tag, Path project) {
    Path context;
    try {
      context = Files.createTempDirectory("kiki-image-");
      Path image = repo.resolve("migrations-image");
      for (String runnerPart : List.of("Dockerfile", "kiki_migrate", "bin")) {
        copy(image.resolve(runnerPart), context.resolve(runnerPart));
      }
      copy(project.resolve("alembic.ini"), context.resolve("alembic.ini"));
      copy(project.resolve("alembic"), context.resolve("alembic"));
      if (Files.isDirectory(project.resolve("shared"))) {
        copy(project.resolve("shared"), context.resolve("shared"));
      } else {
        Files.createDirectories(context.resolve("shared"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("preparing the build context of " + tag, e);
    }
    new ImageFromDockerfile(tag, false).withDockerfile(context.resolve("Dockerfile")).get();
  }

  private static void copy(Path from, Path to) throws IOException {
    if (Files.isDirectory(from)) {
      try (Stream<Path> files = Files.walk(from)) {
        for (Path file : files.filter(p -> !p.toString().contains("__pycache__")).toList()) {
          Path target = to.resolve(from.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(target);
          } else {
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
    } else {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }
}
