package io.kiki.migrations.operator.status;

/** kstatus condition types. */
public final class ConditionTypes {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  /**
   * Not kstatus: True while the database is away from the revision this resource left it at
   * (spec.driftPolicy).
   */
  public static final String DRIFTED = "Drifted";

  private ConditionTypes() {}
}
