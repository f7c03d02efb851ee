package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageMappingsTest {

  @TempDir Path dir;

  @Test
  void kikiImagesMapToTheKikiProjectByDefault() throws Exception {
    ImageMappings images = new ImageMappings(project("kiki"));

    assertThat(images.resolve("registry.example.com/kiki/migrations:1.6.0"))
        .contains(project("kiki"));
    assertThat(images.resolve("ghcr.io/acme/kiki-migrations")).contains(project("kiki"));
    assertThat(images.resolve("localhost:5000/kiki/migrations@sha256:abc"))
        .contains(project("kiki"));
    assertThat(images.resolve("registry.example.com/shop/migrations:1.0")).isEmpty();
    assertThat(images.resolve("registry.example.com/kiki/migrations-tools:1.0")).isEmpty();
  }

  @Test
  void fullNameWithTagWinsOverRepositoryOnly() throws Exception {
    ImageMappings images = new ImageMappings(project("kiki"));
    images.add("registry.example.com/kiki/migrations=" + project("any-tag"));
    images.add("registry.example.com/kiki/migrations:1.5.0=" + project("old"));

    assertThat(images.resolve("registry.example.com/kiki/migrations:1.5.0"))
        .contains(project("old"));
    assertThat(images.resolve("registry.example.com/kiki/migrations:1.6.0"))
        .contains(project("any-tag"));
    assertThat(images.resolve("localhost:5000/kiki/migrations:1.6.0")).contains(project("kiki"));
  }

  @Test
  void refusesMappingsThatAreNotAlembicProjects() {
    ImageMappings images = new ImageMappings(dir);
    assertThatThrownBy(() -> images.add("shop/migrations:1=" + dir.resolve("nothing")))
        .hasMessageContaining("has no alembic.ini");
    assertThatThrownBy(() -> images.add("shop/migrations:1")).hasMessageContaining("NAME=DIR");
  }

  @Test
  void rewritesMountPathsOnlyAtPathBoundariesAndOnlyOnce() {
    var rewriter =
        new ContainerResolver.PathRewriter(
            Map.of(
                "/backups", Path.of("/tmp/w/pvc/kiki/kiki-backups"),
                "/tmp", Path.of("/tmp/w/pods/p/volumes/tmp")));

    assertThat(rewriter.rewrite("--dir=/backups")).isEqualTo("--dir=/tmp/w/pvc/kiki/kiki-backups");
    assertThat(rewriter.rewrite("/backups/kiki-1.dump"))
        .isEqualTo("/tmp/w/pvc/kiki/kiki-backups/kiki-1.dump");
    assertThat(rewriter.rewrite("/tmp/x")).isEqualTo("/tmp/w/pods/p/volumes/tmp/x");
    assertThat(rewriter.rewrite("/backupsx /data/backups http://h/backups"))
        .isEqualTo("/backupsx /data/backups http://h/backups");
  }

  @Test
  void expandsVariableReferencesLikeKubernetes() {
    Map<String, String> env = Map.of("NAME", "kiki");
    assertThat(ContainerResolver.expand("db-$(NAME)-$(MISSING)-$$(NAME)", env))
        .isEqualTo("db-kiki-$(MISSING)-$(NAME)");
  }

  private Path project(String name) throws Exception {
    Path project = Files.createDirectories(dir.resolve(name));
    if (!Files.exists(project.resolve("alembic.ini"))) {
      Files.writeString(project.resolve("alembic.ini"), "[alembic]\n");
    }
    return project.toAbsolutePath().normalize();
  }
}
