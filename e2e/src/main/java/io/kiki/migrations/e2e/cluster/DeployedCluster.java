package io.kiki.migrations.e2e.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kiki.migrations.e2e.sandbox.PostgresUrl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real cluster (K3s or an existing one) with the operator deployed from {@code manifests/}
 * ({@code kubectl apply -k}) and a PostgreSQL server in the cluster; the test reaches that server
 * through a port-forward.
 */
abstract class DeployedCluster implements TestCluster {

  static final String OPERATOR_NAMESPACE = "kiki-migrations-system";
  static final String OPERATOR_DEPLOYMENT = "kiki-migrations-operator";
  static final String OPERATOR_IMAGE = "registry.example.com/kiki/migrations-operator:0.1.0";
  static final String DATABASE_NAMESPACE = "kiki-e2e-postgres";

  protected final Path repo;
  protected final Path kubeconfig;
  protected final KubernetesClient client;
  private final AtomicInteger namespaces = new AtomicInteger();
  private final List<String> createdNamespaces = new ArrayList<>();
  private String postgresPassword;
  private LocalPortForward postgresForward;

  DeployedCluster(Path repo, Path kubeconfig, KubernetesClient client) {
    this.repo = repo;
    this.kubeconfig = kubeconfig;
    this.client = client;
  }

  /** Installs the operator as users do and starts PostgreSQL in the cluster. */
  void deploy() {
    kubectl("apply", "-k", repo.resolve("manifests").toString());
    awaitOneReadyReplica(OPERATOR_NAMESPACE, OPERATOR_DEPLOYMENT);
    postgresPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    try (InputStream in = DeployedCluster.class.getResourceAsStream("/cluster/postgres.yaml")) {
      String yaml =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("${namespace}", DATABASE_NAMESPACE)
              .replace("${password}", postgresPassword);
      for (HasMetadata resource :
          client
              .load(new java.io.ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
              .items()) {
        client.resource(resource).createOr(NonDeletingOperation::update);
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading the PostgreSQL manifest", e);
    }
    awaitOneReadyReplica(DATABASE_NAMESPACE, "kiki-postgres");
    postgresForward =
        client
            .services()
            .inNamespace(DATABASE_NAMESPACE)
            .withName("kiki-postgres")
            .portForward(5432);
  }

  private void awaitOneReadyReplica(String namespace, String deployment) {
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(deployment)
        .waitUntilCondition(
            d ->
                d != null
                    && d.getStatus() != null
                    && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas()),
            5,
            TimeUnit.MINUTES);
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String createNamespace(String prefix) {
    String name =
        prefix + "-" + System.currentTimeMillis() % 100000 + "-" + namespaces.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    createdNamespaces.add(name);
    return name;
  }

  @Override
  public TestDatabase createDatabase(String name) {
    PostgresUrl host =
        new PostgresUrl(
            "postgres", postgresPassword, "127.0.0.1", postgresForward.getLocalPort(), "postgres");
    PostgresUrl hostAccess;
    try {
      hostAccess = host.createDatabase(name);
    } catch (SQLException e) {
      throw new IllegalStateException("creating database " + name + ": " + e.getMessage(), e);
    }
    PostgresUrl inCluster =
        new PostgresUrl(
            "postgres",
            postgresPassword,
            "kiki-postgres." + DATABASE_NAMESPACE + ".svc",
            5432,
            name);
    return new TestDatabase(name, inCluster.sqlalchemyUrl(), hostAccess);
  }

  @Override
  public void stopOperator() {
    scaleOperator(0);
  }

  @Override
  public void startOperator() {
    scaleOperator(1);
  }

  private void scaleOperator(int replicas) {
    client
        .apps()
        .deployments()
        .inNamespace(OPERATOR_NAMESPACE)
        .withName(OPERATOR_DEPLOYMENT)
        .scale(replicas);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      List<Pod> pods =
          client
              .pods()
              .inNamespace(OPERATOR_NAMESPACE)
              .withLabel("app.kubernetes.io/name", OPERATOR_DEPLOYMENT)
              .list()
              .getItems();
      boolean done =
          replicas == 0
              ? pods.isEmpty()
              : pods.stream()
                  .anyMatch(
                      p ->
                          p.getStatus() != null
                              && p.getStatus().getContainerStatuses() != null
                              && p.getStatus().getContainerStatuses().stream()
                                  .allMatch(c -> Boolean.TRUE.equals(c.getReady())));
      if (done) {
        return;
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while scaling the operator", e);
      }
    }
    throw new IllegalStateException(
        "the operator did not scale to " + replicas + " within 3 minutes");
  }

  @Override
  public List<String> logLines() {
    List<String> lines = new ArrayList<>();
    List<String> namespacesToRead = new ArrayList<>(createdNamespaces);
    namespacesToRead.add(OPERATOR_NAMESPACE);
    for (String ns : namespacesToRead) {
      for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
        String log = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).getLog();
        if (log != null) {
          lines.addAll(log.lines().toList());
        }
      }
    }
    return lines;
  }

  /** Runs kubectl against this cluster; fails with its output when it fails. */
  protected void kubectl(String... args) {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    run(command);
  }

  static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException(
          String.join(" ", command) + " could not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  @Override
  public void close() {
    try {
      if (postgresForward != null) {
        postgresForward.close();
      }
    } catch (IOException e) {
      throw new IllegalStateException("closing the port-forward", e);
    } finally {
      for (String ns : createdNamespaces) {
        client.namespaces().withName(ns).delete();
      }
      client.close();
    }
  }
}
