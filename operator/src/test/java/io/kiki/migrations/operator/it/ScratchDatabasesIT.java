package io.kiki.migrations.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.operator.TestingResources;
import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.ScratchDatabases;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The operator finds and drops a resource's leftover scratch databases on a real PostgreSQL, also
 * one a session still uses (a killed pod's), and leaves the current rollout's and other resources'
 * alone.
 */
class ScratchDatabasesIT {

  @Test
  void leftoversAreDroppedAndNothingElse() throws Exception {
    JdbcTarget server = TestingPostgres.target(TestingPostgres.serverUrl());
    DatabaseMigration resource = TestingResources.resource();
    resource.getMetadata().setNamespace("ns-" + UUID.randomUUID().toString().substring(0, 8));
    DatabaseMigration other = TestingResources.resource();
    other.getMetadata().setNamespace(resource.getMetadata().getNamespace() + "-other");
    String old = ScratchDatabases.name(resource, "1");
    String current = ScratchDatabases.name(resource, "2");
    String others = ScratchDatabases.name(other, "1");
    for (String name : new String[] {old, current, others}) {
      execute(server, "CREATE DATABASE \"" + name + "\"");
    }
    ScratchDatabases scratch = new ScratchDatabases(null, Duration.ofSeconds(10));
    String serverUrl = TestingPostgres.serverUrl();
    int slash = serverUrl.indexOf('/', serverUrl.indexOf("://") + 3);
    int query = serverUrl.indexOf('?', slash);
    JdbcTarget inOld =
        TestingPostgres.target(
            serverUrl.substring(0, slash + 1)
                + old
                + (query < 0 ? "" : serverUrl.substring(query)));
    // A session in the old copy, as a killed pod's connection may linger: WITH (FORCE) ends it.
    Connection session = inOld.connect(Duration.ofSeconds(10));
    try {
      assertThat(scratch.list(server, resource)).containsExactly(old, current);

      assertThat(scratch.dropAllBut(server, resource, current)).containsExactly(old);

      assertThat(scratch.list(server, resource)).containsExactly(current);
      assertThat(scratch.list(server, other)).containsExactly(others);
      assertThat(session.isValid(2)).as("the old copy's session was ended").isFalse();
    } finally {
      scratch.drop(server, current);
      scratch.drop(server, others);
    }
    assertThat(scratch.list(server, resource)).isEmpty();
  }

  private static void execute(JdbcTarget server, String sql) throws Exception {
    try (Connection connection = server.connect(Duration.ofSeconds(10));
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
