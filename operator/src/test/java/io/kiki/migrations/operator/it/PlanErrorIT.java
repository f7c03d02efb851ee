package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each plan error blocks the rollout with its reason, before anything touches the database. */
class PlanErrorIT extends MockClusterTestBase {

  @ParameterizedTest(name = "{3}")
  @CsvSource({
    "kiki/migrations:two-heads, head, base, MultipleHeads, alembic merge heads",
    "kiki/migrations:2, zz9, base, UnknownRevision, zz9",
    "kiki/migrations:2, head, q7, UnknownCurrentRevision, q7",
    "kiki/migrations:2, a1, c3, DowngradeNotAllowed, allowDowngrade"
  })
  void planErrorBlocks(
      String image, String target, String databaseAt, String reason, String messagePart)
      throws Exception {
    stamp(databaseAt);
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setImage(image);
    resource.getSpec().setTargetRevision(target);
    create(resource);
    DatabaseMigration blocked = awaitPhase("kiki-campaigns", Phase.Blocked);
    assertCondition(blocked, "Stalled", "True", reason, 1);
    assertCondition(blocked, "Ready", "False", reason, 1);
    assertCondition(blocked, "Reconciling", "False", reason, 1);
    assertThat(blocked.getStatus().getMessage()).contains(messagePart);
    assertThat(kubelet.commands()).containsExactly("plan");
    assertThat(revision()).isEqualTo(databaseAt);
    assertThat(eventReasons("kiki-campaigns")).containsSubsequence(Reasons.PLAN_STARTED, reason);
  }
}
