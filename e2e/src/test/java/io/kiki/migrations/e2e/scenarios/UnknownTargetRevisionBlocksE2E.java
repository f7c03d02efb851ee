package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertReady;
import static io.kiki.migrations.operator.Conditions.assertStalled;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A targetRevision the image does not know: Blocked (UnknownRevision), database untouched; fixing
 * the spec proceeds.
 */
@ExtendWith(ScenarioExtension.class)
class UnknownTargetRevisionBlocksE2E {

  static final String TYPO = "9d0e1f2a0011";

  @Test
  void unknownTargetBlocksUntilTheSpecIsFixed(Scenario scenario) {
    scenario.apply("database.yaml");
    scenario.apply("unknown-target.yaml", Map.of("target", TYPO));

    DatabaseMigration blocked = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(blocked.getStatus().getPhase())
        .as(blocked.getStatus().getMessage())
        .isEqualTo(Phase.Blocked);
    assertStalled(blocked, "UnknownRevision", 1);
    assertThat(blocked.getStatus().getMessage()).contains(TYPO);
    assertThat(scenario.databaseRevisions()).as("the database is untouched").isEmpty();

    scenario.apply("unknown-target.yaml", Map.of("target", "head"));
    DatabaseMigration fixed = scenario.awaitSettled("kiki-campaigns", 2);
    assertThat(fixed.getStatus().getPhase())
        .as(fixed.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertReady(fixed, 2);
    assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.HEAD);
  }
}
