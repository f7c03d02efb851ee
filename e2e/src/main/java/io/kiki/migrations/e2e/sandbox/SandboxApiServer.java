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
import io.kiki.migrations.e2e.rbac.OperatorRbac;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The sandbox's API server: Fabric8's mock Kubernetes API in CRUD mode (objects are stored, watches and
 * status subresources work; no validation, no garbage collection, no server-side apply) on 127.0.0.1, with
 * the project's CRDs registered. Like a real cluster it authorizes the operator: requests whose User-Agent is
 * {@link #OPERATOR_USER_AGENT} are checked against the operator's RBAC from the install (when given) and answered
 * 403 Forbidden when it does not allow them; every such request is recorded in {@link #audit()}. Other clients
 * (the kubelet, tests, the program) act as cluster admins.
 */
public final class SandboxApiServer implements AutoCloseable {

  /** The mock web server logs every request through java.util.logging; kept here so the level sticks. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  /** The operator's client identifies itself with this User-Agent (Fabric8 Config userAgent). */
  public static final String OPERATOR_USER_AGENT = "kiki-migrations-operator/sandbox";
  /** The sandbox kubelet's client. */
  public static final String KUBELET_USER_AGENT = "kiki-sandbox-kubelet";
  /** Tests, the sandbox program and the CRD registration. */
  public static final String ADMIN_USER_AGENT = "kiki-sandbox-admin";

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final OperatorRbac rbac;
  private final ApiAudit audit;

  private SandboxApiServer(KubernetesMockServer server, OperatorRbac rbac, ApiAudit audit) {
    this.server = server;
    this.rbac = rbac;
    this.audit = audit;
    this.client = newClient(ADMIN_USER_AGENT);
  }

  /** Without RBAC: every client may do everything. */
  public static SandboxApiServer start() throws IOException {
    return start(null);
  }

  /** With the operator's RBAC enforced (null: not enforced, but the operator's requests are still recorded). */
  public static SandboxApiServer start(OperatorRbac rbac) throws IOException {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    ApiAudit audit = new ApiAudit();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new AuthorizingDispatcher(rbac, audit), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new SandboxApiServer(server, rbac, audit);
  }

  /** The operator's RBAC this server enforces, or null. */
  public OperatorRbac rbac() {
    return rbac;
  }

  /** The operator's requests: what it used, what was forbidden. */
  public ApiAudit audit() {
    return audit;
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

  /** A fresh client that identifies itself as {@code userAgent}, e.g. {@link #OPERATOR_USER_AGENT}. */
  public KubernetesClient newClient(String userAgent) {
    return server.createClient(builder -> builder.editOrNewConfig().withUserAgent(userAgent).endConfig());
  }

  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** The CRUD dispatcher behind an RBAC check of the operator's requests. */
  private static final class AuthorizingDispatcher extends KubernetesCrudDispatcher {
    private final OperatorRbac rbac;
    private final ApiAudit audit;

    AuthorizingDispatcher(OperatorRbac rbac, ApiAudit audit) {
      super(List.of());
      this.rbac = rbac;
      this.audit = audit;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String userAgent = request.getHeader("User-Agent");
      if (userAgent != null && userAgent.startsWith(OPERATOR_USER_AGENT)) {
        ApiRequest apiRequest = ApiRequest.parse(request.getMethod(), request.getPath());
        boolean allowed = rbac == null || rbac.allows(apiRequest);
        audit.record(apiRequest, allowed);
        if (!allowed) {
          return forbidden(apiRequest, rbac.serviceAccount());
        }
      }
      return super.dispatch(request);
    }

    /** 403 with a Status as the API server words it. */
    private static MockResponse forbidden(ApiRequest request, String serviceAccount) {
      String[] account = serviceAccount.split("/", 2);
      String user = "system:serviceaccount:" + account[0] + ":" + account[1];
      String message;
      Map<String, Object> details = new LinkedHashMap<>();
      if (request.isResourceRequest()) {
        String qualified = request.resource() + (request.apiGroup().isEmpty() ? "" : "." + request.apiGroup());
        message = qualified + (request.name() == null ? "" : " \"" + request.name() + "\"") + " is forbidden: User \""
            + user + "\" cannot " + request.verb() + " resource \"" + request.rbacResource() + "\" in API group \""
            + request.apiGroup() + "\"" + (request.namespace() == null ? " at the cluster scope"
            : " in the namespace \"" + request.namespace() + "\"");
        if (request.name() != null) {
          details.put("name", request.name());
        }
        details.put("group", request.apiGroup());
        details.put("kind", request.resource());
      } else {
        message = "forbidden: User \"" + user + "\" cannot " + request.verb() + " path \"" + request.path() + "\"";
      }
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("kind", "Status");
      status.put("apiVersion", "v1");
      status.put("metadata", Map.of());
      status.put("status", "Failure");
      status.put("message", message);
      status.put("reason", "Forbidden");
      status.put("details", details);
      status.put("code", 403);
      return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json")
          .setBody(Serialization.asJson(status));
    }
  }
}
