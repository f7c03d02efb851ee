package io.kiki.migrations.operator.it;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.MigrationsOperator;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.config.OperatorSettings;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The real operator (MigrationsOperator) against Fabric8's mock API server in CRUD mode, with the
 * CRD installed from the generated YAML, a TestingKubelet that runs Jobs, and a fresh PostgreSQL
 * database per test.
 */
abstract class MockClusterTestBase {
  static final String IMAGE_V1 = "kiki/migrations:1";
  static final String IMAGE_V2 = "kiki/migrations:2";
  static final String IMAGE_IRREVERSIBLE = "kiki/migrations:irreversible";
  static final String IMAGE_TWO_HEADS = "kiki/migrations:two-heads";

  /** c3 indexes an existing table without CONCURRENTLY: the plan's lint reports it. */
  static final String IMAGE_LINT_FINDING = "kiki/migrations:lint-finding";

  static final Map<String, TestingProject> PROJECTS =
      Map.of(
          IMAGE_V1, TestingProject.linear("a1", "b2"),
          IMAGE_V2, TestingProject.linear("a1", "b2", "c3"),
          IMAGE_IRREVERSIBLE, TestingProject.linear("a1", "b2", "x9").withIrreversible("x9"),
          IMAGE_TWO_HEADS, TestingProject.linear("a1", "b2").withMultipleHeads(),
          IMAGE_LINT_FINDING,
              TestingProject.linear("a1", "b2", "c3")
                  .withLintFinding("c3", "index-not-concurrent"));
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String CRD_RESOURCE =
      "/META-INF/fabric8/databasemigrations.migrations.kiki.io-v1.yml";

  // The mock server logs every request through java.util.logging; keep the reference so the level
  // sticks.
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static KubernetesMockServer server;
  static KubernetesClient client;

  String namespace;
  String databaseUrl;
  TestingKubelet kubelet;
  MigrationsOperator operator;

  /** The operator's clock: the system's unless a test sets it. */
  final TestingClock clock = new TestingClock();

  PrometheusMeterRegistry metrics;

  @BeforeAll
  static void startApiServer() throws Exception {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new GrantingCrudDispatcher(),
            false);
    server.init();
    client = server.createClient();
    try (InputStream crd = MockClusterTestBase.class.getResourceAsStream(CRD_RESOURCE)) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
  }

  /**
   * CRUD, and a SelfSubjectRulesReview answered as a real API server would for an account allowed
   * everything (the CRUD dispatcher would echo the request without a status). JOSDK reviews its
   * Lease access before leader election.
   */
  static final class GrantingCrudDispatcher extends KubernetesCrudDispatcher {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
      if (!request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
        return super.handleCreate(request);
      }
      SelfSubjectRulesReview review =
          JSON.unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
      review.setStatus(
          new SubjectRulesReviewStatusBuilder()
              .withIncomplete(false)
              .addNewResourceRule()
              .withApiGroups("*")
              .withResources("*")
              .withVerbs("*")
              .endResourceRule()
              .build());
      return new MockResponse()
          .setResponseCode(201)
          .setHeader("Content-Type", "application/json")
          .setBody(JSON.asJson(review));
    }
  }

  @AfterAll
  static void stopApiServer() {
    client.close();
    server.destroy();
  }

  @BeforeEach
  void startOperator() throws Exception {
    namespace = "it-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    databaseUrl = TestingPostgres.createDatabase();
    createSecret("kiki-db", "KIKI_DATABASE_URL", databaseUrl);
    kubelet = new TestingKubelet(client, namespace, PROJECTS).start();
    metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    operator = newOperator();
    operator.start();
  }

  @AfterEach
  void stopOperator() {
    if (operator != null) {
      operator.close();
    }
    kubelet.close();
  }

  MigrationsOperator newOperator() {
    return new MigrationsOperator(
        client,
        OperatorConfig.defaults()
            .fast()
            .with(OperatorSettings.WATCH_NAMESPACES, Set.of(namespace))
            .with(OperatorSettings.PLAN_THEN_MIGRATE, planThenMigrate()),
        metrics,
        clock);
  }

  /**
   * KIKI_PLAN_THEN_MIGRATE for this class's operator: off by default here, so each stage keeps a
   * Job of its own and the scenarios can hold, fail or lose the migrate Job alone; {@code
   * PlanThenMigrateIT} turns it on (the operator's default).
   */
  boolean planThenMigrate() {
    return false;
  }

  void restartOperator() {
    operator.close();
    operator = newOperator();
    operator.start();
  }

  void createSecret(String name, String key, String value) {
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addToStringData(key, value)
                .build())
        .create();
  }

  /** A DatabaseMigration from a YAML fixture next to the tests (src/test/resources/.../it/). */
  DatabaseMigration fixture(String file) {
    try (InputStream in = getClass().getResourceAsStream(file)) {
      DatabaseMigration resource = client.resources(DatabaseMigration.class).load(in).item();
      resource.getMetadata().setNamespace(namespace);
      return resource;
    } catch (Exception e) {
      throw new IllegalStateException("fixture " + file, e);
    }
  }

  DatabaseMigration create(DatabaseMigration resource) {
    return client
        .resources(DatabaseMigration.class)
        .inNamespace(namespace)
        .resource(resource)
        .create();
  }

  DatabaseMigration get(String name) {
    return client.resources(DatabaseMigration.class).inNamespace(namespace).withName(name).get();
  }

  /**
   * A user's edit: like kubectl edit, tried again when the operator wrote the status in between
   * (409).
   */
  DatabaseMigration edit(String name, UnaryOperator<DatabaseMigration> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client
            .resources(DatabaseMigration.class)
            .inNamespace(namespace)
            .withName(name)
            .edit(change);
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Waits until the resource reaches {@code phase} for its current generation. */
  DatabaseMigration awaitPhase(String name, Phase phase) {
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              DatabaseMigration resource = get(name);
              return resource.getStatus() != null
                  && resource.getStatus().getPhase() == phase
                  && resource
                      .getMetadata()
                      .getGeneration()
                      .equals(resource.getStatus().getObservedGeneration());
            });
    return get(name);
  }

  List<Event> events(String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  List<String> eventReasons(String name) {
    return events(name).stream()
        .sorted(
            (a, b) ->
                a.getMetadata().getCreationTimestamp() == null
                    ? 0
                    : a.getMetadata()
                        .getCreationTimestamp()
                        .compareTo(b.getMetadata().getCreationTimestamp()))
        .map(Event::getReason)
        .toList();
  }

  String revision() throws Exception {
    return AlembicRevisionReader.describe(
        TestingKubelet.readRevision(TestingPostgres.target(databaseUrl)));
  }

  List<String> jobsInApi() {
    return client.batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
        .map(j -> j.getMetadata().getName())
        .sorted()
        .toList();
  }

  void stamp(String revision) throws Exception {
    TestingKubelet.writeRevision(TestingPostgres.target(databaseUrl), revision);
  }
}
