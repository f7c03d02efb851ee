package io.kiki.migrations.benchmarks;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.sandbox.PostgresUrl;
import io.kiki.migrations.e2e.sandbox.Sandbox;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;

/** A KIKI rollout on the sandbox, from a fresh database, as the rollout figures run it. */
final class SandboxRollouts {
  private SandboxRollouts() {}

  /** When the resource was created and when the API server was first seen holding it Ready. */
  record Timing(long createdNanos, long readyNanos) {
    long nanos() {
      return readyNanos - createdNanos;
    }
  }

  /**
   * Creates database {@code databaseName} on the sandbox's PostgreSQL, a Secret with its URL and a
   * DatabaseMigration to head on it ({@code extraSpec}: more lines of its spec, each indented by
   * two spaces and ending in a newline, or ""), then polls every {@code poll} until the resource is
   * Ready at generation 1.
   *
   * @throws IOException when the rollout ends in another terminal phase or is not Ready within
   *     {@code timeout}
   */
  static Timing rollout(
      KubernetesClient client,
      Sandbox sandbox,
      String namespace,
      String name,
      String databaseName,
      String extraSpec,
      Duration poll,
      Duration timeout)
      throws IOException, SQLException, InterruptedException {
    PostgresUrl url = sandbox.postgres().createDatabase(databaseName);
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToStringData("url", url.sqlalchemyUrl())
                .build())
        .create();
    String yaml =
        """
        apiVersion: migrations.kiki.io/v1alpha1
        kind: DatabaseMigration
        metadata: {name: %s, namespace: %s}
        spec:
          image: registry.example.com/kiki/migrations:1.6.0
          targetRevision: head
          database: {urlSecretRef: {name: %s, key: url}}
        %s"""
            .formatted(name, namespace, name, extraSpec);
    DatabaseMigration resource =
        client.getKubernetesSerialization().unmarshal(yaml, DatabaseMigration.class);
    long created = System.nanoTime();
    client.resource(resource).create();
    long deadline = created + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      DatabaseMigration current =
          client.resources(DatabaseMigration.class).inNamespace(namespace).withName(name).get();
      if (current.getStatus() != null && current.getStatus().getPhase() != null) {
        Phase phase = current.getStatus().getPhase();
        if (phase == Phase.Ready
            && Long.valueOf(1).equals(current.getStatus().getObservedGeneration())) {
          return new Timing(created, System.nanoTime());
        }
        if (phase.isTerminal() && phase != Phase.Ready) {
          throw new IOException(name + " ended " + phase + ": " + current.getStatus().getMessage());
        }
      }
      Thread.sleep(poll.toMillis());
    }
    throw new IOException(name + " was not Ready within " + timeout);
  }
}
