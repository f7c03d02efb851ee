package io.kiki.migrations.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;

/** The one shared assertion for kstatus conditions. */
public final class DatabaseMigrationAssertions {
  private DatabaseMigrationAssertions() {
  }

  public static void assertCondition(DatabaseMigration resource, String type, String status, String reason,
                                     long observedGeneration) {
    assertThat(resource.getStatus()).as("status of " + resource.getMetadata().getName()).isNotNull();
    Condition condition = resource.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElse(null);
    assertThat(condition).as("condition " + type + " in " + resource.getStatus().getConditions()).isNotNull();
    assertThat(condition.getStatus()).as(type + ".status (" + condition.getMessage() + ")").isEqualTo(status);
    if (reason != null) {
      assertThat(condition.getReason()).as(type + ".reason (" + condition.getMessage() + ")").isEqualTo(reason);
    }
    assertThat(condition.getObservedGeneration()).as(type + ".observedGeneration").isEqualTo(observedGeneration);
    assertThat(condition.getLastTransitionTime()).as(type + ".lastTransitionTime").isNotBlank();
  }
}
