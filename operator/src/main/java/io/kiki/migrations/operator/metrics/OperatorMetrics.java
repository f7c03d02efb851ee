package io.kiki.migrations.operator.metrics;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.DriftPolicy;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's own metrics (Prometheus names in brackets). Per resource (labels namespace and
 * name) only what an alert has to name a resource for: its phase (kiki_migrations_phase, one
 * series, the current phase) and, while a rollout runs, its start
 * (kiki_migrations_rollout_started_timestamp_seconds). Everything else is by stage, outcome, reason
 * or check, never by resource, so the scrape grows by one series per resource (about 80 bytes):
 * rollouts by outcome (kiki_migrations_rollouts_total), stage durations
 * (kiki_migrations_stage_duration_seconds), rollbacks (kiki_migrations_rollbacks_total),
 * health-check failures (kiki_migrations_health_check_failures_total) and backup sizes
 * (kiki_migrations_backup_size_bytes). While a rollout waits for spec.maintenanceWindow, two more
 * series name it: the next window's opening (kiki_migrations_next_window_timestamp_seconds) and the
 * windows it let pass (kiki_migrations_windows_waited). The current revision of each database is in
 * its status ({@code kubectl get dbm}, column Current).
 */
public class OperatorMetrics {
  private record Key(String namespace, String name) {}

  private record PhaseSeries(Phase phase, Meter gauge) {}

  private record Series(AtomicLong value, Meter gauge) {}

