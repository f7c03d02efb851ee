package io.kiki.migrations.operator.it;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kiki.migrations.api.v1alpha1.BackupSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.MigrationsOperator;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.config.OperatorSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Benchmark, not a test: how long the operator itself takes where it should take nothing, on
 * Fabric8's mock API server in CRUD mode (as the sandbox) with the TestingKubelet and a real
 * PostgreSQL (KIKI_TEST_POSTGRES_URL). Prints min/median/max over the runs.
 *
 * <ul>
 *   <li>{@code stages [runs]}: a rollout with a backup; from a Job's completion (as the Job watch
 *       sees it) to the next stage's Job being created (plan -> backup, backup -> migrate), and
 *       from the resource's creation to the plan Job.
 *   <li>{@code resync [resources] [runs]}: that many idle Ready resources; the time from the
 *       operator's start until it reconciled each of them once (JOSDK's reconciliation counter).
 * </ul>
 *
 * Run (with KIKI_TEST_POSTGRES_URL set, e.g. from {@code scripts/postgres.sh start DIR}):
 *
 * <pre>
 * mvn -B -pl operator -am test-compile
 * mvn -B -pl operator dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp operator/target/test-classes:operator/target/classes:crds/target/classes:$(cat operator/target/cp.txt) \
 *   io.kiki.migrations.operator.it.OperatorLatencyBenchmark stages 10 | grep BENCH
 * </pre>
 */
