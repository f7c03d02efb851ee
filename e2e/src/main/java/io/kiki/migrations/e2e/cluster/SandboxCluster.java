package io.kiki.migrations.e2e.cluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.e2e.sandbox.ImageMappings;
import io.kiki.migrations.e2e.sandbox.PostgresUrl;
import io.kiki.migrations.e2e.sandbox.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@code sandbox} cluster: everything on this machine (see {@link Sandbox}). */
public final class SandboxCluster implements TestCluster {

  private final Sandbox sandbox;
  private final AtomicInteger namespaces = new AtomicInteger();

  private SandboxCluster(Sandbox sandbox) {
    this.sandbox = sandbox;
  }

  public static SandboxCluster start(Path repo) {
    try {
      Path workDir = Files.createTempDirectory("kiki-e2e-sandbox-");
      Sandbox sandbox =
          Sandbox.start(repo, workDir, new ImageMappings(repo.resolve("migrations-image")));
      return new SandboxCluster(sandbox);
    } catch (IOException e) {
      throw new UncheckedIOException("starting the sandbox cluster", e);
    }
  }

  public Sandbox sandbox() {
    return sandbox;
  }

  @Override
  public String name() {
    return "sandbox";
  }

  @Override
  public KubernetesClient client() {
    return sandbox.client();
  }

  @Override
  public String createNamespace(String prefix) {
    String name = prefix + "-" + namespaces.incrementAndGet();
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  @Override
  public TestDatabase createDatabase(String name) {
    try {
      PostgresUrl url = sandbox.postgres().createDatabase(name);
      return new TestDatabase(name, url.sqlalchemyUrl(), url);
    } catch (SQLException e) {
      throw new IllegalStateException("creating database " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String provideImage(String image, Path projectDir) {
    sandbox.images().add(image, projectDir);
    return image;
  }

  @Override
  public void stopOperator() {
    sandbox.stopOperator();
  }

  @Override
  public void startOperator() {
    sandbox.startOperator();
  }

  @Override
  public Optional<String> operatorHttpBase() {
    return Optional.of("http://127.0.0.1:" + sandbox.metricsPort());
  }

  @Override
  public List<String> logLines() {
    return sandbox.logLines();
  }

  @Override
  public void close() {
    sandbox.close();
  }
}
