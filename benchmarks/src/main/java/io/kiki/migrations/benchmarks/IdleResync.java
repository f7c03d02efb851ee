package io.kiki.migrations.benchmarks;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.MigrationsOperator;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.config.OperatorSettings;
import io.kiki.migrations.operator.controller.DriftSchedule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * N idle Ready resources (default 10,000, the figure; {@code -Dbenchmark.resync.resources})
 * in one operator on Fabric8's mock API server: the time from the operator's start until it has
 * reconciled each of them once (JOSDK's reconciliation counter), and per run the heap after, the
 * operator's requests during the resync (status writes, GETs of single resources, Jobs created,
 * counted by the mock server) and the connections made to the resources' database (a listening
 * socket that counts what it accepts). Baseline: the same mock server's LIST of the N resources.
 */
final class IdleResync implements Figure {

  static final int RESOURCES = Integer.getInteger("benchmark.resync.resources", 10_000);
  private static final String NAMESPACE = "bench-idle";
  private static final String OPERATOR_USER_AGENT = "kiki-benchmark-operator";
  private static final long TIMEOUT_SECONDS = 3600;

  @Override
  public String name() {
    return "resync";
  }

  @Override
  public String title() {
    return String.format(
        "full resync of %,d idle Ready resources (one operator) / the mock API server's LIST of them",
        RESOURCES);
  }