public final class OperatorLatencyBenchmark {
  // The mock server logs every request through java.util.logging; keep the reference so the level
  // sticks.
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private OperatorLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new MockClusterTestBase.GrantingCrudDispatcher(),
            false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      try (InputStream crd =
          OperatorLatencyBenchmark.class.getResourceAsStream(MockClusterTestBase.CRD_RESOURCE)) {
        client.apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      String mode = args.length > 0 ? args[0] : "stages";
      if (mode.equals("stages")) {
        stages(client, args.length > 1 ? Integer.parseInt(args[1]) : 5);
      } else {
        resync(
            client,
            args.length > 1 ? Integer.parseInt(args[1]) : 10_000,
            args.length > 2 ? Integer.parseInt(args[2]) : 5);
      }
    } finally {
      server.destroy();
    }
    System.exit(0);
  }

  static void stages(KubernetesClient client, int runs) throws Exception {
    List<Double> applyToPlan = new ArrayList<>();
    List<Double> planToBackup = new ArrayList<>();
    List<Double> backupToMigrate = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      String namespace = namespace(client, "bench-stages-" + run);
      String url = TestingPostgres.createDatabase();
      secret(client, namespace, url);
      Map<String, Long> created = new ConcurrentHashMap<>();
      Map<String, Long> completed = new ConcurrentHashMap<>();
      Watch watch =
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(namespace)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Job job) {
                      long at = System.nanoTime();
                      String stage = job.getMetadata().getLabels().get("migrations.kiki.io/stage");
                      if (action == Action.ADDED) {
                        created.putIfAbsent(stage, at);
                      } else if (job.getStatus() != null
                          && job.getStatus().getSucceeded() != null
                          && job.getStatus().getSucceeded() > 0) {
                        completed.putIfAbsent(stage, at);
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });
      try (TestingKubelet kubelet =
              new TestingKubelet(client, namespace, MockClusterTestBase.PROJECTS).start();
          MigrationsOperator operator =
              new MigrationsOperator(
                  client,
                  OperatorConfig.defaults()
                      .fast()
                      .with(OperatorSettings.WATCH_NAMESPACES, Set.of(namespace)),
                  new SimpleMeterRegistry())) {
        operator.start();
        DatabaseMigration resource;
        try (InputStream in = OperatorLatencyBenchmark.class.getResourceAsStream("basic.yaml")) {
          resource = client.resources(DatabaseMigration.class).load(in).item();
        }
        resource.getMetadata().setNamespace(namespace);
        BackupSpec backup = new BackupSpec();
        backup.setEnabled(true);
        backup.setPersistentVolumeClaim("kiki-backups");
        resource.getSpec().setBackup(backup);
        long applied = System.nanoTime();
        client
            .resources(DatabaseMigration.class)
            .inNamespace(namespace)
            .resource(resource)
            .create();
        await(
            () -> {
              DatabaseMigration current =
                  client
                      .resources(DatabaseMigration.class)
                      .inNamespace(namespace)
                      .withName("kiki-campaigns")
                      .get();
              return current.getStatus() != null && current.getStatus().getPhase() == Phase.Ready;
            },
            60);
        applyToPlan.add(ms(created.get("plan") - applied));
        planToBackup.add(ms(created.get("backup") - completed.get("plan")));
        backupToMigrate.add(ms(created.get("migrate") - completed.get("backup")));
      } finally {
        watch.close();
      }
    }
    print("apply -> plan Job created (ms)", applyToPlan);
    print("plan Job complete -> backup Job created (ms)", planToBackup);
    print("backup Job complete -> migrate Job created (ms)", backupToMigrate);
    List<Double> boundaries = new ArrayList<>(planToBackup);
    boundaries.addAll(backupToMigrate);
    print("any stage boundary (ms)", boundaries);
  }

  static void resync(KubernetesClient client, int resources, int runs) throws Exception {
    String namespace = namespace(client, "bench-idle");
    secret(client, namespace, "postgresql://kiki@127.0.0.1:1/kiki");
    long creating = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger failures = new AtomicInteger();
    for (int i = 0; i < resources; i++) {
      int index = i;
      pool.submit(
          () -> {
            try {
              DatabaseMigration resource;
              try (InputStream in =
                  OperatorLatencyBenchmark.class.getResourceAsStream("basic.yaml")) {
                resource = client.resources(DatabaseMigration.class).load(in).item();
              }
              resource.getMetadata().setNamespace(namespace);
              resource.getMetadata().setName("idle-" + index);
              DatabaseMigration created =
                  client
                      .resources(DatabaseMigration.class)
                      .inNamespace(namespace)
                      .resource(resource)
                      .create();
              DatabaseMigrationStatus status = new DatabaseMigrationStatus();
              status.setPhase(Phase.Ready);
              status.setObservedGeneration(created.getMetadata().getGeneration());
              status.setMessage("idle");
              created.setStatus(status);
              client
                  .resources(DatabaseMigration.class)
                  .inNamespace(namespace)
                  .resource(created)
                  .updateStatus();
            } catch (Exception e) {
              failures.incrementAndGet();
            }
          });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.HOURS);
    System.out.printf(
        "BENCH created %d idle Ready resources in %.1f s (%d failed)%n",
        resources, ms(System.nanoTime() - creating) / 1000, failures.get());
    List<Double> seconds = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      long start = System.nanoTime();
      try (MigrationsOperator operator =
          new MigrationsOperator(
              client,
              OperatorConfig.defaults().with(OperatorSettings.WATCH_NAMESPACES, Set.of(namespace)),
              registry)) {
        operator.start();
        await(
            () ->
                registry.find("operator.sdk.reconciliations.success").counters().stream()
                        .mapToDouble(Counter::count)
                        .sum()
                    >= resources,
            3600);
        seconds.add(ms(System.nanoTime() - start) / 1000);
        System.out.printf("BENCH run %d: %.1f s%n", run + 1, seconds.get(seconds.size() - 1));
      }
    }
    print("full resync of " + resources + " idle Ready resources (s)", seconds);
  }

  static String namespace(KubernetesClient client, String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  static void secret(KubernetesClient client, String namespace, String url) {
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("kiki-db")
                .endMetadata()
                .addToStringData("KIKI_DATABASE_URL", url)
                .build())
        .create();
  }

  static void await(Supplier<Boolean> condition, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + seconds + " s");
      }
      Thread.sleep(20);
    }
  }

  static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }

  static void print(String what, List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    double median =
        sorted.size() % 2 == 1
            ? sorted.get(sorted.size() / 2)
            : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    System.out.printf(
        "BENCH %-55s n=%d min %.1f median %.1f max %.1f%n",
        what, sorted.size(), sorted.get(0), median, sorted.get(sorted.size() - 1));
  }
}
