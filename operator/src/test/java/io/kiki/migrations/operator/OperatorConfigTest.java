package io.kiki.migrations.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

  @Test
  void environmentOfTheDeployment() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("KIKI_WATCH_NAMESPACES", " kiki, payments ,",
        "KIKI_LEADER_ELECTION", "true", "KIKI_LEADER_ELECTION_NAMESPACE", "kiki-system", "KIKI_METRICS_PORT", "9090",
        "KIKI_JOB_POLL_INTERVAL", "5s", "KIKI_SHUTDOWN_TIMEOUT", "25s"));
    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("kiki", "payments");
    assertThat(config.watchesAllNamespaces()).isFalse();
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaderElectionNamespace()).isEqualTo("kiki-system");
    assertThat(config.metricsPort()).isEqualTo(9090);
    assertThat(config.jobPollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(25));
  }

  @Test
  void emptyEnvironmentWatchesAllNamespacesWithDefaults() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("KIKI_WATCH_NAMESPACES", ""));
    assertThat(config.watchesAllNamespaces()).isTrue();
    assertThat(config.leaderElection()).isFalse();
    assertThat(config).isEqualTo(OperatorConfig.defaults());
  }
}