  @Override
  public String goal() {
    return "<= 30 s at 10,000, heap <= 512 MiB, 0 status writes, 0 Jobs, 0 JDBC connections but"
        + " the drift schedule's (issue 15 measured 158 s, one GET per reconcile)";
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    CountingDispatcher dispatcher = new CountingDispatcher();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient admin = server.createClient();
        CountingDatabase database = new CountingDatabase()) {
      applyCrds(admin, bench.repo().resolve("crds"));
      create(admin, database.port());
      Samples resync = new Samples();
      Samples list = new Samples();
      for (int run = 0; run < bench.runs(); run++) {
        long listing = System.nanoTime();
        int listed =
            admin
                .resources(DatabaseMigration.class)
                .inNamespace(NAMESPACE)
                .list()
                .getItems()
                .size();
        list.addNanos(System.nanoTime() - listing);
        if (listed != RESOURCES) {
          throw new IllegalStateException("listed " + listed + " resources, not " + RESOURCES);
        }
        long heapBefore = usedHeapAfterGc();
        dispatcher.resetCounts();
        int connectionsBefore = database.accepted();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KubernetesClient client =
                server.createClient(
                    b -> b.editOrNewConfig().withUserAgent(OPERATOR_USER_AGENT).endConfig());
            MigrationsOperator operator =
                new MigrationsOperator(
                    client,
                    OperatorConfig.defaults()
                        .with(OperatorSettings.WATCH_NAMESPACES, Set.of(NAMESPACE)),
                    registry)) {
          long start = System.nanoTime();
          Instant startedAt = Instant.now();
          operator.start();
          long deadline = start + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
          while (reconciled(registry) < RESOURCES) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException(
                  "reconciled " + reconciled(registry) + " of " + RESOURCES + " in an hour");
            }
            Thread.sleep(20);
          }
          long elapsed = System.nanoTime() - start;
          Instant end = Instant.now();
          // Each resource reads its database at its own moments (spec.driftCheckInterval, default
          // 5m); the resync itself reads none. The moments that fell within the resync:
          long driftMoments =
              admin
                  .resources(DatabaseMigration.class)
                  .inNamespace(NAMESPACE)
                  .list()
                  .getItems()
                  .stream()
                  .filter(r -> driftMomentBetween(r, startedAt, end))
                  .count();
          resync.addNanos(elapsed);
          long heapAfter = usedHeapAfterGc();
          int jobs = admin.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().size();
          System.out.printf(
              "    run %d: %.1f s; heap after %d MiB (%d MiB more than before the operator started);"
                  + " operator's requests: %d status writes, %d GETs of one resource, %d Job creates,"
                  + " %d in all; Jobs %d; database connections %d (drift moments within the run: %d)%n",
              run + 1,
              elapsed / 1e9,
              heapAfter >> 20,
              (heapAfter - heapBefore) >> 20,
              dispatcher.statusWrites.get(),
              dispatcher.singleGets.get(),
              dispatcher.jobCreates.get(),
              dispatcher.all.get(),
              jobs,
              database.accepted() - connectionsBefore,
              driftMoments);
          System.out.flush();
        }
      }
      return List.of(
          new Line(
              String.format("full resync, %,d idle Ready resources", RESOURCES),
              resync,
              String.format("LIST of the %,d resources", RESOURCES),
              list));
    } finally {
      server.destroy();
    }
  }

  private static boolean driftMomentBetween(DatabaseMigration resource, Instant from, Instant to) {
    String key =
        resource.getMetadata().getUid() != null
            ? resource.getMetadata().getUid()
            : resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    Duration interval = DurationParser.parse(resource.getSpec().getDriftCheckInterval());
    Instant moment = DriftSchedule.slot(key, interval, to);
    return moment.isAfter(from);
  }

  private static double reconciled(SimpleMeterRegistry registry) {
    return registry.find("operator.sdk.reconciliations.success").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    System.gc();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static void applyCrds(KubernetesClient client, Path crdDir) throws IOException {
    try (var files = Files.list(crdDir)) {
      for (Path file :
          files
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          if (Serialization.unmarshal(in) instanceof CustomResourceDefinition crd) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
          }
        }
      }
    }
  }

  /** N resources, each created and then given a Ready status at its generation. */
  private static void create(KubernetesClient client, int databasePort) throws Exception {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("kiki-db")
                .endMetadata()
                .addToStringData(
                    "KIKI_DATABASE_URL", "postgresql://kiki@127.0.0.1:" + databasePort + "/kiki")
                .build())
        .create();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      String name = String.format("idle-%05d", i);
      created.add(
          pool.submit(
              () -> {
                DatabaseMigration resource =
                    client
                        .getKubernetesSerialization()
                        .unmarshal(
                            """
                            apiVersion: migrations.kiki.io/v1alpha1
                            kind: DatabaseMigration
                            metadata: {name: %s, namespace: %s}
                            spec:
                              image: registry.example.com/kiki/migrations:1.6.0
                              targetRevision: head
                              database: {urlSecretRef: {name: kiki-db, key: KIKI_DATABASE_URL}}
                            """
                                .formatted(name, NAMESPACE),
                            DatabaseMigration.class);
                DatabaseMigration stored = client.resource(resource).create();
                DatabaseMigrationStatus status = new DatabaseMigrationStatus();
                status.setPhase(Phase.Ready);
                status.setObservedGeneration(stored.getMetadata().getGeneration());
                status.setCurrentRevision("head");
                status.setTargetRevision("head");
                status.setAppliedImage("registry.example.com/kiki/migrations:1.6.0");
                status.setMessage("idle");
                stored.setStatus(status);
                client.resource(stored).updateStatus();
                return null;
              }));
    }
    pool.shutdown();
    for (Future<?> future : created) {
      future.get();
    }
    System.out.printf(
        "    created %,d idle Ready resources in %.1f s%n",
        RESOURCES, (System.nanoTime() - start) / 1e9);
    System.out.flush();
  }

  /** The mock API server, counting the operator's requests by kind. */
  private static final class CountingDispatcher extends KubernetesCrudDispatcher {
    final AtomicInteger all = new AtomicInteger();
    final AtomicInteger statusWrites = new AtomicInteger();
    final AtomicInteger singleGets = new AtomicInteger();
    final AtomicInteger jobCreates = new AtomicInteger();

    CountingDispatcher() {
      super(List.of());
    }

    void resetCounts() {
      all.set(0);
      statusWrites.set(0);
      singleGets.set(0);
      jobCreates.set(0);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String agent = request.getHeader("User-Agent");
      if (agent != null && agent.startsWith(OPERATOR_USER_AGENT)) {
        all.incrementAndGet();
        String path = request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String method = request.getMethod();
        if ((method.equals("PUT") || method.equals("PATCH")) && bare.endsWith("/status")) {
          statusWrites.incrementAndGet();
        } else if (method.equals("GET")
            && bare.contains("/databasemigrations/")
            && !path.contains("watch=")) {
          singleGets.incrementAndGet();
        } else if (method.equals("POST") && bare.endsWith("/jobs")) {
          jobCreates.incrementAndGet();
        }
      }
      return super.dispatch(request);
    }
  }

  /** Stands for the resources' database: accepts connections, counts them and closes them. */
  private static final class CountingDatabase implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger accepted = new AtomicInteger();

    CountingDatabase() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket connection = socket.accept()) {
                    accepted.incrementAndGet();
                  } catch (IOException closed) {
                    // closed at the end
                  }
                }
              },
              "counting-database");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