  private final MeterRegistry registry;
  private final Map<Key, PhaseSeries> phases = new ConcurrentHashMap<>();
  private final Map<Key, Series> rolloutStarts = new ConcurrentHashMap<>();
  private final Map<Key, Series> nextWindows = new ConcurrentHashMap<>();
  private final Map<Key, Series> windowsWaited = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    // At 0 from the start, so an alert on increase() counts the first drift too.
    for (DriftPolicy policy : DriftPolicy.values()) {
      drifts(policy);
    }
  }

  /** Metrics that go nowhere, for an operator embedded without a registry. */
  public static OperatorMetrics discarding() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  public void rolloutFinished(DatabaseMigration resource, Phase outcome, String reason) {
    Counter.builder("kiki.migrations.rollouts")
        .description("Finished rollouts by outcome and reason")
        .tag("outcome", outcome.name())
        .tag("reason", Objects.toString(reason, ""))
        .register(registry)
        .increment();
  }

  public void stageFinished(
      DatabaseMigration resource, RolloutStage stage, String outcome, Duration duration) {
    Timer.builder("kiki.migrations.stage.duration")
        .description("Duration of rollout stages")
        .tag("stage", stage.name())
        .tag("outcome", outcome)
        .register(registry)
        .record(duration.isNegative() ? Duration.ZERO : duration);
  }

  /**
   * A rollback stage started: {@code method} is Downgrade (alembic downgrade) or Restore
   * (pg_restore of the backup).
   */
  public void rollbackStarted(DatabaseMigration resource, RolloutStage stage, String reason) {
    String method = stage == RolloutStage.Restore ? "Restore" : "Downgrade";
    Counter.builder("kiki.migrations.rollbacks")
        .description("Rollbacks started, by method (Downgrade, Restore)")
        .tag("method", method)
        .tag("reason", Objects.toString(reason, ""))
        .register(registry)
        .increment();
  }

  /**
   * A database found away from its target without a rollout (once per change, not per read), by
   * spec.driftPolicy. A count, not a series per resource: which resources are drifted is in the
   * phase gauge (phase Drifted while reported) and in their status.
   */
  public void driftDetected(DriftPolicy policy) {
    drifts(policy).increment();
  }

  private Counter drifts(DriftPolicy policy) {
    return Counter.builder("kiki.migrations.drifts")
        .description("Databases found at another revision than their target without a rollout")
        .tag("policy", policy.name())
        .register(registry);
  }

  public void healthCheckFailed(DatabaseMigration resource, String check) {
    Counter.builder("kiki.migrations.health.check.failures")
        .description("Failed verify checks")
        .tag("check", check)
        .register(registry)
        .increment();
  }

  public void backupTaken(DatabaseMigration resource, long sizeBytes) {
    DistributionSummary.builder("kiki.migrations.backup.size")
        .baseUnit("bytes")
        .description("Sizes of the backups taken")
        .register(registry)
        .record(sizeBytes);
  }

  /**
   * Phase and active rollout of a resource after a reconcile. A scrape never sees a rollout start
   * next to a phase outside a rollout: the start goes before the phase leaves the rollout, and
   * comes after the phase entered it.
   */
  public void observe(DatabaseMigration resource, DatabaseMigrationStatus status) {
    if (status == null || status.getPhase() == null) {
      return;
    }
    Key key = key(resource);
    boolean active =
        status.getPhase().isRolloutActive()
            && status.getRollout() != null
            && status.getRollout().getStartedAt() != null;
    if (!active) {
      Series finished = rolloutStarts.remove(key);
      if (finished != null) {
        registry.remove(finished.gauge());
      }
    }
    phases.compute(
        key,
        (k, old) -> {
          if (old != null && old.phase() == status.getPhase()) {
            return old;
          }
          // The new phase first: a scrape between the two sees both phases for an instant, never
          // none (a resource without a phase would look deleted).
          Meter gauge =
              Gauge.builder("kiki.migrations.phase", () -> 1)
                  .description("1 for the resource's current phase")
                  .tags(tags(resource))
                  .tag("phase", status.getPhase().name())
                  .register(registry);
          if (old != null) {
            registry.remove(old.gauge());
          }
          return new PhaseSeries(status.getPhase(), gauge);
        });
    String nextWindow = status.getNextWindow();
    perResource(
        nextWindows,
        key,
        resource,
        "kiki.migrations.next.window.timestamp",
        "seconds",
        "When the next maintenance window opens for the resource's waiting rollout (Unix time)",
        nextWindow == null ? null : Instant.parse(nextWindow).getEpochSecond());
    Integer waited =
        nextWindow == null || status.getRollout() == null
            ? null
            : status.getRollout().getWindowsWaited();
    perResource(
        windowsWaited,
        key,
        resource,
        "kiki.migrations.windows.waited",
        null,
        "Maintenance windows that opened and closed while the resource's rollout waited for one",
        nextWindow == null ? null : (long) (waited == null ? 0 : waited));
    if (active) {
      // A rollout that held (suspend, window) counts from when it went on, so the stuck alert
      // measures work, not waiting.
      Instant started = Instant.parse(status.getRollout().getStartedAt());
      if (status.getRollout().getResumedAt() != null) {
        Instant resumed = Instant.parse(status.getRollout().getResumedAt());
        started = resumed.isAfter(started) ? resumed : started;
      }
      long startedAt = started.getEpochSecond();
      rolloutStarts
          .computeIfAbsent(
              key,
              k -> {
                AtomicLong value = new AtomicLong(startedAt);
                Meter gauge =
                    Gauge.builder(
                            "kiki.migrations.rollout.started.timestamp", value, AtomicLong::get)
                        .baseUnit("seconds")
                        .description("Start of the resource's active rollout (Unix time)")
                        .tags(tags(resource))
                        .register(registry);
                return new Series(value, gauge);
              })
          .value()
          .set(startedAt);
    }
  }

  /** A per-resource gauge that exists only while {@code value} is not null. */
  private void perResource(
      Map<Key, Series> series,
      Key key,
      DatabaseMigration resource,
      String name,
      String unit,
      String description,
      Long value) {
    if (value == null) {
      Series gone = series.remove(key);
      if (gone != null) {
        registry.remove(gone.gauge());
      }
      return;
    }
    series
        .computeIfAbsent(
            key,
            k -> {
              AtomicLong holder = new AtomicLong(value);
              Gauge.Builder<AtomicLong> builder =
                  Gauge.builder(name, holder, AtomicLong::get)
                      .description(description)
                      .tags(tags(resource));
              if (unit != null) {
                builder.baseUnit(unit);
              }
              return new Series(holder, builder.register(registry));
            })
        .value()
        .set(value);
  }

  private static Key key(DatabaseMigration resource) {
    return new Key(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  private static Tags tags(DatabaseMigration resource) {
    return Tags.of(
        "namespace",
        resource.getMetadata().getNamespace(),
        "name",
        resource.getMetadata().getName());
  }
}
