package io.kiki.migrations.benchmarks;

import io.kiki.migrations.e2e.sandbox.SandboxApiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator's {@code Main} started as a process of its own (as in its pod) against a mock API
 * server holding the CRD: from the process start to /readyz answering 200. Baseline: a JVM that
 * starts and exits doing nothing.
 */
final class OperatorStartToReadyz implements Figure {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @Override
  public String name() {
    return "readyz";
  }

  @Override
  public String title() {
    return "operator process start -> /readyz 200 (mock API server with the CRD)";
  }

  @Override
  public String goal() {
    return "<= 3 s";
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    Samples ready = new Samples();
    Samples jvm = new Samples();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    Path log = bench.workDir().resolve("operator.log");
    try (SandboxApiServer api = SandboxApiServer.start()) {
      api.applyCrds(bench.repo().resolve("crds"));
      for (int run = 0; run < bench.runs(); run++) {
        jvm.add(
            Processes.timed(
                    Processes.java(List.of(), JvmBaseline.class.getName()), java.util.Map.of(), log)
                .wallSeconds());
        int port = freePort();
        ProcessBuilder pb =
            new ProcessBuilder(Processes.java(List.of(), "io.kiki.migrations.operator.Main"));
        pb.environment().put("KUBERNETES_MASTER", api.url());
        pb.environment().put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        pb.environment().put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        pb.environment().put("KUBERNETES_NAMESPACE", "default");
        pb.environment().put("KIKI_METRICS_PORT", String.valueOf(port));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long start = System.nanoTime();
        Process operator = pb.start();
        try {
          ready.addNanos(awaitReady(http, port, operator, start) - start);
        } finally {
          operator.destroy();
          if (!operator.waitFor(30, TimeUnit.SECONDS)) {
            operator.destroyForcibly().waitFor();
          }
        }
      }
    }
    return List.of(
        new Line("operator start -> /readyz 200", ready, "JVM start and exit (empty main)", jvm));
  }

  private static long awaitReady(HttpClient http, int port, Process operator, long start)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
            .timeout(Duration.ofSeconds(1))
            .build();
    while (System.nanoTime() - start < TIMEOUT.toNanos()) {
      if (!operator.isAlive()) {
        throw new IOException(
            "the operator exited (" + operator.exitValue() + ") before /readyz answered 200");
      }
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime();
        }
      } catch (IOException notListeningYet) {
        // the endpoints are not up yet
      }
      Thread.sleep(10);
    }
    throw new IOException("/readyz did not answer 200 within " + TIMEOUT);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
