package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sandbox's API server: Fabric8's mock Kubernetes API in CRUD mode (objects are stored, watches and
 * status subresources work; no validation, no garbage collection, no server-side apply) on 127.0.0.1, with
 * the project's CRDs registered.
 */
public final class SandboxApiServer implements AutoCloseable {

  /** The mock web server logs every request through java.util.logging; kept here so the level sticks. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private SandboxApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  public static SandboxApiServer start() throws IOException {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new SandboxApiServer(server);
  }

  /** Registers every CRD found in {@code crdDir} ({@code *.yml} / {@code *.yaml}), as {@code kubectl apply} would. */
  public void applyCrds(Path crdDir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(crdDir)) {
      files = list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().startsWith("kustomization")).sorted().toList();
    }
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        Object parsed = Serialization.unmarshal(in);
        if (parsed instanceof CustomResourceDefinition crd) {
          client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
      }
    }
  }

  /** A client for components of the sandbox (operator, kubelet, the program's printer). */
  public KubernetesClient client() {
    return client;
  }

  /** A fresh client, e.g. for an operator instance that is stopped and started again. */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
