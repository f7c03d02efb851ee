package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kiki.migrations.e2e.rbac.ApiAudit;
import io.kiki.migrations.e2e.rbac.ApiRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sandbox's API server: Fabric8's mock Kubernetes API in CRUD mode (objects are stored, watches
 * and status subresources work; no validation, no authorization, no garbage collection, no
 * server-side apply) on 127.0.0.1, with the project's CRDs registered. It records the requests of
 * the client whose User-Agent is {@link #OPERATOR_USER_AGENT} in {@link #audit()}. It authorizes
 * nothing: the operator's RBAC is proven on the {@code local} cluster, by a real API server.
 */
public final class SandboxApiServer implements AutoCloseable {

  /**
   * The mock web server logs every request through java.util.logging; kept here so the level
   * sticks.
   */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  /** The operator's client identifies itself with this User-Agent (Fabric8 Config userAgent). */
  public static final String OPERATOR_USER_AGENT = "kiki-migrations-operator/sandbox";

  /** The sandbox kubelet's client. */
  public static final String KUBELET_USER_AGENT = "kiki-sandbox-kubelet";

  /** Tests, the sandbox program and the CRD registration. */
  public static final String ADMIN_USER_AGENT = "kiki-sandbox-admin";

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final ApiAudit audit;
  private final RecordingDispatcher dispatcher;

  private SandboxApiServer(
      KubernetesMockServer server, ApiAudit audit, RecordingDispatcher dispatcher) {
    this.server = server;
    this.audit = audit;
    this.dispatcher = dispatcher;
    this.client = newClient(ADMIN_USER_AGENT);
  }

  /**
   * Serves {@code GET .../pods/POD/log?container=C} (what {@code kubectl logs} and the operator's
   * read of the plan pod's log ask) from the sandbox kubelet's log files: {@code logs} maps
   * (namespace, pod, container) to the file. The mock API has no kubelet to proxy to.
   */
  public void serveLogs(PodLogs logs) {
    dispatcher.logs = logs;
  }

  /** Where the container log of a pod is. */
  @FunctionalInterface
  public interface PodLogs {
    Path file(String namespace, String pod, String container);
  }

  public static SandboxApiServer start() throws IOException {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    ApiAudit audit = new ApiAudit();
    RecordingDispatcher dispatcher = new RecordingDispatcher(audit);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new SandboxApiServer(server, audit, dispatcher);
  }

  /** The operator's requests (what it used). */
  public ApiAudit audit() {
    return audit;
  }

  /**
   * Registers every CRD found in {@code crdDir} ({@code *.yml} / {@code *.yaml}), as {@code kubectl
   * apply} would.
   */
  public void applyCrds(Path crdDir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(crdDir)) {
      files =
          list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
              .filter(p -> !p.getFileName().toString().startsWith("kustomization"))
              .sorted()
              .toList();
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

  /**
   * A fresh client that identifies itself as {@code userAgent}, e.g. {@link #OPERATOR_USER_AGENT}.
   */
  public KubernetesClient newClient(String userAgent) {
    return server.createClient(
        builder -> builder.editOrNewConfig().withUserAgent(userAgent).endConfig());
  }

  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** The CRUD dispatcher, recording the operator's requests. */
  private static final class RecordingDispatcher extends KubernetesCrudDispatcher {
    private static final java.util.regex.Pattern POD_LOG =
        java.util.regex.Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/log(\\?.*)?");
    private final ApiAudit audit;
    private volatile PodLogs logs;

    RecordingDispatcher(ApiAudit audit) {
      super(List.of());
      this.audit = audit;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String userAgent = request.getHeader("User-Agent");
      if (userAgent != null && userAgent.startsWith(OPERATOR_USER_AGENT)) {
        audit.record(ApiRequest.parse(request.getMethod(), request.getPath()), true);
      }
      java.util.regex.Matcher log = POD_LOG.matcher(request.getPath());
      if ("GET".equals(request.getMethod()) && log.matches() && logs != null) {
        return podLog(log.group(1), log.group(2), log.group(3));
      }
      return super.dispatch(request);
    }

    private MockResponse podLog(String namespace, String pod, String query) {
      String container = null;
      long limit = Long.MAX_VALUE;
      for (String pair : query == null ? new String[0] : query.substring(1).split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv.length == 2 && kv[0].equals("container")) {
          container = kv[1];
        } else if (kv.length == 2 && kv[0].equals("limitBytes")) {
          limit = Long.parseLong(kv[1]);
        }
      }
      Path file = container == null ? null : logs.file(namespace, pod, container);
      if (file == null || !Files.isRegularFile(file)) {
        return new MockResponse().setResponseCode(404).setBody("no log of " + pod);
      }
      try {
        byte[] bytes = Files.readAllBytes(file);
        int length = (int) Math.min(bytes.length, limit);
        return new MockResponse()
            .setResponseCode(200)
            .setBody(new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException e) {
        return new MockResponse().setResponseCode(500).setBody(e.getMessage());
      }
    }
  }
}
