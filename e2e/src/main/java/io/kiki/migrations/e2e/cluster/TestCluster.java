package io.kiki.migrations.e2e.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes cluster with the operator running, on which the end-to-end scenarios run unchanged:
 * {@code sandbox} (mock API + in-process operator + local kubelet), {@code k3s} (Testcontainers) or
 * {@code kubeconfig} (an existing cluster). Chosen with {@code -Dkiki.e2e.cluster}, see {@link
 * TestClusters}.
 */
public interface TestCluster extends AutoCloseable {

  /** The image name of the KIKI migrations project (migrations-image/) in this cluster. */
  String KIKI_IMAGE = "registry.example.com/kiki/migrations:1.6.0";

  String name();

  KubernetesClient client();

  /** Creates a namespace for one scenario. */
  String createNamespace(String prefix);

  /** A new, empty database on the cluster's PostgreSQL server. */
  TestDatabase createDatabase(String name);

  /**
   * Makes an Alembic project directory available as the image {@code image} (the sandbox maps it,
   * K3s builds and loads it) and returns the name to put into {@code spec.image}.
   */
  String provideImage(String image, Path projectDir);

  /**
   * Stops the operator (as a crash or a rollout of the operator would) and waits until it is gone.
   */
  void stopOperator();

  void startOperator();

  /**
   * Every log line the operator and the Job pods have written so far (for the no-secret-in-logs
   * check).
   */
  List<String> logLines();

  /**
   * Where this test process reaches the operator's HTTP endpoints (/metrics, /healthz, /readyz),
   * e.g. {@code http://127.0.0.1:PORT}; empty when it cannot (then scenarios that scrape are
   * skipped).
   */
  default Optional<String> operatorHttpBase() {
    return Optional.empty();
  }

  @Override
  void close();
}
