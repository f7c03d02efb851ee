package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.operator.MigrationsOperator;
import io.kiki.migrations.operator.OperatorConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole sandbox cluster on this machine: mock API server with the CRDs, the operator in-process, the
 * sandbox kubelet and a throwaway PostgreSQL server. Used by the {@code sandbox} test cluster and by
 * {@link SandboxMain}.
 */
public final class Sandbox implements AutoCloseable {

  private final Path workDir;
  private final ImageMappings images;
  private final SandboxApiServer api;
  private final SandboxKubelet kubelet;
  private final LocalPostgres postgres;
  private final LogCapture logs;
  private KubernetesClient operatorClient;
  private MigrationsOperator operator;
  private boolean closed;

  private Sandbox(Path workDir, ImageMappings images, SandboxApiServer api, SandboxKubelet kubelet,
      LocalPostgres postgres, LogCapture logs) {
    this.workDir = workDir;
    this.images = images;
    this.api = api;
    this.kubelet = kubelet;
    this.postgres = postgres;
    this.logs = logs;
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
    LocalPostgres postgres = null;
    try {
      api.applyCrds(repo.resolve("crds"));
      kubelet = new SandboxKubelet(api.client(), images, repo.resolve("migrations-image/bin/kiki-migrate"), workDir.resolve("kubelet"));
      kubelet.start();
      postgres = LocalPostgres.fromEnvironmentOrStart(repo);
      Sandbox sandbox = new Sandbox(workDir, images, api, kubelet, postgres, logs);
      sandbox.startOperator();
      return sandbox;
    } catch (IOException | RuntimeException e) {
      if (kubelet != null) {
        kubelet.close();
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

  /** Starts the operator in this JVM with its own client (short intervals, metrics on a free port). */
  public synchronized void startOperator() throws IOException {
    if (operator != null) {
      return;
    }
    operatorClient = api.newClient();
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("KIKI_METRICS_PORT", String.valueOf(freePort()))).fast();
    operator = new MigrationsOperator(operatorClient, config);
    operator.start();
  }

  /** Stops the operator as a crash would leave things: Jobs keep running, status stays as last written. */
  public synchronized void stopOperator() {
    if (operator == null) {
      return;
    }
    try {
      operator.close();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the operator failed", e);
    } finally {
      operator = null;
      operatorClient.close();
      operatorClient = null;
    }
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
      api.close();
      logs.detach();
      try {
        postgres.close();
      } catch (IOException e) {
        throw new IllegalStateException("stopping PostgreSQL failed", e);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
