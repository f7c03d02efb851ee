package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.SecretKeyRef;
import io.kiki.migrations.operator.it.TestingKubelet.Failure;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.status.Reasons;
import org.junit.jupiter.api.Test;

/** Bad settings get a clear status and run nothing; retryToken starts a new attempt. */
class ConfigurationIT extends MockClusterTestBase {

  @Test
  void missingSecretIsReportedAndTheRolloutStartsOnceItExists() throws Exception {
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().getDatabase().setUrlSecretRef(new SecretKeyRef("late-db", "url"));
    create(resource);
    DatabaseMigration pending = awaitPhase("kiki-campaigns", Phase.Pending);
    assertCondition(pending, "Stalled", "True", Reasons.SECRET_NOT_FOUND, 1);
    assertCondition(pending, "Ready", "False", Reasons.SECRET_NOT_FOUND, 1);
    assertThat(pending.getStatus().getMessage())
        .contains("Secret " + namespace + "/late-db")
        .contains("spec.database.urlSecretRef.name")
        .contains("key url");
    assertThat(events("kiki-campaigns"))
        .extracting(Event::getReason)
        .containsOnlyOnce(Reasons.SECRET_NOT_FOUND);
    assertThat(kubelet.jobNames()).isEmpty();

    createSecret("late-db", "url", databaseUrl);
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Stalled", "False", Reasons.SUCCEEDED, 1);
    assertThat(revision()).isEqualTo("c3");
  }

  @Test
  void missingKeyAndMalformedUrlNameTheSecretAndTheFix() throws Exception {
    createSecret("bad-db", "url", "postgresql://kiki:hunter2@db.example.com:5x32/kiki");
    DatabaseMigration wrongKey = fixture("basic.yaml");
    wrongKey.getMetadata().setName("wrong-key");
    wrongKey.getSpec().getDatabase().setUrlSecretRef(new SecretKeyRef("kiki-db", "DATABASE_URL"));
    create(wrongKey);
    DatabaseMigration malformed = fixture("basic.yaml");
    malformed.getMetadata().setName("malformed");
    malformed.getSpec().getDatabase().setUrlSecretRef(new SecretKeyRef("bad-db", "url"));
    create(malformed);

    DatabaseMigration keyMissing = awaitPhase("wrong-key", Phase.Pending);
    assertCondition(keyMissing, "Stalled", "True", Reasons.SECRET_KEY_NOT_FOUND, 1);
    assertThat(keyMissing.getStatus().getMessage()).contains("has no key DATABASE_URL");
    DatabaseMigration badUrl = awaitPhase("malformed", Phase.Pending);
    assertCondition(badUrl, "Stalled", "True", Reasons.INVALID_DATABASE_URL, 1);
    assertThat(badUrl.getStatus().getMessage()).contains("port '5x32'").doesNotContain("hunter2");
    assertThat(events("malformed"))
        .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThat(kubelet.jobNames()).isEmpty();
  }

