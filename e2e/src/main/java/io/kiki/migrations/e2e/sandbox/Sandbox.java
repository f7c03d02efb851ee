package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.e2e.rbac.ApiAudit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole sandbox cluster on this machine: mock API server with the CRDs, the operator in-process, the
 * sandbox kubelet and a throwaway PostgreSQL server. Used by the {@code sandbox} test cluster and by
 * {@link SandboxMain}.
 *
 * <p>The operator serves /metrics, /healthz and /readyz on {@link #metricsPort()} as its {@code Main} does.
 * Operator, kubelet and the rest use separate clients (User-Agents); the mock API server authorizes nothing (the
 * operator's RBAC is proven on the {@code local} cluster).
 */
public final class Sandbox implements AutoCloseable {
  private final Path workDir;
  private final ImageMappings images;
  private final SandboxApiServer api;
  private final SandboxKubelet kubelet;
  private final LocalPostgres postgres;
  private final LogCapture logs;
  private final KubernetesClient kubeletClient;
  private final InProcessOperator operator;
  private boolean closed;

  private Sandbox(Path workDir, ImageMappings images, SandboxApiServer api, SandboxKubelet kubelet,
      KubernetesClient kubeletClient, LocalPostgres postgres, LogCapture logs) {
    this.workDir = workDir;
    this.images = images;
    this.api = api;
    this.kubelet = kubelet;
    this.kubeletClient = kubeletClient;
    this.postgres = postgres;
    this.logs = logs;
    this.operator = new InProcessOperator(() -> api.newClient(SandboxApiServer.OPERATOR_USER_AGENT));
  }

  /**
   * Starts API server, kubelet, PostgreSQL ({@code KIKI_TEST_POSTGRES_URL} when set, else its own) and the
   * operator.
   */
  public static Sandbox start(Path repo, Path workDir, ImageMappings images) throws IOException {
    Files.createDirectories(workDir);
    LogCapture logs = LogCapture.attach();
    SandboxApiServer api = SandboxApiServer.start();
    SandboxKubelet kubelet = null;
    KubernetesClient kubeletClient = null;
    LocalPostgres postgres = null;
    try {
      api.applyCrds(repo.resolve("crds"));
      kubeletClient = api.newClient(SandboxApiServer.KUBELET_USER_AGENT);
      kubelet = new SandboxKubelet(kubeletClient, images, repo.resolve("migrations-image/bin/kiki-migrate"), workDir.resolve("kubelet"));
      kubelet.start();
      postgres = LocalPostgres.fromEnvironmentOrStart(repo);
      Sandbox sandbox = new Sandbox(workDir, images, api, kubelet, kubeletClient, postgres, logs);
      sandbox.startOperator();
      return sandbox;
    } catch (IOException | RuntimeException e) {
      if (kubelet != null) {
        kubelet.close();
      }
      if (kubeletClient != null) {
        kubeletClient.close();
      }
      if (postgres != null) {
        postgres.close();
      }
      api.close();
      throw e;
    }
  }

  public KubernetesClient client() {
    return api.client();
  }

  public ImageMappings images() {
    return images;
  }

  public LocalPostgres postgres() {
    return postgres;
  }

  public String apiServerUrl() {
    return api.url();
  }

  /** The operator's requests as the API server saw them. */
  public ApiAudit operatorApiAudit() {
    return api.audit();
  }

  /** Where the operator serves /metrics, /healthz and /readyz (on every interface, as in its pod). */
  public int metricsPort() {
    return operator.metricsPort();
  }

  public String metricsUrl() {
    return "http://127.0.0.1:" + operator.metricsPort() + "/metrics";
  }

  /**
   * Starts the operator in this JVM (see {@link InProcessOperator}) with its own client (User-Agent
   * {@link SandboxApiServer#OPERATOR_USER_AGENT}).
   */
  public void startOperator() {
    operator.start();
  }

  /** Stops the operator as a crash would leave things: Jobs keep running, status stays as last written. */
  public void stopOperator() {
    operator.stop();
  }

  /** Operator, client and kubelet log lines of this JVM, then every container log. */
  public List<String> logLines() {
    List<String> lines = new ArrayList<>(logs.lines());
    try {
      for (Path log : kubelet.allPodLogs()) {
        lines.addAll(Files.readAllLines(log));
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading pod logs under " + workDir, e);
    }
    return lines;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stopOperator();
    } finally {
      kubelet.close();
      kubeletClient.close();
      api.close();
      logs.detach();
      try {
        postgres.close();
      } catch (IOException e) {
        throw new IllegalStateException("stopping PostgreSQL failed", e);
      }
    }
  }
}
