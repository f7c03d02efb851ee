package io.kiki.migrations.api.v1alpha1;

/**
 * What the plan's SQL lint does with a finding: record it (Warn) or stop the rollout at plan
 * (Block).
 */
public enum LintMode {
  Warn,
  Block
}
