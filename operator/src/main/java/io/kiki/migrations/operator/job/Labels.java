package io.kiki.migrations.operator.job;

/** Labels on the operator's Jobs and their pods. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "kiki-migrations-operator";
  public static final String NAME = "app.kubernetes.io/name";
  public static final String NAME_VALUE = "kiki-migrate";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String RESOURCE = "migrations.kiki.io/resource";
  public static final String STAGE = "migrations.kiki.io/stage";
  public static final String ROLLOUT = "migrations.kiki.io/rollout";

  /** Set by the Job controller (or a sandbox kubelet) on the Job's pods. */
  public static final String JOB_NAME = "batch.kubernetes.io/job-name";

  private Labels() {}
}
