package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupStageTest {

  @Test
  void theBackupJobIsToldTheVersionTableThePlanReported() {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    status.setVersionTable("kiki_version");
    status.setVersionTableSchema("kiki_meta");
    assertThat(BackupStage.versionTableEnv(status))
        .isEqualTo(
            Map.of(
                BackupStage.VERSION_TABLE_ENV,
                "kiki_version",
                BackupStage.VERSION_TABLE_SCHEMA_ENV,
                "kiki_meta"));

    status.setVersionTableSchema(null);
    status.setVersionTable("alembic_version");
    assertThat(BackupStage.versionTableEnv(status))
        .isEqualTo(Map.of(BackupStage.VERSION_TABLE_ENV, "alembic_version"));
  }

  @Test
  void withoutAReportedVersionTableTheRunnerFindsItItself() {
    assertThat(BackupStage.versionTableEnv(null)).isEmpty();
    assertThat(BackupStage.versionTableEnv(new DatabaseMigrationStatus())).isEmpty();
  }
}
