package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.operator.MigrationsOperator;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.config.OperatorSettings;
import io.kiki.migrations.operator.metrics.HttpEndpoints;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.function.Supplier;

/**
 * The operator in this JVM, started as its {@code Main} does: its own client (from {@code clients},
 * one per start, closed at stop), short intervals, a fresh Prometheus registry per start (a
 * restarted operator starts from zero, as a new pod would) and /metrics, /healthz and /readyz on
 * {@link #metricsPort()}.
 */
public final class InProcessOperator implements AutoCloseable {

  private final Supplier<KubernetesClient> clients;
  private final int metricsPort;
  private KubernetesClient client;
  private MigrationsOperator operator;
  private HttpEndpoints endpoints;
  private volatile boolean ready;

  public InProcessOperator(Supplier<KubernetesClient> clients) {
    this.clients = clients;
    this.metricsPort = freePort();
  }

  /**
   * What a newcomer should know of the timings this operator runs with ({@link
   * OperatorConfig#fast()}, so that rollouts take seconds): transient retries come sooner than the
   * runbook's production schedule.
   */
  public static String timingsNote() {
    OperatorConfig production = OperatorConfig.defaults();
    OperatorConfig fast = production.fast();
    return "the operator runs with short test timings: a Job that cannot reach the database is retried after "
        + DurationParser.format(fast.transientRetryInitial())
        + ", doubling up to "
        + DurationParser.format(fast.transientRetryMax())
        + " (production: "
        + DurationParser.format(production.transientRetryInitial())
        + ", doubling up to "
        + DurationParser.format(production.transientRetryMax())
        + ", set by "
        + OperatorSettings.RETRY_INITIAL_INTERVAL.name()
        + " and "
        + OperatorSettings.RETRY_MAX_INTERVAL.name()
        + ")";
  }

  public int metricsPort() {
    return metricsPort;
  }

  public synchronized void start() {
    if (operator != null) {
      return;
    }
    client = clients.get();
    OperatorConfig config =
        OperatorConfig.defaults().with(OperatorSettings.METRICS_PORT, metricsPort).fast();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ready = false;
    try {
      endpoints = HttpEndpoints.start(config.metricsPort(), registry, () -> ready);
      operator = new MigrationsOperator(client, config, registry);
      operator.start();
      ready = true;
    } catch (IOException e) {
      release();
      throw new UncheckedIOException("starting the operator's HTTP endpoints", e);
    } catch (RuntimeException e) {
      release();
      throw e;
    }
  }

  /**
   * Stops the operator as a crash would leave things: Jobs keep running, status stays as last
   * written.
   */
  public synchronized void stop() {
    if (operator == null) {
      return;
    }
    ready = false;
    try {
      operator.close();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the operator failed", e);
    } finally {
      release();
    }
  }

  private void release() {
    operator = null;
    if (endpoints != null) {
      endpoints.close();
      endpoints = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("finding a free port", e);
    }
  }
}
