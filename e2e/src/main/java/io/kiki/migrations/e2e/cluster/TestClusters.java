package io.kiki.migrations.e2e.cluster;

import io.kiki.migrations.e2e.Repository;
import java.util.Locale;

/**
 * Picks the cluster from {@code -Dkiki.e2e.cluster=local|sandbox|k3s|kubeconfig} (default local).
 */
public final class TestClusters {

  public static final String PROPERTY = "kiki.e2e.cluster";

  private TestClusters() {}

  public static String selected() {
    String value = System.getProperty(PROPERTY, "");
    return value.isBlank() ? "local" : value.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * Starts the selected cluster.
   *
   * @throws ClusterUnavailableException when it cannot run here (no Docker, no kubeconfig):
   *     scenarios skip
   */
  public static TestCluster start() throws ClusterUnavailableException {
    return switch (selected()) {
      case "local" -> LocalCluster.start(Repository.root());
      case "sandbox" -> SandboxCluster.start(Repository.root());
      case "k3s" -> K3sCluster.start(Repository.root());
      case "kubeconfig" -> KubeconfigCluster.start(Repository.root());
      default ->
          throw new IllegalArgumentException(
              "-D"
                  + PROPERTY
                  + "="
                  + selected()
                  + " is not a cluster; use local, sandbox, k3s or kubeconfig");
    };
  }
}
