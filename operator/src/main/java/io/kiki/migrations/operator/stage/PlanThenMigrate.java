package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.Rollout;

/**
 * One Job for the plan and the migration ({@code kiki-migrate plan --then-upgrade}) when nothing
 * gates between the two stages: the runner plans and, only when the plan is an upgrade, upgrades in
 * the same process under one hold of the migration lock. A plan the operator would refuse never
 * gets that far: a downgrade, no change and every plan error are only reported (the plan stage
 * decides on them as for a plan Job alone), and a lint in Block mode is a gate, so it never runs
 * fused. This saves a second runner start-up and a Job; the plan is still recorded in status, and
 * the status names the Job in both {@code rollout.jobs.plan} and {@code rollout.jobs.migrate}
 * before the Job is created (the intent).
 */
public final class PlanThenMigrate {
  private PlanThenMigrate() {}

  /**
   * Whether nothing gates between plan and migrate for {@code spec}: no backup (and so no
   * rehearsal, which needs one) between them, the lint does not block, no person approves the plan
   * (spec.approval Manual) and no maintenance window holds the migration. spec.suspend needs no
   * condition here: a suspended resource starts no rollout, and a stage in flight finishes.
   */
  public static boolean applies(DatabaseMigrationSpec spec) {
    boolean backup = spec.getBackup() != null && Boolean.TRUE.equals(spec.getBackup().getEnabled());
    boolean rehearsal =
        spec.getRehearsal() != null && Boolean.TRUE.equals(spec.getRehearsal().getEnabled());
    boolean lintBlocks = spec.getLint() == LintMode.Block;
    boolean approval = spec.getApproval() == Approval.Manual;
    boolean window = spec.getMaintenanceWindow() != null;
    return !backup && !rehearsal && !lintBlocks && !approval && !window;
  }

  /**
   * Records, before the plan Job exists, whether it also migrates ({@code enabled}: the operator's
   * KIKI_PLAN_THEN_MIGRATE): {@code rollout.jobs.migrate} names the plan Job when it does, and
   * nothing otherwise.
   */
  public static void recordIntent(Rollout rollout, DatabaseMigrationSpec spec, boolean enabled) {
    rollout.getJobs().setMigrate(enabled && applies(spec) ? rollout.getJobs().getPlan() : null);
  }

  /** Whether the rollout's plan Job also migrates (its intent in status). */
  public static boolean intended(Rollout rollout) {
    String plan = rollout.getJobs().getPlan();
    return plan != null && plan.equals(rollout.getJobs().getMigrate());
  }

  /** The plan stage runs as a Job of a new name (a retry, a name taken): the intent follows it. */
  public static void renamePlanJob(Rollout rollout, String name) {
    boolean fused = intended(rollout);
    rollout.getJobs().setPlan(name);
    if (fused) {
      rollout.getJobs().setMigrate(name);
    }
  }

  /**
   * The plan Job migrates no more (its image's runner cannot): migrate runs as a Job of its own.
   */
  public static void separate(Rollout rollout) {
    if (intended(rollout)) {
      rollout.getJobs().setMigrate(null);
    }
  }
}
