package io.kiki.migrations.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The real operator with a controllable clock: a rollout planned outside its window waits, and an
 * operator restarted inside the window reads the hold from the status and goes on; a window open
 * when the resource is created lets the rollout run at once.
 */
class MaintenanceWindowIT extends MockClusterTestBase {
  /** Saturdays 02:00 Berlin time for 4h: 2026-12-05 01:00 to 05:00 UTC. */
  static final Instant FRIDAY = Instant.parse("2026-12-04T12:00:00Z");

  static final Instant INSIDE = Instant.parse("2026-12-05T01:30:00Z");

  DatabaseMigration withWindow() {
    DatabaseMigration resource = fixture("basic.yaml");
    MaintenanceWindowSpec window = new MaintenanceWindowSpec();
    window.setSchedule("0 2 * * 6");
    window.setDuration("4h");
    window.setTimeZone("Europe/Berlin");
    resource.getSpec().setMaintenanceWindow(window);
    return resource;
  }

  @Test
  void waitsOutsideTheWindowAndARestartInsideItGoesOn() throws Exception {
    clock.set(FRIDAY);
    create(withWindow());
    DatabaseMigration waiting = awaitPhase("kiki-campaigns", Phase.Waiting);
    assertThat(waiting.getStatus().getNextWindow()).isEqualTo("2026-12-05T01:00:00Z");
    assertThat(waiting.getStatus().getRollout().getHeldBy()).isEqualTo("MaintenanceWindow");
    assertThat(kubelet.jobNames()).containsExactly("kiki-campaigns-plan-1");

    operator.close();
    clock.set(INSIDE);
    operator = newOperator();
    operator.start();

    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(ready.getStatus().getNextWindow()).isNull();
    assertThat(revision()).isEqualTo("c3");
    assertThat(kubelet.jobNames())
        .containsExactly("kiki-campaigns-plan-1", "kiki-campaigns-migrate-1");
    assertThat(eventReasons("kiki-campaigns"))
        .containsSubsequence(Reasons.WAITING_FOR_WINDOW, Reasons.RESUMED, Reasons.SUCCEEDED);
  }

  @Test
  void aWindowOpenAtCreationLetsTheRolloutRunAtOnce() throws Exception {
    clock.set(INSIDE);
    create(withWindow());
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(revision()).isEqualTo("c3");
    assertThat(eventReasons("kiki-campaigns")).doesNotContain(Reasons.WAITING_FOR_WINDOW);
  }
}
