package io.kiki.migrations.operator.status;

/** kstatus condition types. */
public final class ConditionTypes {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  private ConditionTypes() {}
}
