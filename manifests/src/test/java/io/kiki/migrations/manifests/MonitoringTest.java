package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * manifests/monitoring: the ServiceMonitor scrapes the base's metrics Service; the alerts use the
 * operator's metrics.
 */
class MonitoringTest {

  /**
   * The metric names the operator exposes (Micrometer -> Prometheus); the alerts may use only
   * these.
   */
  static final Set<String> OPERATOR_METRICS =
      Set.of(
          "kiki_migrations_rollouts_total",
          "kiki_migrations_stage_duration_seconds_count",
          "kiki_migrations_stage_duration_seconds_sum",
          "kiki_migrations_stage_duration_seconds_max",
          "kiki_migrations_rollbacks_total",
          "kiki_migrations_health_check_failures_total",
          "kiki_migrations_backup_size_bytes_count",
          "kiki_migrations_backup_size_bytes_sum",
          "kiki_migrations_backup_size_bytes_max",
          "kiki_migrations_phase",
          "kiki_migrations_rollout_started_timestamp_seconds",
          "kiki_migrations_drifts_total",
          "kiki_migrations_next_window_timestamp_seconds",
          "kiki_migrations_windows_waited");

  private static final Pattern KIKI_METRIC = Pattern.compile("\\bkiki_migrations_[a-z_]+");

  private final Install monitoring = Kustomize.build(Paths.MANIFESTS.resolve("monitoring"));

  @TempDir Path work;

  @Test
  void serviceMonitorScrapesTheOperatorsMetricsService() {
    Service service =
        Installs.build(Installs.BASE).get(Service.class, "kiki-migrations-operator-metrics");
    GenericKubernetesResource serviceMonitor = only("ServiceMonitor");
    assertThat(serviceMonitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(serviceMonitor.getMetadata().getNamespace())
        .isEqualTo(service.getMetadata().getNamespace());

    Map<String, Object> spec = map(serviceMonitor.getAdditionalProperties().get("spec"));
    Map<String, Object> selector = map(spec.get("selector"));
    assertThat(new java.util.HashMap<String, Object>(service.getMetadata().getLabels()))
        .containsAllEntriesOf(map(selector.get("matchLabels")));

    List<Object> endpoints = list(spec.get("endpoints"));
    assertThat(endpoints).hasSize(1);
    Map<String, Object> endpoint = map(endpoints.get(0));
    assertThat(service.getSpec().getPorts())
        .anySatisfy(port -> assertThat(port.getName()).isEqualTo(endpoint.get("port")));
    assertThat(endpoint)
        .containsEntry("path", "/metrics")
        .as("keep the DatabaseMigration's namespace label instead of the operator pod's")
        .containsEntry("honorLabels", true);
  }

  @Test
  void alertsOnFailedRolledBackBlockedAndStuckRolloutsAndADownOperator() {
    List<Map<String, Object>> alerts = alerts();
    assertThat(alerts)
        .extracting(alert -> alert.get("alert"))
        .containsExactlyInAnyOrder(
            "KikiMigrationFailed",
            "KikiMigrationRolledBack",
            "KikiMigrationBlocked",
            "KikiMigrationStuck",
            "KikiMigrationDrifted",
            "KikiMigrationDriftReconciled",
            "KikiMigrationMissedMaintenanceWindows",
            "KikiMigrationsOperatorDown");
    for (Map<String, Object> alert : alerts) {
      assertThat(alert).as(alert.get("alert") + " has a `for`").containsKey("for");
      assertThat(map(alert.get("labels")))
          .as(alert.get("alert") + " labels")
          .containsKey("severity");
      assertThat(map(alert.get("annotations")))
          .as(alert.get("alert") + " annotations")
          .containsKeys("summary", "description");
    }
  }

  @Test
  void alertsUseOnlyMetricsTheOperatorExposes() {
    for (Map<String, Object> alert : alerts()) {
      String expression = (String) alert.get("expr");
      Matcher matcher = KIKI_METRIC.matcher(expression);
      List<String> used = new ArrayList<>();
      while (matcher.find()) {
        used.add(matcher.group());
      }
      if ("KikiMigrationsOperatorDown".equals(alert.get("alert"))) {
        assertThat(expression).contains("up{job=\"kiki-migrations-operator-metrics\"}");
      } else {
        assertThat(used).as(alert.get("alert") + " uses a kiki metric").isNotEmpty();
      }
      assertThat(OPERATOR_METRICS).as("metrics of " + alert.get("alert")).containsAll(used);
    }
  }

  @Test
  void rulesPassPromtoolCheckAndTheirUnitTests() throws Exception {
    String promtool = Executables.onPath("promtool").orElse(null);
    assumeTrue(
        promtool != null,
        "promtool is not installed (Debian: apt-get install prometheus); "
            + "the rules' PromQL syntax and alert unit tests are not checked in this run");
    Path rules = work.resolve("rules.yaml");
    Files.writeString(
        rules, Serialization.asYaml(only("PrometheusRule").getAdditionalProperties().get("spec")));
    Path tests = work.resolve("alerts-test.yaml");
    Files.copy(Paths.MANIFESTS.resolve("src/test/resources/monitoring/alerts-test.yaml"), tests);

    assertThat(run(promtool, "check", "rules", rules.toString())).isEmpty();
    assertThat(run(promtool, "test", "rules", tests.toString())).isEmpty();
  }

  /**
   * Runs a command in the work directory; returns "" on success, else its output as the failure
   * text.
   */
  private String run(String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return process.exitValue() == 0 ? "" : String.join(" ", command) + " failed:\n" + output;
  }

  private List<Map<String, Object>> alerts() {
    GenericKubernetesResource rule = only("PrometheusRule");
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (Object group : list(map(rule.getAdditionalProperties().get("spec")).get("groups"))) {
      for (Object entry : list(map(group).get("rules"))) {
        alerts.add(map(entry));
      }
    }
    return alerts;
  }

  private GenericKubernetesResource only(String kind) {
    List<GenericKubernetesResource> found = monitoring.all(kind);
    assertThat(found).as(kind + " in manifests/monitoring").hasSize(1);
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<Object>) value;
  }
}
