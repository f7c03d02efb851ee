package io.kiki.migrations.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Every setting of the operator (environment variables of its Deployment), each declared once. */
public final class OperatorSettings {
  public static final OperatorSetting<Set<String>> WATCH_NAMESPACES =
      OperatorSetting.names(
          "KIKI_WATCH_NAMESPACES", "all", "namespaces to watch, comma-separated; empty = all");
  public static final OperatorSetting<Boolean> LEADER_ELECTION =
      OperatorSetting.flag(
          "KIKI_LEADER_ELECTION",
          false,
          "`true` to hold a Lease so that only one replica reconciles");
  public static final OperatorSetting<String> LEADER_ELECTION_NAMESPACE =
      OperatorSetting.text(
          "KIKI_LEADER_ELECTION_NAMESPACE",
          "the client's namespace",
          "namespace of the Lease (the Deployment sets the operator's own)");
  public static final OperatorSetting<String> LEADER_ELECTION_IDENTITY =
      OperatorSetting.text(
          "KIKI_LEADER_ELECTION_IDENTITY",
          "`HOSTNAME` (the Pod's name)",
          "this replica's holderIdentity in the Lease");
  public static final OperatorSetting<Duration> LEASE_DURATION =
      OperatorSetting.duration(
          "KIKI_LEADER_ELECTION_LEASE_DURATION",
          LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
          "how long a Lease not renewed stays taken: a standby takes over at most this long after the leader stopped");
  public static final OperatorSetting<Duration> RENEW_DEADLINE =
      OperatorSetting.duration(
          "KIKI_LEADER_ELECTION_RENEW_DEADLINE",
          LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
          "how long the leader tries to renew before it gives up leading and exits (below the lease duration)");
  public static final OperatorSetting<Duration> RETRY_PERIOD =
      OperatorSetting.duration(
          "KIKI_LEADER_ELECTION_RETRY_PERIOD",
          LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
          "between two attempts to acquire or renew the Lease (well below the renew deadline)");
  public static final OperatorSetting<Integer> METRICS_PORT =
      OperatorSetting.port("KIKI_METRICS_PORT", 8080, "port of `/metrics`, `/healthz`, `/readyz`");
  public static final OperatorSetting<Duration> JOB_POLL_INTERVAL =
      OperatorSetting.duration(
          "KIKI_JOB_POLL_INTERVAL",
          Duration.ofSeconds(10),
          "re-check of a running Job when no event arrives");
  public static final OperatorSetting<Duration> STEP_DELAY =
      OperatorSetting.duration(
          "KIKI_STEP_DELAY",
          Duration.ofMillis(200),
          "the pause before a follow-up reconcile (a stage run again after its Job was lost,"
              + " a re-plan, the next generation's rollout); the next stage's Job does not wait for it");
  public static final OperatorSetting<Boolean> PLAN_THEN_MIGRATE =
      OperatorSetting.flag(
          "KIKI_PLAN_THEN_MIGRATE",
          true,
          "one Job plans and upgrades (`kiki-migrate plan --then-upgrade`) when nothing gates between"
              + " plan and migrate (no backup or rehearsal, lint not Block, approval not Manual, no maintenance window): one runner start-up and one Job less;"
              + " false: a migrate Job of its own after every plan");
  public static final OperatorSetting<Duration> LOCK_RETRY_INTERVAL =
      OperatorSetting.duration(
          "KIKI_LOCK_RETRY_INTERVAL",
          Duration.ofSeconds(10),
          "re-check of a database another resource is migrating");
  public static final OperatorSetting<Duration> CONFIG_RECHECK_INTERVAL =
      OperatorSetting.duration(
          "KIKI_CONFIG_RECHECK_INTERVAL",
          Duration.ofSeconds(30),
          "re-check of a missing Secret or a malformed URL");
  public static final OperatorSetting<Duration> RETRY_INITIAL_INTERVAL =
      OperatorSetting.duration(
          "KIKI_RETRY_INITIAL_INTERVAL",
          Duration.ofSeconds(2),
          "wait before a stage's Job runs again after a transient "
              + "failure (database unreachable, lock timeout), doubled each attempt");
  public static final OperatorSetting<Duration> RETRY_MAX_INTERVAL =
      OperatorSetting.duration(
          "KIKI_RETRY_MAX_INTERVAL", Duration.ofMinutes(5), "longest such wait");
  public static final OperatorSetting<Duration> DATABASE_TIMEOUT =
      OperatorSetting.duration(
          "KIKI_DATABASE_TIMEOUT",
          Duration.ofSeconds(10),
          "connect and query timeout of the operator's own database reads and `sql` checks");
  public static final OperatorSetting<Duration> RESULT_GRACE_PERIOD =
      OperatorSetting.duration(
          "KIKI_RESULT_GRACE_PERIOD",
          Duration.ofSeconds(30),
          "how long to wait for a finished Job's pod result to appear");
  public static final OperatorSetting<Duration> SHUTDOWN_TIMEOUT =
      OperatorSetting.duration(
          "KIKI_SHUTDOWN_TIMEOUT",
          Duration.ofSeconds(20),
          "how long a stopping operator waits for reconciliations in flight (keep it below the "
              + "Pod's `terminationGracePeriodSeconds`)");

  /** All settings, in the order the README lists them. */
  public static final List<OperatorSetting<?>> ALL =
      List.of(
          WATCH_NAMESPACES,
          LEADER_ELECTION,
          LEADER_ELECTION_NAMESPACE,
          LEADER_ELECTION_IDENTITY,
          LEASE_DURATION,
          RENEW_DEADLINE,
          RETRY_PERIOD,
          METRICS_PORT,
          JOB_POLL_INTERVAL,
          STEP_DELAY,
          PLAN_THEN_MIGRATE,
          LOCK_RETRY_INTERVAL,
          CONFIG_RECHECK_INTERVAL,
          RETRY_INITIAL_INTERVAL,
          RETRY_MAX_INTERVAL,
          DATABASE_TIMEOUT,
          RESULT_GRACE_PERIOD,
          SHUTDOWN_TIMEOUT);

  private OperatorSettings() {}
}
