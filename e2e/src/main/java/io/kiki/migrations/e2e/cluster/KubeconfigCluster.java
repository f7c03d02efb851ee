package io.kiki.migrations.e2e.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code kubeconfig} cluster: an existing cluster ({@code -Dkiki.e2e.kubeconfig=FILE}, else
 * {@code $KUBECONFIG}), set up like {@code k3s}: operator from {@code manifests/}, PostgreSQL in
 * the cluster. The cluster must be able to pull the operator image and {@value
 * TestCluster#KIKI_IMAGE}; scenarios that need further images build them with Docker and push them
 * to {@code -Dkiki.e2e.registry=REGISTRY}.
 */
public final class KubeconfigCluster extends DeployedCluster {

  private final String registry;

  private KubeconfigCluster(Path repo, Path kubeconfig, String registry) throws IOException {
    super(
        repo,
        kubeconfig,
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build());
    this.registry = registry;
  }

  public static KubeconfigCluster start(Path repo) throws ClusterUnavailableException {
    String file = System.getProperty("kiki.e2e.kubeconfig", System.getenv("KUBECONFIG"));
    if (file == null || file.isBlank() || !Files.isReadable(Path.of(file))) {
      throw new ClusterUnavailableException(
          "no kubeconfig: pass -Dkiki.e2e.kubeconfig=FILE or set KUBECONFIG to a readable file");
    }
    try {
      KubeconfigCluster cluster =
          new KubeconfigCluster(repo, Path.of(file), System.getProperty("kiki.e2e.registry"));
      cluster.deploy();
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
  }

  @Override
  public String name() {
    return "kubeconfig";
  }

  @Override
  public String provideImage(String image, Path projectDir) {
    if (KIKI_IMAGE.equals(image)
        && projectDir
            .toAbsolutePath()
            .normalize()
            .equals(repo.resolve("migrations-image").toAbsolutePath().normalize())) {
      return image;
    }
    if (registry == null || registry.isBlank()) {
      throw new IllegalStateException(
          "this scenario needs the image "
              + image
              + " built from "
              + projectDir
              + "; pass -Dkiki.e2e.registry=REGISTRY (pushable with docker, pullable by the cluster)");
    }
    String pushed = registry + "/" + image.substring(image.indexOf('/') + 1);
    MigrationImages.buildMigrations(repo, pushed, projectDir);
    run(List.of("docker", "push", pushed));
    return pushed;
  }
}
