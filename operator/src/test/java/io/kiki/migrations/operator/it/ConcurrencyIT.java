package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.it.DatabaseMigrationAssertions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Operator restarts and several resources on one database. */
class ConcurrencyIT extends MockClusterTestBase {

  @Test
  void restartDuringTheMigrationFindsTheJobInsteadOfCreatingASecond() throws Exception {
    kubelet.hold("upgrade");
    create(fixture("basic.yaml"));
    await().atMost(TIMEOUT).until(() -> kubelet.jobNames().contains("kiki-campaigns-migrate-1"));
    assertThat(get("kiki-campaigns").getStatus().getPhase()).isEqualTo(Phase.Migrating);

    restartOperator();
    Thread.sleep(2000);
    assertThat(jobsInApi()).containsExactly("kiki-campaigns-migrate-1", "kiki-campaigns-plan-1");
    kubelet.resume();

    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 1);
    assertThat(revision()).isEqualTo("c3");
    assertThat(kubelet.jobNames()).containsExactly("kiki-campaigns-plan-1", "kiki-campaigns-migrate-1");
    assertThat(ready.getStatus().getHistory()).hasSize(1);
  }

  @Test
  void twoResourcesOnOneDatabaseAreSerialised() throws Exception {
    kubelet.hold("upgrade");
    DatabaseMigration first = fixture("basic.yaml");
    first.getMetadata().setName("first");
    create(first);
    await().atMost(TIMEOUT).until(() -> kubelet.jobNames().contains("first-migrate-1"));

    DatabaseMigration second = fixture("basic.yaml");
    second.getMetadata().setName("second");
    second.getSpec().setTargetRevision("b2");
    create(second);
    DatabaseMigration waiting = awaitPhase("second", Phase.Waiting);
    assertCondition(waiting, "Reconciling", "True", Reasons.WAITING_FOR_DATABASE, 1);
    assertThat(waiting.getStatus().getMessage()).contains(namespace + "/first");
    Thread.sleep(1000);
    assertThat(kubelet.jobNames()).noneMatch(name -> name.startsWith("second-"));

    kubelet.resume();
    awaitPhase("first", Phase.Ready);
    DatabaseMigration blocked = awaitPhase("second", Phase.Blocked);
    assertThat(blocked.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason())
        .isEqualTo(Reasons.DOWNGRADE_NOT_ALLOWED));
    assertThat(kubelet.jobNames()).containsExactly("first-plan-1", "first-migrate-1", "second-plan-1");
    await().atMost(Duration.ofSeconds(5)).until(() -> revision().equals("c3"));
  }
}
