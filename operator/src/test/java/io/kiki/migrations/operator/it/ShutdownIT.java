package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.operator.MigrationsOperator;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.config.OperatorSettings;
import io.kiki.migrations.operator.status.Reasons;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** close() is a graceful shutdown: an embedder may close its client as soon as close() returned. */
class ShutdownIT extends MockClusterTestBase {

  @Test
  void closeWaitsForTheReconciliationInFlight() throws Exception {
    operator.close();
    operator = null;
    // A "database" that accepts the connection and never answers: the reconcile blocks in the JDBC
    // login until
    // its timeout, then records DatabaseUnreachable in the status.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        KubernetesClient operatorClient = server.createClient()) {
      createSecret(
          "silent-db",
          "KIKI_DATABASE_URL",
          "postgresql://kiki:secret@127.0.0.1:" + silent.getLocalPort() + "/kiki");
      DatabaseMigration resource = fixture("basic.yaml");
      resource.getSpec().getDatabase().getUrlSecretRef().setName("silent-db");
      MigrationsOperator embedded =
          new MigrationsOperator(
              operatorClient,
              OperatorConfig.defaults()
                  .fast()
                  .with(OperatorSettings.WATCH_NAMESPACES, Set.of(namespace)),
              metrics);
      embedded.start();
      create(resource);
      silent.setSoTimeout((int) TIMEOUT.toMillis());
      try (Socket reconcileInFlight = silent.accept()) {
        embedded.close();
        operatorClient.close();
        assertCondition(
            get("kiki-campaigns"), "Reconciling", "True", Reasons.DATABASE_UNREACHABLE, 1);
      }
    }
  }
}
