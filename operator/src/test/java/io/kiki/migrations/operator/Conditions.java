package io.kiki.migrations.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;

/**
 * The one assertion helper for kstatus conditions, for the operator's tests and the e2e scenarios
 * (which get it from this module's test-jar).
 */
public final class Conditions {

  private Conditions() {}

  /** Asserts a condition's status and, when given, reason, at the resource's current generation. */
  public static Condition assertCondition(
      DatabaseMigration resource,
      String type,
      String status,
      String reason,
      long observedGeneration) {
    assertThat(resource.getStatus())
        .as("status of %s", resource.getMetadata().getName())
        .isNotNull();
    Condition condition =
        resource.getStatus().getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no " + type + " condition in " + resource.getStatus().getConditions()));
    assertThat(condition.getStatus())
        .as("%s status (message: %s)", type, condition.getMessage())
        .isEqualTo(status);
    if (reason != null) {
      assertThat(condition.getReason())
          .as("%s reason (message: %s)", type, condition.getMessage())
          .isEqualTo(reason);
    }
    assertThat(condition.getObservedGeneration())
        .as("%s observedGeneration", type)
        .isEqualTo(observedGeneration);
    assertThat(condition.getLastTransitionTime()).as("%s lastTransitionTime", type).isNotBlank();
    return condition;
  }

  /** Ready=True, Reconciling=False, Stalled=False at the given generation. */
  public static void assertReady(DatabaseMigration resource, long generation) {
    assertCondition(resource, "Ready", "True", null, generation);
    assertCondition(resource, "Reconciling", "False", null, generation);
    assertCondition(resource, "Stalled", "False", null, generation);
    assertThat(resource.getStatus().getObservedGeneration()).isEqualTo(generation);
  }

  /** A terminal failure: Ready=False and Stalled=True with the given reason. */
  public static void assertStalled(DatabaseMigration resource, String reason, long generation) {
    assertCondition(resource, "Ready", "False", null, generation);
    assertCondition(resource, "Stalled", "True", reason, generation);
    assertThat(resource.getStatus().getObservedGeneration()).isEqualTo(generation);
  }
}
