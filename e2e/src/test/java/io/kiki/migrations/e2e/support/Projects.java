package io.kiki.migrations.e2e.support;

import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.cluster.ProjectFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Alembic projects for scenarios, made on the fly from the KIKI project: an older release (newest
 * revisions removed), a broken one (a revision that fails half-way), one with two heads... Each
 * copy is a whole image (runner included), as {@code migrations-image/} is.
 */
public final class Projects {

  private static final List<String> IMAGE_PARTS =
      List.of("alembic.ini", "alembic", "shared", "kiki_migrate", "bin");
  private final Path dir;

  private Projects(Path dir) {
    this.dir = dir;
  }

  public static Path kiki() {
    return Repository.kikiProject();
  }

  public static Projects copyOfKiki(String label) {
    try {
      Path dir = Files.createTempDirectory("kiki-e2e-project-" + label + "-");
      for (String part : IMAGE_PARTS) {
        Path source = kiki().resolve(part);
        if (Files.exists(source)) {
          ProjectFiles.copy(source, dir.resolve(part));
        }
      }
      return new Projects(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An image made of one of the runner's fixture projects ({@code
   * migrations-image/tests/fixtures/<name>}: its alembic.ini and alembic/) with the runner of the
   * KIKI image.
   */
  public static Projects fixture(String name) {
    try {
      Path source = kiki().resolve("tests/fixtures").resolve(name);
      if (!Files.isRegularFile(source.resolve("alembic.ini"))) {
        throw new IllegalArgumentException("no fixture project at " + source);
      }
      Path dir = Files.createTempDirectory("kiki-e2e-project-" + name + "-");
      ProjectFiles.copy(source.resolve("alembic.ini"), dir.resolve("alembic.ini"));
      ProjectFiles.copy(source.resolve("alembic"), dir.resolve("alembic"));
      for (String part : List.of("kiki_migrate", "bin")) {
        ProjectFiles.copy(kiki().resolve(part), dir.resolve(part));
      }
      return new Projects(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes a revision file, as an older release of the image would not have it yet. */
  public Projects withoutRevision(String revision) {
    try (Stream<Path> files = Files.list(versions())) {
      List<Path> matching =
          files.filter(f -> f.getFileName().toString().startsWith(revision + "_")).toList();
      if (matching.size() != 1) {
        throw new IllegalArgumentException(
            "expected one file for revision "
                + revision
                + " in "
                + versions()
                + ", found "
                + matching);
      }
      Files.delete(matching.get(0));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds a revision from a template in {@code io/kiki/migrations/e2e/projects/} ({@code ${...}}
   * placeholders).
   */
  public Projects withRevision(String template, Map<String, String> values) {
    String text =
        Fixtures.text(Projects.class, "/io/kiki/migrations/e2e/projects/" + template, values);
    try {
      Files.writeString(versions().resolve(template), text);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  private Path versions() {
    return dir.resolve("alembic/versions");
  }
}
