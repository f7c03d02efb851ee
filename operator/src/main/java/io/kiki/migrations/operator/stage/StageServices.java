package io.kiki.migrations.operator.stage;

import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.health.HealthChecks;
import io.kiki.migrations.operator.job.JobRunner;
import io.kiki.migrations.operator.metrics.OperatorMetrics;

/**
 * What the stages share: Jobs, the database reader, the health checks, the operator's timing,
 * metrics.
 */
public record StageServices(
    JobRunner jobs,
    AlembicRevisionReader revisions,
    HealthChecks checks,
    OperatorConfig config,
    OperatorMetrics metrics) {}
