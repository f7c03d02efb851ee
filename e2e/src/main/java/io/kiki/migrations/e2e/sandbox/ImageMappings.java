package io.kiki.migrations.e2e.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which local Alembic project directory plays the part of a container image in the sandbox.
 *
 * <p>Explicit mappings ({@code NAME=DIR}) win: a full name with tag ({@code registry/x/y:1.2})
 * before a repository-only name ({@code registry/x/y}). Without one, any image whose repository
 * ends with {@code kiki/migrations} or {@code kiki-migrations} is the KIKI project ({@code
 * migrations-image/}).
 */
public final class ImageMappings {

  private final Path kikiProject;
  private final Map<String, Path> explicit = new ConcurrentHashMap<>();

  public ImageMappings(Path kikiProject) {
    this.kikiProject = kikiProject;
  }

  /** Parses {@code NAME=DIR} as given on the command line. */
  public void add(String mapping) {
    int eq = mapping.indexOf('=');
    if (eq <= 0 || eq == mapping.length() - 1) {
      throw new IllegalArgumentException(
          "--image expects NAME=DIR (e.g. registry.example.com/shop/migrations:2.0=./shop-db), got: "
              + mapping);
    }
    add(mapping.substring(0, eq), Path.of(mapping.substring(eq + 1)));
  }

  public void add(String image, Path projectDir) {
    Path dir = projectDir.toAbsolutePath().normalize();
    if (!Files.isRegularFile(dir.resolve("alembic.ini"))) {
      throw new IllegalArgumentException(
          "image "
              + image
              + ": "
              + dir
              + " has no alembic.ini; map images to Alembic project directories");
    }
    explicit.put(image, dir);
  }

  public Optional<Path> resolve(String image) {
    if (image == null || image.isBlank()) {
      return Optional.empty();
    }
    String name = stripDigest(image);
    Path exact = explicit.get(name);
    if (exact != null) {
      return Optional.of(exact);
    }
    String repository = repository(name);
    Path byRepository = explicit.get(repository);
    if (byRepository != null) {
      return Optional.of(byRepository);
    }
    if (repository.endsWith("kiki/migrations") || repository.endsWith("kiki-migrations")) {
      return Optional.of(kikiProject);
    }
    return Optional.empty();
  }

  public Path kikiProject() {
    return kikiProject;
  }

  /** The image name without its tag: the tag is what follows the last ':' after the last '/'. */
  static String repository(String image) {
    String name = stripDigest(image);
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    return colon > slash ? name.substring(0, colon) : name;
  }

  private static String stripDigest(String image) {
    int at = image.indexOf('@');
    return at >= 0 ? image.substring(0, at) : image;
  }
}
