package io.kiki.migrations.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.status.Reasons;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final OperatorMetrics metrics = new OperatorMetrics(registry);
  final DatabaseMigration resource = TestingResources.resource();

  @Test
  void exposesTheNamesTheAlertsUse() {
    metrics.stageFinished(resource, RolloutStage.Migrate, "succeeded", Duration.ofSeconds(3));
    metrics.rolloutFinished(resource, Phase.RolledBack, Reasons.HEALTH_CHECK_FAILED);
    metrics.rollbackStarted(resource, RolloutStage.Rollback, Reasons.HEALTH_CHECK_FAILED);
    metrics.healthCheckFailed(resource, "api");
    metrics.backupTaken(resource, 2048);
    metrics.observe(resource, status(Phase.Migrating, "b2"));

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains(
            "kiki_migrations_rollouts_total{outcome=\"RolledBack\",reason=\"HealthCheckFailed\"} 1.0",
            "kiki_migrations_stage_duration_seconds_count{outcome=\"succeeded\",stage=\"Migrate\"} 1",
            "kiki_migrations_stage_duration_seconds_sum{outcome=\"succeeded\",stage=\"Migrate\"} 3.0",
            "kiki_migrations_stage_duration_seconds_max{",
            "kiki_migrations_rollbacks_total{method=\"Downgrade\",reason=\"HealthCheckFailed\"} 1.0",
            "kiki_migrations_health_check_failures_total{check=\"api\"} 1.0",
            "kiki_migrations_backup_size_bytes_sum 2048.0",
            "kiki_migrations_phase{name=\"kiki-campaigns\",namespace=\"kiki\",phase=\"Migrating\"} 1.0",
            "kiki_migrations_rollout_started_timestamp_seconds{name=\"kiki-campaigns\",namespace=\"kiki\"} 1.7938368E9");
  }

  /**
   * Per resource only the current phase, and the rollout start while one runs: bounded series per
   * resource.
   */
  @Test
  void aResourceHasOnePhaseSeriesAndAStartOnlyWhileItsRolloutRuns() {
    metrics.observe(resource, status(Phase.Migrating, "b2"));
    metrics.observe(resource, status(Phase.Ready, "c3"));
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains(
            "kiki_migrations_phase{name=\"kiki-campaigns\",namespace=\"kiki\",phase=\"Ready\"} 1.0")
        .doesNotContain("phase=\"Migrating\"")
        .doesNotContain("kiki_migrations_rollout_started_timestamp_seconds{");
    assertThat(scrape.lines().filter(l -> l.startsWith("kiki_migrations_phase{"))).hasSize(1);
  }

  @Test
  void aRolloutWaitingForTheWindowExportsTheNextWindowAndTheWindowsItLetPass() {
    DatabaseMigrationStatus waiting = status(Phase.Waiting, "b2");
    waiting.setNextWindow("2026-12-05T01:00:00Z");
    waiting.getRollout().setWindowsWaited(2);
    metrics.observe(resource, waiting);
    assertThat(registry.scrape())
        .contains(
            "kiki_migrations_next_window_timestamp_seconds{name=\"kiki-campaigns\",namespace=\"kiki\"} 1.7964324E9",
            "kiki_migrations_windows_waited{name=\"kiki-campaigns\",namespace=\"kiki\"} 2.0");
    metrics.observe(resource, status(Phase.BackingUp, "b2"));
    assertThat(registry.scrape())
        .doesNotContain("kiki_migrations_next_window_timestamp_seconds{")
        .doesNotContain("kiki_migrations_windows_waited{");
  }

  /**
   * Stage durations, rollouts and rollbacks are by stage and outcome: two resources share their
   * series.
   */
  @Test
  void countersAndHistogramsAreNotPerResource() {
    DatabaseMigration other = TestingResources.resource();
    other.getMetadata().setName("kiki-reports");
    metrics.stageFinished(resource, RolloutStage.Plan, "succeeded", Duration.ofSeconds(1));
    metrics.stageFinished(other, RolloutStage.Plan, "succeeded", Duration.ofSeconds(2));
    metrics.rolloutFinished(resource, Phase.Ready, Reasons.SUCCEEDED);
    metrics.rolloutFinished(other, Phase.Ready, Reasons.SUCCEEDED);
    assertThat(registry.scrape())
        .contains(
            "kiki_migrations_stage_duration_seconds_count{outcome=\"succeeded\",stage=\"Plan\"} 2",
            "kiki_migrations_rollouts_total{outcome=\"Ready\",reason=\"Succeeded\"} 2.0");
  }

  static DatabaseMigrationStatus status(Phase phase, String revision) {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    status.setPhase(phase);
    status.setCurrentRevision(revision);
    status.setAppliedImage("kiki/migrations:2");
    Rollout rollout = new Rollout();
    rollout.setStartedAt("2026-11-05T00:00:00Z");
    status.setRollout(rollout);
    return status;
  }
}
