package io.kiki.migrations.operator.stage;

import io.kiki.migrations.api.v1alpha1.RolloutStage;

/**
 * One step of a rollout. Stages may update the rollout's fields in the context's status; they never
 * write it.
 */
public interface Stage {
  RolloutStage stage();

  StageResult run(RolloutContext context);
}
