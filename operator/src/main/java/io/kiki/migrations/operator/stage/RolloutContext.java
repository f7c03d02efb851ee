package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.RollbackSpec;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.TimeoutsSpec;
import io.kiki.migrations.api.v1alpha1.VerifySpec;
import io.kiki.migrations.operator.database.JdbcTarget;
import java.time.Instant;
import java.util.Optional;

/**
 * What a stage works with: the resource as last read from the API, the status being built (the
 * reconciler writes it once), the database target, and the time of this reconcile.
 */
public record RolloutContext(
    DatabaseMigration resource, DatabaseMigrationStatus status, JdbcTarget database, Instant now) {

  public DatabaseMigrationSpec spec() {
    return resource.getSpec();
  }

  public Rollout rollout() {
    return status.getRollout();
  }

  public String name() {
    return resource.getMetadata().getName();
  }

  public String namespace() {
    return resource.getMetadata().getNamespace();
  }

  public BackupSpec backup() {
    return Optional.ofNullable(spec().getBackup()).orElseGet(BackupSpec::new);
  }

  public boolean backupEnabled() {
    return Boolean.TRUE.equals(backup().getEnabled());
  }

  public VerifySpec verify() {
    return Optional.ofNullable(spec().getVerify()).orElseGet(VerifySpec::new);
  }

  public RollbackSpec rollback() {
    return Optional.ofNullable(spec().getRollback()).orElseGet(RollbackSpec::new);
  }

  public TimeoutsSpec timeouts() {
    return Optional.ofNullable(spec().getTimeouts()).orElseGet(TimeoutsSpec::new);
  }

  public boolean allowDowngrade() {
    return Boolean.TRUE.equals(spec().getAllowDowngrade());
  }
}