  /**
   * A URL the operator reads but the runner refuses (postgres://): Stalled, rechecked, resumed when
   * the Secret changes.
   */
  @Test
  void aUrlTheRunnerRefusesIsStalledAndResumesWhenTheSecretChanges() throws Exception {
    kubelet.fail(
        "plan",
        new Failure(
            RunnerError.BAD_DATABASE_URL, "Can't load plugin: sqlalchemy.dialects:postgres", null));
    create(fixture("basic.yaml"));
    DatabaseMigration pending = awaitPhase("kiki-campaigns", Phase.Pending);
    assertCondition(pending, "Stalled", "True", Reasons.INVALID_DATABASE_URL, 1);
    assertThat(pending.getStatus().getMessage())
        .contains("postgres")
        .contains("no retryToken needed");
    Thread.sleep(2500);
    assertThat(kubelet.jobNames())
        .as("rechecking runs no Job while the Secret is unchanged")
        .containsExactly("kiki-campaigns-plan-1");

    kubelet.clearFailures();
    client
        .secrets()
        .inNamespace(namespace)
        .withName("kiki-db")
        .edit(
            s -> {
              s.getStringData().put("KIKI_DATABASE_URL", databaseUrl);
              s.getStringData().put("fixed", "yes");
              return s;
            });
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 1);
    assertThat(kubelet.jobNames())
        .containsExactly(
            "kiki-campaigns-plan-1", "kiki-campaigns-plan-1-2", "kiki-campaigns-migrate-1");
  }

  @Test
  void unreachableDatabaseIsTransientAndRunsNoJob() throws Exception {
    createSecret("down-db", "url", "postgresql://kiki:hunter2@127.0.0.1:1/kiki");
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().getDatabase().setUrlSecretRef(new SecretKeyRef("down-db", "url"));
    create(resource);
    DatabaseMigration pending = awaitPhase("kiki-campaigns", Phase.Pending);
    assertCondition(pending, "Reconciling", "True", Reasons.DATABASE_UNREACHABLE, 1);
    assertCondition(pending, "Stalled", "False", Reasons.DATABASE_UNREACHABLE, 1);
    assertThat(pending.getStatus().getMessage())
        .contains("127.0.0.1:1/kiki")
        .doesNotContain("hunter2");
    assertThat(kubelet.jobNames()).isEmpty();

    client
        .secrets()
        .inNamespace(namespace)
        .withName("down-db")
        .edit(
            s -> {
              s.getStringData().put("url", databaseUrl);
              return s;
            });
    awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(revision()).isEqualTo("c3");
  }

  /**
   * Settings the database refuses stay refused until someone changes them: Stalled (degraded in
   * Argo CD and Flux).
   */
  @Test
  void wrongPasswordMissingDatabaseAndRefusedTlsAreStalledAndRecheckedUntilFixed()
      throws Exception {
    String wrongPassword = databaseUrl.replaceFirst(":[^:@/]+@", ":not-the-password@");
    String noDatabase = databaseUrl.replaceFirst("/kiki_it_[a-z0-9]+", "/kiki_no_such_db");
    String tls = databaseUrl + (databaseUrl.contains("?") ? "&" : "?") + "sslmode=require";
    createSecret("password-db", "url", wrongPassword);
    createSecret("missing-db", "url", noDatabase);
    createSecret("tls-db", "url", tls);
    for (String[] c :
        new String[][] {
          {"password", "password-db"}, {"missing", "missing-db"}, {"tls", "tls-db"}
        }) {
      DatabaseMigration resource = fixture("basic.yaml");
      resource.getMetadata().setName(c[0]);
      resource.getSpec().getDatabase().setUrlSecretRef(new SecretKeyRef(c[1], "url"));
      create(resource);
    }
    DatabaseMigration password = awaitPhase("password", Phase.Pending);
    assertCondition(password, "Stalled", "True", Reasons.DATABASE_AUTHENTICATION_FAILED, 1);
    assertCondition(password, "Reconciling", "False", Reasons.DATABASE_AUTHENTICATION_FAILED, 1);
    assertThat(password.getStatus().getMessage())
        .contains("Fix the credentials")
        .doesNotContain("not-the-password");
    DatabaseMigration missing = awaitPhase("missing", Phase.Pending);
    assertCondition(missing, "Stalled", "True", Reasons.DATABASE_NOT_FOUND, 1);
    assertThat(missing.getStatus().getMessage()).contains("kiki_no_such_db");
    DatabaseMigration refusedTls = awaitPhase("tls", Phase.Pending);
    assertCondition(refusedTls, "Stalled", "True", Reasons.DATABASE_TLS_REFUSED, 1);
    assertThat(refusedTls.getStatus().getMessage()).contains("sslmode");
    assertThat(kubelet.jobNames()).isEmpty();
    assertThat(events("password"))
        .extracting(Event::getReason)
        .containsOnlyOnce(Reasons.DATABASE_AUTHENTICATION_FAILED);

    client
        .secrets()
        .inNamespace(namespace)
        .withName("password-db")
        .edit(
            s -> {
              s.getStringData().put("url", databaseUrl);
              return s;
            });
    DatabaseMigration ready = awaitPhase("password", Phase.Ready);
    assertCondition(ready, "Stalled", "False", Reasons.SUCCEEDED, 1);
  }

  @Test
  void invalidSpecIsBlockedWhereTheApiServerDoesNotValidate() {
    DatabaseMigration resource = fixture("basic.yaml");
    resource.getSpec().setTargetRevision("base");
    create(resource);
    DatabaseMigration blocked = awaitPhase("kiki-campaigns", Phase.Blocked);
    assertCondition(blocked, "Stalled", "True", Reasons.INVALID_SPEC, 1);
    assertThat(blocked.getStatus().getMessage()).contains("spec.allowDowngrade: true");
    assertThat(kubelet.jobNames()).isEmpty();
  }

  @Test
  void terminalFailureHoldsUntilRetryTokenChanges() throws Exception {
    kubelet.fail("upgrade", new Failure(RunnerError.MIGRATION_FAILED, "boom", null));
    create(fixture("basic.yaml"));
    awaitPhase("kiki-campaigns", Phase.Failed);
    Thread.sleep(1500);
    assertThat(kubelet.jobNames())
        .containsExactly("kiki-campaigns-plan-1", "kiki-campaigns-migrate-1");

    kubelet.clearFailures();
    edit(
        "kiki-campaigns",
        r -> {
          r.getSpec().setRetryToken("retry-1");
          return r;
        });
    DatabaseMigration ready = awaitPhase("kiki-campaigns", Phase.Ready);
    assertCondition(ready, "Ready", "True", Reasons.SUCCEEDED, 2);
    assertThat(ready.getStatus().getHistory())
        .extracting("outcome")
        .containsExactly(Phase.Ready, Phase.Failed);
    assertThat(kubelet.jobNames())
        .containsExactly(
            "kiki-campaigns-plan-1",
            "kiki-campaigns-migrate-1",
            "kiki-campaigns-plan-2",
            "kiki-campaigns-migrate-2");
  }
}
