package io.kiki.migrations.operator;

import static io.kiki.migrations.operator.config.OperatorSettings.CONFIG_RECHECK_INTERVAL;
import static io.kiki.migrations.operator.config.OperatorSettings.DATABASE_TIMEOUT;
import static io.kiki.migrations.operator.config.OperatorSettings.JOB_POLL_INTERVAL;
import static io.kiki.migrations.operator.config.OperatorSettings.LEADER_ELECTION;
import static io.kiki.migrations.operator.config.OperatorSettings.LEADER_ELECTION_IDENTITY;
import static io.kiki.migrations.operator.config.OperatorSettings.LEADER_ELECTION_NAMESPACE;
import static io.kiki.migrations.operator.config.OperatorSettings.LEASE_DURATION;
import static io.kiki.migrations.operator.config.OperatorSettings.LOCK_RETRY_INTERVAL;
import static io.kiki.migrations.operator.config.OperatorSettings.METRICS_PORT;
import static io.kiki.migrations.operator.config.OperatorSettings.RENEW_DEADLINE;
import static io.kiki.migrations.operator.config.OperatorSettings.RESULT_GRACE_PERIOD;
import static io.kiki.migrations.operator.config.OperatorSettings.RETRY_INITIAL_INTERVAL;
import static io.kiki.migrations.operator.config.OperatorSettings.RETRY_MAX_INTERVAL;
import static io.kiki.migrations.operator.config.OperatorSettings.RETRY_PERIOD;
import static io.kiki.migrations.operator.config.OperatorSettings.SHUTDOWN_TIMEOUT;
import static io.kiki.migrations.operator.config.OperatorSettings.STEP_DELAY;
import static io.kiki.migrations.operator.config.OperatorSettings.WATCH_NAMESPACES;

import io.kiki.migrations.operator.config.OperatorSetting;
import io.kiki.migrations.operator.config.OperatorSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The operator's settings ({@link OperatorSettings} declares each: variable, default, meaning),
 * from the environment in a Deployment ({@link #fromEnvironment}) or built in tests ({@link
 * #defaults()} plus {@link #with}).
 */
public final class OperatorConfig {
  public static final String LEASE_NAME = "kiki-migrations-operator";

  private final Map<OperatorSetting<?>, Object> values;

  private OperatorConfig(Map<OperatorSetting<?>, Object> values) {
    this.values = values;
  }

  public static OperatorConfig defaults() {
    Map<OperatorSetting<?>, Object> values = new HashMap<>();
    OperatorSettings.ALL.forEach(setting -> values.put(setting, setting.defaultValue()));
    return new OperatorConfig(values);
  }

  /**
   * The settings in {@code env}; an unset or blank variable keeps its default. Every bad value is
   * named in one error, with the form it must have.
   */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    Map<OperatorSetting<?>, Object> values = new HashMap<>(defaults().values);
    List<String> errors = new ArrayList<>();
    for (OperatorSetting<?> setting : OperatorSettings.ALL) {
      String text = env.get(setting.name());
      if (text != null && !text.isBlank()) {
        try {
          values.put(setting, setting.parse(text.strip()));
        } catch (IllegalArgumentException e) {
          errors.add(e.getMessage());
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", errors));
    }
    return new OperatorConfig(values);
  }

  public <T> T get(OperatorSetting<T> setting) {
    @SuppressWarnings("unchecked")
    T value = (T) values.get(setting);
    return value;
  }

  /** These settings with {@code setting} set to {@code value}. */
  public <T> OperatorConfig with(OperatorSetting<T> setting, T value) {
    Map<OperatorSetting<?>, Object> changed = new HashMap<>(values);
    changed.put(setting, value);
    return new OperatorConfig(changed);
  }

  /** Short delays for tests and the sandbox, so rollouts take seconds. */
  public OperatorConfig fast() {
    return with(JOB_POLL_INTERVAL, Duration.ofMillis(500))
        .with(STEP_DELAY, Duration.ofMillis(50))
        .with(LOCK_RETRY_INTERVAL, Duration.ofMillis(500))
        .with(CONFIG_RECHECK_INTERVAL, Duration.ofSeconds(1))
        .with(RETRY_INITIAL_INTERVAL, Duration.ofMillis(200))
        .with(RETRY_MAX_INTERVAL, Duration.ofSeconds(2))
        .with(DATABASE_TIMEOUT, Duration.ofSeconds(5))
        .with(RESULT_GRACE_PERIOD, Duration.ofSeconds(10));
  }

  public Set<String> watchNamespaces() {
    return get(WATCH_NAMESPACES);
  }

  public boolean watchesAllNamespaces() {
    return watchNamespaces().isEmpty();
  }

  public int metricsPort() {
    return get(METRICS_PORT);
  }

  public boolean leaderElection() {
    return get(LEADER_ELECTION);
  }

  public String leaderElectionNamespace() {
    return get(LEADER_ELECTION_NAMESPACE);
  }

  public String leaderElectionIdentity() {
    return get(LEADER_ELECTION_IDENTITY);
  }

  public Duration leaseDuration() {
    return get(LEASE_DURATION);
  }

  public Duration renewDeadline() {
    return get(RENEW_DEADLINE);
  }

  public Duration retryPeriod() {
    return get(RETRY_PERIOD);
  }

  public Duration jobPollInterval() {
    return get(JOB_POLL_INTERVAL);
  }

  public boolean planThenMigrate() {
    return get(OperatorSettings.PLAN_THEN_MIGRATE);
  }

  public Duration stepDelay() {
    return get(STEP_DELAY);
  }

  public Duration lockRetryInterval() {
    return get(LOCK_RETRY_INTERVAL);
  }

  public Duration configRecheckInterval() {
    return get(CONFIG_RECHECK_INTERVAL);
  }

  public Duration transientRetryInitial() {
    return get(RETRY_INITIAL_INTERVAL);
  }

  public Duration transientRetryMax() {
    return get(RETRY_MAX_INTERVAL);
  }

  public Duration databaseTimeout() {
    return get(DATABASE_TIMEOUT);
  }

  public Duration resultGracePeriod() {
    return get(RESULT_GRACE_PERIOD);
  }

  public Duration shutdownTimeout() {
    return get(SHUTDOWN_TIMEOUT);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof OperatorConfig config && values.equals(config.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("OperatorConfig{");
    OperatorSettings.ALL.forEach(
        s -> text.append(s.name()).append('=').append(values.get(s)).append(' '));
    return text.toString().strip() + "}";
  }
}
