package io.kiki.migrations.api.v1alpha1;

/** The stage a rollout is in, and the phase it shows while there. */
public enum RolloutStage {
  Plan(Phase.Planning),
  Approve(Phase.AwaitingApproval),
  Backup(Phase.BackingUp),
  Rehearse(Phase.Rehearsing),
  Migrate(Phase.Migrating),
  Verify(Phase.Verifying),
  Rollback(Phase.RollingBack),
  Restore(Phase.Restoring);

  private final Phase phase;

  RolloutStage(Phase phase) {
    this.phase = phase;
  }

  public Phase phase() {
    return phase;
  }
}
