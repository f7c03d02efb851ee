package io.kiki.migrations.operator.stage;

import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.health.HealthChecks;
import io.kiki.migrations.operator.job.JobRunner;

/** What the stages share: Jobs, the database reader, the health checks, and the operator's timing. */
public record StageServices(JobRunner jobs, AlembicRevisionReader revisions, HealthChecks checks, OperatorConfig config) {
}
