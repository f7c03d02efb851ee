package io.kiki.migrations.operator;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator with the current kubeconfig (or the in-cluster service account), configured from the
 * environment, and serves /metrics (Prometheus), /healthz and /readyz on KIKI_METRICS_PORT.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws IOException {
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    MigrationsOperator operator = new MigrationsOperator(client, config, registry);
    AtomicBoolean ready = new AtomicBoolean(false);
    HttpServer server = HttpServer.create(new InetSocketAddress(config.metricsPort()), 0);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "ok"));
    server.createContext("/metrics", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      respond(exchange, 200, registry.scrape());
    });
    server.createContext("/readyz", exchange -> respond(exchange, ready.get() ? 200 : 503, ready.get() ? "ok" : "starting"));
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ready.set(false);
      operator.close();
      client.close();
      server.stop(0);
    }, "shutdown"));
    operator.start();
    ready.set(true);
    LOG.info("kiki-migrations-operator started, watching {}",
        config.watchesAllNamespaces() ? "all namespaces" : config.watchNamespaces());
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
