package io.kiki.migrations.api.v1alpha1;

/**
 * Where a DatabaseMigration is. Ready, Failed, RolledBack and Blocked hold until the generation
 * changes. Drifted: the database of a Ready resource was found at another revision without a
 * rollout (spec.driftPolicy); it is Ready again once the database is back at the target.
 */
public enum Phase {
  Pending,
  Waiting,
  Suspended,
  Planning,
  AwaitingApproval,
  BackingUp,
  Rehearsing,
  Migrating,
  Verifying,
  RollingBack,
  Restoring,
  Ready,
  Failed,
  RolledBack,
  Blocked,
  Drifted;

  public boolean isRolloutActive() {
    return switch (this) {
      case Planning,
          AwaitingApproval,
          BackingUp,
          Rehearsing,
          Migrating,
          Verifying,
          RollingBack,
          Restoring ->
          true;
      default -> false;
    };
  }

  public boolean isTerminal() {
    return switch (this) {
      case Ready, Failed, RolledBack, Blocked, Drifted -> true;
      default -> false;
    };
  }
}
