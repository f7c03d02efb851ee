package io.kiki.migrations.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kiki.migrations.operator.metrics.HttpEndpoints;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator with the current kubeconfig (or the in-cluster service account), configured
 * from the environment, and serves /metrics (Prometheus), /healthz and /readyz on
 * KIKI_METRICS_PORT.
 */
public final class Main {
  /**
   * The program's logging configuration, a class-path resource not named logback.xml so that
   * embedders of the operator jar keep their own; {@code -Dlogback.configurationFile} overrides it.
   */
  static final String LOGGING_CONFIG = "io/kiki/migrations/operator/operator-logback.xml";

  static {
    // Before the first logger below: logback reads the property when it initialises.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGGING_CONFIG);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws IOException {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      LOG.error("Not starting: {}", e.getMessage());
      System.exit(2);
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    MigrationsOperator operator = new MigrationsOperator(client, config, registry);
    AtomicBoolean ready = new AtomicBoolean(false);
    HttpEndpoints endpoints = HttpEndpoints.start(config.metricsPort(), registry, ready::get);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  ready.set(false);
                  // Waits (up to KIKI_SHUTDOWN_TIMEOUT) for reconciliations in flight, which still
                  // need the client.
                  operator.close();
                  client.close();
                  endpoints.close();
                },
                "shutdown"));
    long configured = ManagementFactory.getRuntimeMXBean().getUptime();
    operator.start();
    ready.set(true);
    LOG.info(
        "kiki-migrations-operator started, watching {} (ready {} ms after the JVM started; the"
            + " informers' sync took the last {} ms)",
        config.watchesAllNamespaces() ? "all namespaces" : config.watchNamespaces(),
        ManagementFactory.getRuntimeMXBean().getUptime(),
        ManagementFactory.getRuntimeMXBean().getUptime() - configured);
  }
}
