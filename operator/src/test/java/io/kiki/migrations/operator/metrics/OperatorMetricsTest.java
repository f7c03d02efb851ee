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
    assertThat(scrape).contains(
        "kiki_migrations_rollouts_total{",
        "kiki_migrations_stage_duration_seconds_count{",
        "kiki_migrations_stage_duration_seconds_sum{",
        "kiki_migrations_stage_duration_seconds_max{",
        "kiki_migrations_rollbacks_total{",
        "kiki_migrations_health_check_failures_total{",
        "kiki_migrations_backup_size_bytes{",
        "kiki_migrations_current_revision_info{",
        "kiki_migrations_phase{",
        "kiki_migrations_rollout_started_timestamp_seconds{");
    assertThat(scrape).contains("kiki_migrations_phase{name=\"kiki-campaigns\",namespace=\"kiki\",phase=\"Migrating\"} 1.0")
        .contains("kiki_migrations_phase{name=\"kiki-campaigns\",namespace=\"kiki\",phase=\"Ready\"} 0.0")
        .contains("kiki_migrations_rollout_started_timestamp_seconds{name=\"kiki-campaigns\",namespace=\"kiki\"} 1.7938368E9");
  }

  @Test
  void revisionInfoFollowsTheDatabaseAndFinishedRolloutsClearTheStart() {
    metrics.observe(resource, status(Phase.Migrating, "b2"));
    metrics.observe(resource, status(Phase.Ready, "c3"));
    String scrape = registry.scrape();
    assertThat(scrape).contains("revision=\"c3\"").doesNotContain("revision=\"b2\"");
    assertThat(scrape).contains("kiki_migrations_rollout_started_timestamp_seconds{name=\"kiki-campaigns\",namespace=\"kiki\"} 0.0");
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
