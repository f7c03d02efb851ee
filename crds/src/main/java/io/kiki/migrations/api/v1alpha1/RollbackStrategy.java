package io.kiki.migrations.api.v1alpha1;

public enum RollbackStrategy {
  Downgrade,
  Restore,
  DowngradeThenRestore,
  None
}
