package io.kiki.migrations.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiki.migrations.operator.config.OperatorSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

  @Test
  void environmentOfTheDeployment() {
    OperatorConfig config =
        OperatorConfig.fromEnvironment(
            Map.of(
                "KIKI_WATCH_NAMESPACES",
                " kiki, payments ,",
                "KIKI_LEADER_ELECTION",
                "true",
                "KIKI_LEADER_ELECTION_NAMESPACE",
                "kiki-system",
                "KIKI_METRICS_PORT",
                "9090",
                "KIKI_JOB_POLL_INTERVAL",
                "5s",
                "KIKI_SHUTDOWN_TIMEOUT",
                "25s"));
    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("kiki", "payments");
    assertThat(config.watchesAllNamespaces()).isFalse();
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaderElectionNamespace()).isEqualTo("kiki-system");
    assertThat(config.metricsPort()).isEqualTo(9090);
    assertThat(config.jobPollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(25));
  }

  @Test
  void leaderElectionIdentityAndLeaseTiming() {
    OperatorConfig config =
        OperatorConfig.fromEnvironment(
            Map.of(
                "KIKI_LEADER_ELECTION",
                "true",
                "KIKI_LEADER_ELECTION_IDENTITY",
                "kiki-operator-7d9f-abcde",
                "KIKI_LEADER_ELECTION_LEASE_DURATION",
                "30s",
                "KIKI_LEADER_ELECTION_RENEW_DEADLINE",
                "20s",
                "KIKI_LEADER_ELECTION_RETRY_PERIOD",
                "3s"));
    assertThat(config.leaderElectionIdentity()).isEqualTo("kiki-operator-7d9f-abcde");
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.renewDeadline()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.retryPeriod()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void leaderElectionDefaultsAreJosdks() {
    OperatorConfig config = OperatorConfig.defaults();
    assertThat(config.leaderElectionIdentity())
        .as("JOSDK then uses HOSTNAME, the Pod's name")
        .isNull();
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void emptyEnvironmentWatchesAllNamespacesWithDefaults() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("KIKI_WATCH_NAMESPACES", ""));
    assertThat(config.watchesAllNamespaces()).isTrue();
    assertThat(config.leaderElection()).isFalse();
    assertThat(config).isEqualTo(OperatorConfig.defaults());
  }

  @Test
  void aBadValueNamesTheVariableAndTheFormItMustHave() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("KIKI_METRICS_PORT", "80a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "KIKI_METRICS_PORT=\"80a\" is not valid: expected a port number from 1 to 65535 (unset, it is 8080)");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("KIKI_METRICS_PORT", "70000")))
        .hasMessageStartingWith("KIKI_METRICS_PORT=\"70000\" is not valid");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("KIKI_LEADER_ELECTION", "yes")))
        .hasMessage(
            "KIKI_LEADER_ELECTION=\"yes\" is not valid: expected true or false (unset, it is false)");
  }

  @Test
  void everyBadValueIsNamedInOneError() {
    assertThatThrownBy(
            () ->
                OperatorConfig.fromEnvironment(
                    Map.of("KIKI_STEP_DELAY", "200", "KIKI_METRICS_PORT", "x")))
        .hasMessageContaining("KIKI_METRICS_PORT=\"x\" is not valid")
        .hasMessageContaining(
            "KIKI_STEP_DELAY=\"200\" is not valid: expected a duration such as 500ms, 10s, 2m or 1h30m "
                + "(unset, it is 200ms)");
  }

  @Test
  void testsChangeOneSettingOfTheDefaults() {
    OperatorConfig config = OperatorConfig.defaults().with(OperatorSettings.METRICS_PORT, 9191);
    assertThat(config.metricsPort()).isEqualTo(9191);
    assertThat(config.with(OperatorSettings.METRICS_PORT, 8080))
        .isEqualTo(OperatorConfig.defaults());
  }
}
