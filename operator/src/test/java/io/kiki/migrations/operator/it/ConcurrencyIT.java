package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    assertThat(kubelet.jobNames())
        .containsExactly("kiki-campaigns-plan-1", "kiki-campaigns-migrate-1");
    assertThat(ready.getStatus().getHistory()).hasSize(1);
  }

  /**
   * Someone labels the resource all through the rollout: each label bumps the resourceVersion, so
   * status writes made with the older one conflict (409). They are retried where they happen: no
   * error reason, no Warning event.
   */
  @Test
  void editsDuringTheRolloutConflictQuietly() throws Exception {
    create(fixture("basic.yaml"));
    AtomicBoolean editing = new AtomicBoolean(true);
    AtomicInteger edits = new AtomicInteger();
    Thread editor =
        new Thread(
            () -> {
              while (editing.get()) {
                int n = edits.incrementAndGet();
                edit(
                    "kiki-campaigns",
                    r -> {
                      Map<String, String> labels =
                          new HashMap<>(
                              Optional.ofNullable(r.getMetadata().getLabels()).orElse(Map.of()));
                      labels.put("edited", String.valueOf(n));
                      r.getMetadata().setLabels(labels);
                      return r;
                    });
              }
            });
    editor.start();
    try {
      DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
      assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 1);
    } finally {
      editing.set(false);
      editor.join();
    }
    assertThat(edits.get()).as("edits made while the operator wrote the status").isGreaterThan(5);
    assertThat(eventReasons("kiki-campaigns"))
        .doesNotContain(Reasons.RECONCILE_ERROR, "ApiConflict")
        .containsSubsequence(Reasons.PLAN_STARTED, Reasons.MIGRATION_STARTED, Reasons.SUCCEEDED);
    assertThat(events("kiki-campaigns"))
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Normal"));
    assertThat(kubelet.jobNames())
        .containsExactly("kiki-campaigns-plan-1", "kiki-campaigns-migrate-1");
    assertThat(get("kiki-campaigns").getStatus().getHistory()).hasSize(1);
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
    create(second);
    DatabaseMigration waiting = awaitPhase("second", Phase.Waiting);
    assertCondition(waiting, "Reconciling", "True", Reasons.WAITING_FOR_DATABASE, 1);
    assertThat(waiting.getStatus().getMessage()).contains(namespace + "/first");
    Thread.sleep(1000);
    assertThat(kubelet.jobNames()).noneMatch(name -> name.startsWith("second-"));

    kubelet.resume();
    awaitPhase("first", Phase.Ready);
    DatabaseMigration ready = awaitPhase("second", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.UP_TO_DATE, 1);
    assertThat(kubelet.jobNames())
        .containsExactly("first-plan-1", "first-migrate-1", "second-plan-1");
    await().atMost(Duration.ofSeconds(5)).until(() -> revision().equals("c3"));
  }

  /** Targets head and b2 on one database: never two Ready resources disagreeing about it. */
  @Test
  void aSecondResourceWithAnotherTargetIsBlockedNamingTheOwner() throws Exception {
    DatabaseMigration first = fixture("basic.yaml");
    first.getMetadata().setName("first");
    create(first);
    awaitPhase("first", Phase.Ready);

    DatabaseMigration second = fixture("basic.yaml");
    second.getMetadata().setName("second");
    second.getSpec().setTargetRevision("b2");
    create(second);
    DatabaseMigration blocked = awaitPhase("second", Phase.Blocked);
    assertCondition(blocked, "Stalled", "True", Reasons.DATABASE_OWNED_BY_ANOTHER, 1);
    assertThat(blocked.getStatus().getMessage())
        .contains("belongs to DatabaseMigration " + namespace + "/first")
        .contains("targetRevision head")
        .contains("targetRevision b2");
    assertThat(kubelet.jobNames()).noneMatch(name -> name.startsWith("second-"));
    assertThat(revision()).isEqualTo("c3");
    assertThat(get("first").getStatus().getPhase()).isEqualTo(Phase.Ready);
  }

  /**
   * Rollout ids are generations, so a resource deleted and created again reuses its predecessor's
   * Job names. Without garbage collection (or before it ran) those Jobs are still there, with
   * results about another database state.
   */
  @Test
  void recreatedResourceDoesNotTrustTheJobsOfItsDeletedPredecessor() throws Exception {
    stamp("a1");
    DatabaseMigration predecessor = fixture("basic.yaml");
    predecessor.getSpec().setImage(IMAGE_V1);
    String oldUid = create(predecessor).getMetadata().getUid();
    awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(revision()).isEqualTo("b2");
    client
        .resources(DatabaseMigration.class)
        .inNamespace(namespace)
        .withName("kiki-campaigns")
        .delete();
    await().atMost(TIMEOUT).until(() -> get("kiki-campaigns") == null);
    assertThat(jobsInApi())
        .as("the mock API has no garbage collector")
        .containsExactly("kiki-campaigns-migrate-1", "kiki-campaigns-plan-1");
    stamp("a1");

    String newUid = create(fixture("basic.yaml")).getMetadata().getUid();
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(ready.getStatus().getRollout().getFrom()).isEqualTo("a1");
    assertThat(ready.getStatus().getRollout().getTo()).isEqualTo("c3");
    assertThat(revision()).isEqualTo("c3");
    // The operator may not delete Jobs: the predecessor's are left to garbage collection,
    // untouched, and this
    // resource's run under new names.
    assertThat(jobsInApi())
        .containsExactly(
            "kiki-campaigns-migrate-1",
            "kiki-campaigns-migrate-1-2",
            "kiki-campaigns-plan-1",
            "kiki-campaigns-plan-1-2");
    for (String job : jobsInApi()) {
      String owner =
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(namespace)
              .withName(job)
              .get()
              .getMetadata()
              .getOwnerReferences()
              .get(0)
              .getUid();
      assertThat(owner).as(job).isEqualTo(job.endsWith("-2") ? newUid : oldUid);
    }
    assertThat(eventReasons("kiki-campaigns")).contains(Reasons.JOB_NAME_TAKEN);
  }

  /** The next Job of a rollout never runs against a database the rollout did not plan and lock. */
  @Test
  void databaseChangedMidRolloutHoldsTheRolloutUntilItPointsBack() throws Exception {
    stamp("a1");
    String otherUrl = TestingPostgres.createDatabase();
    createSecret("other-db", "KIKI_DATABASE_URL", otherUrl);
    kubelet.hold("plan");
    create(fixture("basic.yaml"));
    await().atMost(TIMEOUT).until(() -> kubelet.jobNames().contains("kiki-campaigns-plan-1"));
    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().getDatabase().getUrlSecretRef().setName("other-db");
          return r;
        });
    kubelet.resume();
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              DatabaseMigration resource = get("kiki-campaigns");
              return resource.getStatus().getConditions().stream()
                  .anyMatch(
                      c ->
                          "Reconciling".equals(c.getType())
                              && Reasons.DATABASE_CHANGED.equals(c.getReason()));
            });
    Thread.sleep(1500);
    DatabaseMigration held = get("kiki-campaigns");
    assertThat(held.getStatus().getPhase())
        .as("the plan's result, about the old database, waits too")
        .isEqualTo(Phase.Planning);
    assertThat(held.getStatus().getMessage()).contains("back at");
    assertThat(kubelet.jobNames()).containsExactly("kiki-campaigns-plan-1");
    assertThat(TestingKubelet.readRevision(TestingPostgres.target(otherUrl))).isEmpty();
    assertThat(eventReasons("kiki-campaigns").stream().filter(Reasons.DATABASE_CHANGED::equals))
        .hasSize(1);

    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().getDatabase().getUrlSecretRef().setName("kiki-db");
          return r;
        });
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              DatabaseMigrationStatus status = get("kiki-campaigns").getStatus();
              return status.getPhase() == Phase.Ready
                  && Long.valueOf(3L).equals(status.getObservedGeneration());
            });
    DatabaseMigration ready = get("kiki-campaigns");
    assertThat(ready.getStatus().getHistory())
        .as(
            "generation 3 points back at the database generation 1 rolled out: the same rollout"
                + " spec, so no second rollout")
        .hasSize(1);
    assertThat(ready.getStatus().getHistory().get(0).getGeneration()).isEqualTo(1L);
    assertThat(ready.getStatus().getHistory().get(0).getTo()).isEqualTo("c3");
    assertThat(revision()).isEqualTo("c3");
    assertThat(TestingKubelet.readRevision(TestingPostgres.target(otherUrl))).isEmpty();
  }
}
