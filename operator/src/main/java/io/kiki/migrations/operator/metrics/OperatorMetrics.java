package io.kiki.migrations.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's own metrics (Prometheus names in brackets): rollouts by outcome (kiki_migrations_rollouts_total),
 * stage durations (kiki_migrations_stage_duration_seconds), rollbacks (kiki_migrations_rollbacks_total),
 * health-check failures (kiki_migrations_health_check_failures_total), backup size
 * (kiki_migrations_backup_size_bytes), the current revision (kiki_migrations_current_revision_info), the phase
 * (kiki_migrations_phase, 1 for the current one) and when the active rollout started
 * (kiki_migrations_rollout_started_timestamp_seconds, 0 when none is active). Every series has namespace and name.
 */
public class OperatorMetrics {
  private record Key(String namespace, String name) {
  }

  private final MeterRegistry registry;
  private final Map<Key, Map<Phase, AtomicLong>> phases = new ConcurrentHashMap<>();
  private final Map<Key, AtomicLong> backupSizes = new ConcurrentHashMap<>();
  private final Map<Key, AtomicLong> rolloutStarts = new ConcurrentHashMap<>();
  private final Map<Key, RevisionInfo> revisions = new ConcurrentHashMap<>();

  private record RevisionInfo(String revision, String image, Gauge gauge) {
  }

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Metrics that go nowhere, for an operator embedded without a registry. */
  public static OperatorMetrics discarding() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void rolloutFinished(DatabaseMigration resource, Phase outcome, String reason) {
    Counter.builder("kiki.migrations.rollouts").description("Finished rollouts by outcome and reason")
        .tags(tags(resource)).tag("outcome", outcome.name()).tag("reason", Objects.toString(reason, ""))
        .register(registry).increment();
  }

  public void stageFinished(DatabaseMigration resource, RolloutStage stage, String outcome, Duration duration) {
    Timer.builder("kiki.migrations.stage.duration").description("Duration of rollout stages")
        .tags(tags(resource)).tag("stage", stage.name()).tag("outcome", outcome)
        .register(registry).record(duration.isNegative() ? Duration.ZERO : duration);
  }

  /** A rollback stage started: {@code method} is Downgrade (alembic downgrade) or Restore (pg_restore of the backup). */
  public void rollbackStarted(DatabaseMigration resource, RolloutStage stage, String reason) {
    String method = stage == RolloutStage.Restore ? "Restore" : "Downgrade";
    Counter.builder("kiki.migrations.rollbacks").description("Rollbacks started, by method (Downgrade, Restore)")
        .tags(tags(resource)).tag("method", method).tag("reason", Objects.toString(reason, ""))
        .register(registry).increment();
  }

  public void healthCheckFailed(DatabaseMigration resource, String check) {
    Counter.builder("kiki.migrations.health.check.failures").description("Failed verify checks")
        .tags(tags(resource)).tag("check", check)
        .register(registry).increment();
  }

  public void backupTaken(DatabaseMigration resource, long sizeBytes) {
    backupSizes.computeIfAbsent(key(resource), k -> {
      AtomicLong size = new AtomicLong();
      Gauge.builder("kiki.migrations.backup.size", size, AtomicLong::get).baseUnit("bytes")
          .description("Size of the last backup").tags(tags(resource)).register(registry);
      return size;
    }).set(sizeBytes);
  }

  /** Phase, current revision and active rollout of a resource after a reconcile. */
  public void observe(DatabaseMigration resource, DatabaseMigrationStatus status) {
    if (status == null || status.getPhase() == null) {
      return;
    }
    Key key = key(resource);
    Map<Phase, AtomicLong> byPhase = phases.computeIfAbsent(key, k -> {
      Map<Phase, AtomicLong> values = new EnumMap<>(Phase.class);
      for (Phase phase : Phase.values()) {
        AtomicLong value = new AtomicLong();
        Gauge.builder("kiki.migrations.phase", value, AtomicLong::get).description("1 for the resource's current phase")
            .tags(tags(resource)).tag("phase", phase.name()).register(registry);
        values.put(phase, value);
      }
      return values;
    });
    byPhase.forEach((phase, value) -> value.set(phase == status.getPhase() ? 1 : 0));

    AtomicLong started = rolloutStarts.computeIfAbsent(key, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder("kiki.migrations.rollout.started.timestamp", value, AtomicLong::get).baseUnit("seconds")
          .description("Start of the active rollout (Unix time), 0 when none is active")
          .tags(tags(resource)).register(registry);
      return value;
    });
    boolean active = status.getPhase().isRolloutActive() && status.getRollout() != null
        && status.getRollout().getStartedAt() != null;
    started.set(active ? Instant.parse(status.getRollout().getStartedAt()).getEpochSecond() : 0);

    String revision = status.getCurrentRevision();
    if (revision != null) {
      String image = Objects.toString(status.getAppliedImage(), "");
      revisions.compute(key, (k, old) -> {
        if (old != null && old.revision().equals(revision) && old.image().equals(image)) {
          return old;
        }
        if (old != null) {
          registry.remove(old.gauge());
        }
        Gauge gauge = Gauge.builder("kiki.migrations.current.revision.info", () -> 1)
            .description("The database's current Alembic revision (value always 1)")
            .tags(tags(resource)).tag("revision", revision).tag("image", image).register(registry);
        return new RevisionInfo(revision, image, gauge);
      });
    }
  }

  private static Key key(DatabaseMigration resource) {
    return new Key(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  private static Tags tags(DatabaseMigration resource) {
    return Tags.of("namespace", resource.getMetadata().getNamespace(), "name", resource.getMetadata().getName());
  }

  /** Outcome label of a stage that ended: succeeded, or the reason it did not. */
  public static String outcome(String reason) {
    return reason == null ? "unknown" : reason.toLowerCase(Locale.ROOT);
  }
}
