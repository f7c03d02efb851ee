package io.kiki.migrations.api.v1alpha1;

/**
 * Where a DatabaseMigration is. Ready, Failed, RolledBack and Blocked hold until the generation
 * changes.
 */
public enum Phase {
  Pending,
  Waiting,
  Suspended,
  Planning,
  BackingUp,
  Migrating,
  Verifying,
  RollingBack,
  Restoring,
  Ready,
  Failed,
  RolledBack,
  Blocked;

  public boolean isRolloutActive() {
    return switch (this) {
      case Planning, BackingUp, Migrating, Verifying, RollingBack, Restoring -> true;
      default -> false;
    };
  }

  public boolean isTerminal() {
    return switch (this) {
      case Ready, Failed, RolledBack, Blocked -> true;
      default -> false;
    };
  }
}
