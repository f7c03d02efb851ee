package io.kiki.migrations.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.kiki.migrations.operator.config.DurationParser;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Operator settings, from the environment in a Deployment ({@link #fromEnvironment}) or built in tests
 * ({@link #defaults()} plus the with* methods).
 *
 * @param watchNamespaces       namespaces to watch; empty = all (KIKI_WATCH_NAMESPACES, comma separated)
 * @param metricsPort           port of /metrics, /healthz, /readyz (KIKI_METRICS_PORT)
 * @param leaderElection        hold a Lease so only one replica reconciles (KIKI_LEADER_ELECTION)
 * @param leaderElectionNamespace namespace of the Lease (KIKI_LEADER_ELECTION_NAMESPACE)
 * @param jobPollInterval       re-check of a running Job when no event arrives (KIKI_JOB_POLL_INTERVAL)
 * @param stepDelay             delay between recording an intent and acting on it (KIKI_STEP_DELAY)
 * @param lockRetryInterval     re-check of a database held by another resource (KIKI_LOCK_RETRY_INTERVAL)
 * @param configRecheckInterval re-check of a missing Secret or malformed URL (KIKI_CONFIG_RECHECK_INTERVAL)
 * @param transientRetryInitial first backoff after a transient failure (KIKI_RETRY_INITIAL_INTERVAL)
 * @param transientRetryMax     longest backoff after transient failures (KIKI_RETRY_MAX_INTERVAL)
 * @param databaseTimeout       JDBC connect/query timeout of the operator's own reads (KIKI_DATABASE_TIMEOUT)
 * @param resultGracePeriod     how long to wait for a finished Job's pod result to appear (KIKI_RESULT_GRACE_PERIOD)
 * @param shutdownTimeout       how long close() waits for reconciliations in flight (KIKI_SHUTDOWN_TIMEOUT; keep it
 *                              below the Pod's terminationGracePeriodSeconds)
 * @param leaderElectionIdentity this replica's holderIdentity in the Lease (KIKI_LEADER_ELECTION_IDENTITY); null =
 *                              JOSDK's default: the HOSTNAME environment variable (in a Pod: the Pod's name), else a
 *                              random UUID
 * @param leaseDuration         how long a Lease not renewed stays taken (KIKI_LEADER_ELECTION_LEASE_DURATION; JOSDK's
 *                              default 15s): a standby takes over at most this long after the leader stopped
 * @param renewDeadline         how long the leader keeps trying to renew before it gives up leading, and the process
 *                              exits (KIKI_LEADER_ELECTION_RENEW_DEADLINE; JOSDK's default 10s; below leaseDuration)
 * @param retryPeriod           between two attempts to acquire or renew (KIKI_LEADER_ELECTION_RETRY_PERIOD; JOSDK's
 *                              default 2s; well below renewDeadline)
 */
public record OperatorConfig(Set<String> watchNamespaces, int metricsPort, boolean leaderElection,
                             String leaderElectionNamespace, Duration jobPollInterval, Duration stepDelay,
                             Duration lockRetryInterval, Duration configRecheckInterval, Duration transientRetryInitial,
                             Duration transientRetryMax, Duration databaseTimeout, Duration resultGracePeriod,
                             Duration shutdownTimeout, String leaderElectionIdentity, Duration leaseDuration,
                             Duration renewDeadline, Duration retryPeriod) {
  public static final String LEASE_NAME = "kiki-migrations-operator";

  public static OperatorConfig defaults() {
    return new OperatorConfig(Set.of(), 8080, false, null, Duration.ofSeconds(10), Duration.ofMillis(200),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(20), null,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE);
  }

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    OperatorConfig d = defaults();
    Function<String, String> get = name -> {
      String value = env.get(name);
      return value == null || value.isBlank() ? null : value.strip();
    };
    Set<String> namespaces = get.apply("KIKI_WATCH_NAMESPACES") == null ? Set.of()
        : Arrays.stream(get.apply("KIKI_WATCH_NAMESPACES").split(",")).map(String::strip).filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    return new OperatorConfig(namespaces,
        get.apply("KIKI_METRICS_PORT") == null ? d.metricsPort() : Integer.parseInt(get.apply("KIKI_METRICS_PORT")),
        Boolean.parseBoolean(get.apply("KIKI_LEADER_ELECTION")),
        get.apply("KIKI_LEADER_ELECTION_NAMESPACE"),
        duration(get.apply("KIKI_JOB_POLL_INTERVAL"), d.jobPollInterval()),
        duration(get.apply("KIKI_STEP_DELAY"), d.stepDelay()),
        duration(get.apply("KIKI_LOCK_RETRY_INTERVAL"), d.lockRetryInterval()),
        duration(get.apply("KIKI_CONFIG_RECHECK_INTERVAL"), d.configRecheckInterval()),
        duration(get.apply("KIKI_RETRY_INITIAL_INTERVAL"), d.transientRetryInitial()),
        duration(get.apply("KIKI_RETRY_MAX_INTERVAL"), d.transientRetryMax()),
        duration(get.apply("KIKI_DATABASE_TIMEOUT"), d.databaseTimeout()),
        duration(get.apply("KIKI_RESULT_GRACE_PERIOD"), d.resultGracePeriod()),
        duration(get.apply("KIKI_SHUTDOWN_TIMEOUT"), d.shutdownTimeout()),
        get.apply("KIKI_LEADER_ELECTION_IDENTITY"),
        duration(get.apply("KIKI_LEADER_ELECTION_LEASE_DURATION"), d.leaseDuration()),
        duration(get.apply("KIKI_LEADER_ELECTION_RENEW_DEADLINE"), d.renewDeadline()),
        duration(get.apply("KIKI_LEADER_ELECTION_RETRY_PERIOD"), d.retryPeriod()));
  }

  /** Short delays for tests and the sandbox, so rollouts take seconds. */
  public OperatorConfig fast() {
    return new OperatorConfig(watchNamespaces, metricsPort, leaderElection, leaderElectionNamespace,
        Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), shutdownTimeout,
        leaderElectionIdentity, leaseDuration, renewDeadline, retryPeriod);
  }

  public OperatorConfig withWatchNamespaces(Set<String> namespaces) {
    return new OperatorConfig(Set.copyOf(namespaces), metricsPort, leaderElection, leaderElectionNamespace,
        jobPollInterval, stepDelay, lockRetryInterval, configRecheckInterval, transientRetryInitial, transientRetryMax,
        databaseTimeout, resultGracePeriod, shutdownTimeout, leaderElectionIdentity, leaseDuration, renewDeadline,
        retryPeriod);
  }

  public OperatorConfig withLeaderElection(boolean enabled, String namespace) {
    return new OperatorConfig(watchNamespaces, metricsPort, enabled, namespace, jobPollInterval, stepDelay,
        lockRetryInterval, configRecheckInterval, transientRetryInitial, transientRetryMax, databaseTimeout,
        resultGracePeriod, shutdownTimeout, leaderElectionIdentity, leaseDuration, renewDeadline, retryPeriod);
  }

  /** This replica's holderIdentity in the Lease; null = JOSDK's default (HOSTNAME, else a random UUID). */
  public OperatorConfig withLeaderElectionIdentity(String identity) {
    return new OperatorConfig(watchNamespaces, metricsPort, leaderElection, leaderElectionNamespace, jobPollInterval,
        stepDelay, lockRetryInterval, configRecheckInterval, transientRetryInitial, transientRetryMax, databaseTimeout,
        resultGracePeriod, shutdownTimeout, identity, leaseDuration, renewDeadline, retryPeriod);
  }

  /** Lease timing (leaseDuration > renewDeadline > retryPeriod); short ones let tests see a takeover in seconds. */
  public OperatorConfig withLeaseTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    return new OperatorConfig(watchNamespaces, metricsPort, leaderElection, leaderElectionNamespace, jobPollInterval,
        stepDelay, lockRetryInterval, configRecheckInterval, transientRetryInitial, transientRetryMax, databaseTimeout,
        resultGracePeriod, shutdownTimeout, leaderElectionIdentity, leaseDuration, renewDeadline, retryPeriod);
  }

  public boolean watchesAllNamespaces() {
    return watchNamespaces.isEmpty();
  }

  private static Duration duration(String text, Duration fallback) {
    return text == null ? fallback : DurationParser.parse(text);
  }
}
