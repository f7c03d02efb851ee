package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.e2e.rbac.ApiAudit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole sandbox cluster on this machine: mock API server with the CRDs, the operator
 * in-process, the sandbox kubelet and a throwaway PostgreSQL server. Used by the {@code sandbox}
 * test cluster and by {@link SandboxMain}.
 *
 * <p>The operator serves /metrics, /healthz and /readyz on {@link #metricsPort()} as its {@code
 * Main} does. Operator, kubelet and the rest use separate clients (User-Agents); the mock API
 * server authorizes nothing (the operator's RBAC is proven on the {@code local} cluster).
 */
public final class Sandbox implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);
  private final Path workDir;
  private final ImageMappings images;
  private final SandboxApiServer api;
  private final SandboxKubelet kubelet;
  private LocalPostgres postgres;
  private final LogCapture logs;
  private final KubernetesClient kubeletClient;
  private final InProcessOperator operator;
  private boolean closed;

  private Sandbox(
      Path workDir,
      ImageMappings images,
      SandboxApiServer api,
      SandboxKubelet kubelet,
      KubernetesClient kubeletClient,
      LogCapture logs) {
    this.workDir = workDir;
    this.images = images;
    this.api = api;
    this.kubelet = kubelet;
    this.kubeletClient = kubeletClient;
    this.logs = logs;
    this.operator =
        new InProcessOperator(() -> api.newClient(SandboxApiServer.OPERATOR_USER_AGENT));
  }

  /**
   * Starts API server, kubelet, PostgreSQL ({@code KIKI_TEST_POSTGRES_URL} when set, else its own)
   * and the operator. PostgreSQL (initdb and server start, a process of its own) starts while this
   * JVM starts the rest: the two are the biggest parts of the start-up and need nothing of each
   * other.
   */
  public static Sandbox start(Path repo, Path workDir, ImageMappings images) throws IOException {
    Files.createDirectories(workDir);
    LogCapture logs = LogCapture.attach();
    long started = System.nanoTime();
    CompletableFuture<LocalPostgres> postgresStart =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return LocalPostgres.fromEnvironmentOrStart(repo);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    SandboxApiServer api = null;
    SandboxKubelet kubelet = null;
    KubernetesClient kubeletClient = null;
    Sandbox sandbox = null;
    try {
      api = SandboxApiServer.start();
      long apiStarted = System.nanoTime();
      api.applyCrds(repo.resolve("crds"));
      long crdsApplied = System.nanoTime();
      kubeletClient = api.newClient(SandboxApiServer.KUBELET_USER_AGENT);
      kubelet =
          new SandboxKubelet(
              kubeletClient,
              images,
              repo.resolve("migrations-image/bin/kiki-migrate"),
              workDir.resolve("kubelet"));
      kubelet.start();
      api.serveLogs(kubelet::podLog);
      long apiReady = System.nanoTime();
      sandbox = new Sandbox(workDir, images, api, kubelet, kubeletClient, logs);
      sandbox.startOperator();
      long operatorReady = System.nanoTime();
      sandbox.postgres = awaitPostgres(postgresStart);
      LOG.info(
          "sandbox started in {} ms: API server after {} ms, CRDs after {} ms, kubelet after {} ms, operator after {} ms, "
              + "PostgreSQL after {} ms (started alongside)",
          millis(started, System.nanoTime()),
          millis(started, apiStarted),
          millis(started, crdsApplied),
          millis(started, apiReady),
          millis(started, operatorReady),
          sandbox.postgres.startupMillis());
      return sandbox;
    } catch (IOException | RuntimeException e) {
      if (sandbox != null) {
        sandbox.stopOperator();
      }
      if (kubelet != null) {
        kubelet.close();
      }
      if (kubeletClient != null) {
        kubeletClient.close();
      }
      // A server that started after all must not outlive the failed start.
      postgresStart.thenAccept(Sandbox::closeQuietly);
      if (api != null) {
        api.close();
      }
      throw e;
    }
  }

  private static LocalPostgres awaitPostgres(CompletableFuture<LocalPostgres> start)
      throws IOException {
    try {
      return start.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private static void closeQuietly(LocalPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("stopping PostgreSQL after a failed start: {}", e.getMessage());
    }
  }

  private static long millis(long from, long to) {
    return (to - from) / 1_000_000;
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

  /**
   * Where the operator serves /metrics, /healthz and /readyz (on every interface, as in its pod).
   */
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

  /**
   * Stops the operator as a crash would leave things: Jobs keep running, status stays as last
   * written.
   */
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
