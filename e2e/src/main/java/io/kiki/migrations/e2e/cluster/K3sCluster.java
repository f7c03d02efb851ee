package io.kiki.migrations.e2e.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The {@code k3s} cluster: K3s in Docker (Testcontainers), both images built from their Dockerfiles
 * and imported into K3s's containerd, the operator deployed from {@code manifests/}, PostgreSQL in
 * the cluster.
 */
public final class K3sCluster extends DeployedCluster {

  static final DockerImageName K3S_IMAGE = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");
  private final K3sContainer k3s;

  private K3sCluster(Path repo, Path kubeconfig, K3sContainer k3s) {
    super(
        repo,
        kubeconfig,
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
            .build());
    this.k3s = k3s;
  }

  public static K3sCluster start(Path repo) throws ClusterUnavailableException {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new ClusterUnavailableException(
          "Docker is not available: Testcontainers found no Docker environment "
              + "(no DOCKER_HOST, no /var/run/docker.sock), so K3s cannot run here; use -Dkiki.e2e.cluster=sandbox");
    }
    K3sContainer k3s = new K3sContainer(K3S_IMAGE);
    k3s.start();
    try {
      Path kubeconfig = Files.createTempFile("kiki-k3s-", ".kubeconfig");
      Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
      K3sCluster cluster = new K3sCluster(repo, kubeconfig, k3s);
      MigrationImages.buildOperator(repo, OPERATOR_IMAGE);
      cluster.importImage(OPERATOR_IMAGE);
      cluster.provideImage(KIKI_IMAGE, repo.resolve("migrations-image"));
      cluster.deploy();
      return cluster;
    } catch (IOException e) {
      k3s.stop();
      throw new UncheckedIOException("starting K3s", e);
    } catch (RuntimeException e) {
      k3s.stop();
      throw e;
    }
  }

  @Override
  public String name() {
    return "k3s";
  }

  @Override
  public String provideImage(String image, Path projectDir) {
    MigrationImages.buildMigrations(repo, image, projectDir);
    importImage(image);
    return image;
  }

  /**
   * docker save from the host's Docker, ctr import into K3s's containerd (imagePullPolicy
   * IfNotPresent finds it).
   */
  private void importImage(String image) {
    try (InputStream tar = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
      Path file = Files.createTempFile("kiki-image-", ".tar");
      Files.copy(tar, file, StandardCopyOption.REPLACE_EXISTING);
      k3s.copyFileToContainer(MountableFile.forHostPath(file), "/tmp/image.tar");
      var result = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
      if (result.getExitCode() != 0) {
        throw new IllegalStateException(
            "importing " + image + " into K3s failed: " + result.getStderr());
      }
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException("importing " + image + " into K3s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while importing " + image, e);
    }
  }

  @Override
  public void close() {
    try {
      super.close();
    } finally {
      k3s.stop();
    }
  }
}
