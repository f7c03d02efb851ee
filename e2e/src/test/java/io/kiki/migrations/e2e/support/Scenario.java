package io.kiki.migrations.e2e.support;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.cluster.TestDatabase;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One scenario's view of the cluster: its namespace and database, fixtures applied with the
 * scenario's values ({@code ${namespace}}, {@code ${databaseUrl}}, {@code ${kikiImage}}, plus any
 * given), and the two ways of looking at the outcome: through the API (status, conditions, Jobs,
 * events) and through the database itself (alembic_version, rows).
 */
public final class Scenario {

  /**
   * A rollout takes a few Jobs of 1-2 s each; verification soaks for some rounds; two cores are
   * shared.
   */
  public static final Duration ROLLOUT_TIMEOUT = Duration.ofMinutes(3);

  private final TestCluster cluster;
  private final Class<?> owner;
  private final String namespace;
  private final TestDatabase database;

  Scenario(TestCluster cluster, Class<?> owner, String namespace, TestDatabase database) {
    this.cluster = cluster;
    this.owner = owner;
    this.namespace = namespace;
    this.database = database;
  }

  public TestCluster cluster() {
    return cluster;
  }

  public KubernetesClient client() {
    return cluster.client();
  }

  public String namespace() {
    return namespace;
  }

  public TestDatabase database() {
    return database;
  }

  /**
   * Makes a project directory available as an image in this cluster; returns the name for
   * spec.image.
   */
  public String image(String name, Path project) {
    return cluster.provideImage(name, project);
  }

  public MixedOperation<
          DatabaseMigration, KubernetesResourceList<DatabaseMigration>, Resource<DatabaseMigration>>
      migrations() {
    return client().resources(DatabaseMigration.class);
  }

  /**
   * Applies a fixture next to the scenario class, as {@code kubectl apply} would: creates what is
   * missing, and for an existing DatabaseMigration replaces the spec (a new generation), keeping
   * its status.
   */
  public void apply(String fixture, Map<String, String> extra) {
    Map<String, String> values = new HashMap<>();
    values.put("namespace", namespace);
    values.put("databaseUrl", database.clusterUrl());
    values.put("kikiImage", TestCluster.KIKI_IMAGE);
    values.putAll(extra);
    for (HasMetadata resource : Fixtures.resources(owner, fixture, values)) {
      resource.getMetadata().setNamespace(namespace);
      if ("DatabaseMigration".equals(resource.getKind())) {
        DatabaseMigration dbm =
            client().getKubernetesSerialization().convertValue(resource, DatabaseMigration.class);
        if (get(dbm.getMetadata().getName()) != null) {
          migrations()
              .inNamespace(namespace)
              .withName(dbm.getMetadata().getName())
              .edit(
                  d -> {
                    d.setSpec(dbm.getSpec());
                    return d;
                  });
          continue;
        }
      }
      client().resource(resource).create();
    }
  }

  public void apply(String fixture) {
    apply(fixture, Map.of());
  }

  public DatabaseMigration get(String name) {
    return migrations().inNamespace(namespace).withName(name).get();
  }

  /**
   * Waits until the operator has settled the given generation in a terminal phase, and returns the
   * resource.
   */
  public DatabaseMigration awaitSettled(String name, long generation) {
    return await("settled at generation " + generation)
        .atMost(ROLLOUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> get(name),
            d ->
                d != null
                    && d.getStatus() != null
                    && d.getStatus().getPhase() != null
                    && d.getStatus().getPhase().isTerminal()
                    && d.getStatus().getObservedGeneration() != null
                    && d.getStatus().getObservedGeneration() >= generation);
  }

  public DatabaseMigration awaitPhase(String name, Phase phase) {
    return await("phase " + phase)
        .atMost(ROLLOUT_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> get(name),
            d -> d != null && d.getStatus() != null && d.getStatus().getPhase() == phase);
  }

  /**
   * The Jobs the resource owns, by creation time (which has second precision, so not an order to
   * assert).
   */
  public List<Job> jobs(String name) {
    String uid = get(name).getMetadata().getUid();
    return client().batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
        .filter(
            j ->
                j.getMetadata().getOwnerReferences() != null
                    && j.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> uid.equals(o.getUid())))
        .sorted(
            Comparator.comparing((Job j) -> j.getMetadata().getCreationTimestamp())
                .thenComparing(j -> j.getMetadata().getName()))
        .toList();
  }

  /** Messages (and reasons) of all events in the namespace, core and events.k8s.io. */
  public List<String> eventTexts() {
    List<String> texts = new ArrayList<>();
    client()
        .v1()
        .events()
        .inNamespace(namespace)
        .list()
        .getItems()
        .forEach(e -> texts.add(e.getReason() + ": " + e.getMessage()));
    client()
        .events()
        .v1()
        .events()
        .inNamespace(namespace)
        .list()
        .getItems()
        .forEach(e -> texts.add(e.getReason() + ": " + e.getNote()));
    return texts;
  }

  /**
   * The revision(s) in alembic_version, read as the operator reads them; empty when the table does
   * not exist (base).
   */
  public List<String> databaseRevisions() {
    return new AlembicRevisionReader(Duration.ofSeconds(10))
        .read(database.hostAccess().jdbcTarget());
  }

  public List<List<Object>> query(String sql) {
    try (Connection c = database.hostAccess().connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public boolean tableExists(String table) {
    return Boolean.TRUE.equals(
        query("SELECT to_regclass('public." + table + "') IS NOT NULL").get(0).get(0));
  }

  /**
   * Runs Alembic by hand against the scenario's database, as the seed README's troubleshooting
   * tells a person to: {@code alembic -c migrations-image/alembic.ini ARGS} with Debian's Alembic,
   * the URL in {@code KIKI_DATABASE_URL}. Returns its output; fails when Alembic does.
   */
  public String alembic(String... args) {
    Path project = Repository.kikiProject();
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-m", "alembic", "-c"));
    command.add(project.resolve("alembic.ini").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile());
    builder.redirectErrorStream(true);
    builder.environment().put("KIKI_DATABASE_URL", database.hostAccess().sqlalchemyUrl());
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    try {
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
        throw new IllegalStateException(
            "alembic " + String.join(" ", args) + " failed:\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs an SQL fixture next to the scenario class (e.g. rows the application would have written).
   */
  public void executeSqlFixture(String fixture) {
    String sql = Fixtures.text(owner, fixture, Map.of());
    try (Connection c = database.hostAccess().connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(fixture + ": " + e.getMessage(), e);
    }
  }
}
