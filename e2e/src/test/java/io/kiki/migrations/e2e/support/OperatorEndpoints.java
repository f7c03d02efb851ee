package io.kiki.migrations.e2e.support;

import io.kiki.migrations.e2e.cluster.TestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The operator's /metrics, /healthz and /readyz over plain HTTP (java.net.http), as Prometheus and
 * kubelet probes see them.
 */
public final class OperatorEndpoints {

  /** One sample of the Prometheus text format: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private OperatorEndpoints(String base) {
    this.base = base;
  }

  /**
   * The endpoints of the scenario's cluster; skips the scenario where this process cannot reach
   * them.
   */
  public static OperatorEndpoints of(TestCluster cluster) {
    Optional<String> base = cluster.operatorHttpBase();
    Assumptions.assumeTrue(
        base.isPresent(),
        () -> "cluster '" + cluster.name() + "' does not expose the operator's HTTP port to tests");
    return new OperatorEndpoints(base.get());
  }

  /**
   * The endpoints of the scenario's cluster when this process can reach them (scenarios that also
   * assert other things).
   */
  public static Optional<OperatorEndpoints> ifReachable(TestCluster cluster) {
    return cluster.operatorHttpBase().map(OperatorEndpoints::new);
  }

  public HttpResponse<String> get(String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(10))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + base + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: GET " + base + path, e);
    }
  }

  /** GET /metrics (must answer 200) and parse every sample. */
  public Metrics scrape() {
    HttpResponse<String> response = get("/metrics");
    if (response.statusCode() != 200) {
      throw new AssertionError(
          "GET " + base + "/metrics answered " + response.statusCode() + ": " + response.body());
    }
    return Metrics.parse(response.body());
  }

  /** A scrape: the samples and the text they came from (for failure messages). */
  public record Metrics(List<Sample> samples, String text) {

    static Metrics parse(String text) {
      List<Sample> samples = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Matcher m = SAMPLE.matcher(line.strip());
        if (!m.matches()) {
          throw new AssertionError("not a Prometheus sample line: " + line);
        }
        Map<String, String> labels = new HashMap<>();
        if (m.group(2) != null) {
          Matcher l = LABEL.matcher(m.group(2));
          while (l.find()) {
            labels.put(
                l.group(1),
                l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
          }
        }
        samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
      }
      return new Metrics(List.copyOf(samples), text);
    }

    /** Samples of {@code name} whose labels include all of {@code labels}. */
    public List<Sample> find(String name, Map<String, String> labels) {
      return samples.stream()
          .filter(
              s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
          .toList();
    }

    /**
     * The sum over the samples of {@code name} with these labels, 0 when there are none: for
     * counters shared by all resources, compared between two scrapes.
     */
    public double sum(String name, Map<String, String> labels) {
      return find(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /**
     * The sum over the samples of {@code name} with these labels; fails naming the scrape when
     * there are none.
     */
    public double value(String name, Map<String, String> labels) {
      List<Sample> found = find(name, labels);
      if (found.isEmpty()) {
        throw new AssertionError(
            "no sample "
                + name
                + labels
                + " in /metrics; the kiki_ samples were:\n"
                + String.join("\n", text.lines().filter(l -> l.startsWith("kiki_")).toList()));
      }
      return found.stream().mapToDouble(Sample::value).sum();
    }
  }
}
