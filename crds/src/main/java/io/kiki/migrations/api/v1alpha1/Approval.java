package io.kiki.migrations.api.v1alpha1;

/**
 * Whether a planned rollout goes on by itself (Automatic) or waits in AwaitingApproval until the
 * resource carries the annotation {@value #ANNOTATION}: the plan's hash (Manual).
 */
public enum Approval {
  Automatic,
  Manual;

  /** The annotation whose value approves the plan with that hash. */
  public static final String ANNOTATION = "migrations.kiki.io/approve";
}
