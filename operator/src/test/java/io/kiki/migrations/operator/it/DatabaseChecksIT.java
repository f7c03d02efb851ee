package io.kiki.migrations.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.database.DatabaseUnreachableException;
import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.SqlAlchemyUrl;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.health.CheckResult;
import io.kiki.migrations.operator.health.HttpCheck;
import io.kiki.migrations.operator.health.SqlCheck;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's own reads against a real PostgreSQL: revision, sql checks; and the http check. */
class DatabaseChecksIT {
  final AlembicRevisionReader reader = new AlembicRevisionReader(Duration.ofSeconds(5));

  @Test
  void revisionFromAlembicVersionAndMissingTableIsBase() throws Exception {
    String url = TestingPostgres.createDatabase();
    JdbcTarget target = SqlAlchemyUrl.toJdbc(url);
    assertThat(reader.read(target)).isEmpty();
    TestingPostgres.execute(
        url, "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)");
    assertThat(reader.read(target)).isEmpty();
    TestingPostgres.execute(url, "INSERT INTO alembic_version VALUES ('c3'), ('b9')");
    assertThat(reader.read(target)).containsExactly("b9", "c3");
    assertThat(AlembicRevisionReader.describe(reader.read(target))).isEqualTo("b9,c3");
    assertThat(AlembicRevisionReader.describe(List.of())).isEqualTo("base");
  }

  /**
   * The version table the project's env.py names, not another application's public.alembic_version.
   */
  @Test
  void revisionFromTheProjectsOwnVersionTable() throws Exception {
    String url = TestingPostgres.createDatabase();
    JdbcTarget target = SqlAlchemyUrl.toJdbc(url);
    VersionTable custom = new VersionTable("kiki_meta", "kiki_version");
    TestingPostgres.execute(
        url, "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)");
    TestingPostgres.execute(url, "INSERT INTO alembic_version VALUES ('x9')");
    assertThat(reader.read(target, custom)).as("no such schema yet: base").isEmpty();
    TestingPostgres.execute(url, "CREATE SCHEMA kiki_meta");
    assertThat(reader.read(target, custom)).as("no such table yet: base").isEmpty();
    TestingPostgres.execute(
        url, "CREATE TABLE kiki_meta.kiki_version (version_num VARCHAR(32) PRIMARY KEY)");
    TestingPostgres.execute(url, "INSERT INTO kiki_meta.kiki_version VALUES ('c0000002vtab')");
    assertThat(reader.read(target, custom)).containsExactly("c0000002vtab");
    assertThat(reader.read(target))
        .as("Alembic's default table is another application's")
        .containsExactly("x9");
    TestingPostgres.execute(
        url, "CREATE TABLE \"Odd Versions\" (version_num VARCHAR(32) PRIMARY KEY)");
    TestingPostgres.execute(url, "INSERT INTO \"Odd Versions\" VALUES ('q1')");
    assertThat(reader.read(target, new VersionTable(null, "Odd Versions"))).containsExactly("q1");
  }

  @Test
  void unreachableDatabaseIsTransientAndRedacted() throws Exception {
    JdbcTarget down = SqlAlchemyUrl.toJdbc("postgresql://kiki:hunter2@127.0.0.1:1/kiki");
    assertThatThrownBy(() -> reader.read(down))
        .isInstanceOf(DatabaseUnreachableException.class)
        .hasMessageContaining("127.0.0.1:1/kiki")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void sqlChecksAreReadOnlyAndJudgeTheFirstValue() throws Exception {
    JdbcTarget target = SqlAlchemyUrl.toJdbc(TestingPostgres.createDatabase());
    Duration timeout = Duration.ofSeconds(5);
    assertThat(SqlCheck.run("t", target, "SELECT true", timeout).passed()).isTrue();
    assertThat(SqlCheck.run("t", target, "SELECT 3", timeout).passed()).isTrue();
    assertThat(SqlCheck.run("t", target, "SELECT 1 WHERE false", timeout).passed()).isTrue();
    assertThat(SqlCheck.run("t", target, "SELECT false", timeout).message())
        .isEqualTo("query returned false");
    assertThat(SqlCheck.run("t", target, "SELECT 0", timeout).passed()).isFalse();
    assertThat(SqlCheck.run("t", target, "SELECT NULL", timeout).passed()).isFalse();
    assertThat(
            SqlCheck.run("t", target, "SELECT count(*) FROM campaign_deployments", timeout)
                .message())
        .contains("campaign_deployments");
    assertThat(SqlCheck.run("t", target, "CREATE TABLE sneaky (id int)", timeout).message())
        .contains("read-only");
    assertThat(SqlCheck.run("t", target, "SELECT pg_sleep(3)", Duration.ofSeconds(1)).passed())
        .isFalse();
  }

  @Test
  void aCheckIsOneQueryThatCannotWrite() throws Exception {
    String url = TestingPostgres.createDatabase();
    TestingPostgres.execute(url, "CREATE TABLE campaigns (id int)");
    JdbcTarget target = SqlAlchemyUrl.toJdbc(url);
    Duration timeout = Duration.ofSeconds(5);
    CheckResult sneaky =
        SqlCheck.run("t", target, "COMMIT; DROP TABLE campaigns; SELECT true", timeout);
    assertThat(sneaky.outcome()).isEqualTo(CheckResult.Outcome.INVALID);
    assertThat(sneaky.message()).contains("3 statements");
    assertThat(SqlCheck.run("t", target, "SELECT count(*) >= 0 FROM campaigns", timeout).passed())
        .as("the table is still there")
        .isTrue();
    TestingPostgres.execute(url, "INSERT INTO campaigns VALUES (1)");
    // One statement that writes: refused by the read-only session, reported as a check that cannot
    // run as written.
    CheckResult writer =
        SqlCheck.run(
            "t", target, "WITH gone AS (DELETE FROM campaigns RETURNING 1) SELECT true", timeout);
    assertThat(writer.outcome()).as(writer.message()).isEqualTo(CheckResult.Outcome.INVALID);
    assertThat(writer.message()).contains("read-only");
    assertThat(SqlCheck.run("t", target, "SELECT count(*) = 1 FROM campaigns", timeout).passed())
        .as("row kept")
        .isTrue();
    assertThat(
            SqlCheck.run("t", target, "SELECT 'a;b' = 'a;b'; -- one statement", timeout).passed())
        .isTrue();
    assertThat(SqlCheck.statementProblem("SELECT $$;$$ <> ''")).isEmpty();
  }

  @Test
  void aSyntaxErrorIsInvalidAndAnOutageIsUnknown() throws Exception {
    JdbcTarget target = SqlAlchemyUrl.toJdbc(TestingPostgres.createDatabase());
    CheckResult syntax =
        SqlCheck.run("t", target, "SELEC count(*) FROM campaigns", Duration.ofSeconds(5));
    assertThat(syntax.outcome()).isEqualTo(CheckResult.Outcome.INVALID);
    assertThat(syntax.message()).contains("42601").contains("SELEC");
    JdbcTarget down = SqlAlchemyUrl.toJdbc("postgresql://kiki:hunter2@127.0.0.1:1/kiki");
    CheckResult outage = SqlCheck.run("t", down, "SELECT true", Duration.ofSeconds(2));
    assertThat(outage.outcome()).isEqualTo(CheckResult.Outcome.UNKNOWN);
    assertThat(outage.message()).startsWith("could not run: ").doesNotContain("hunter2");
    JdbcTarget wrongPassword =
        SqlAlchemyUrl.toJdbc(TestingPostgres.serverUrl().replaceFirst(":[^:@/]+@", ":wrong@"));
    assertThat(SqlCheck.run("t", wrongPassword, "SELECT true", Duration.ofSeconds(5)).outcome())
        .isEqualTo(CheckResult.Outcome.UNKNOWN);
  }

  @Test
  void httpCheckExpectsTheStatus() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/ok",
        e -> {
          e.sendResponseHeaders(200, -1);
          e.close();
        });
    server.createContext(
        "/broken",
        e -> {
          e.sendResponseHeaders(503, -1);
          e.close();
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      assertThat(HttpCheck.run("api", base + "/ok", 200, Duration.ofSeconds(2)).passed()).isTrue();
      assertThat(HttpCheck.run("api", base + "/broken", 200, Duration.ofSeconds(2)).message())
          .contains("returned 503, expected 200");
      assertThat(HttpCheck.run("api", "http://127.0.0.1:1/", 200, Duration.ofSeconds(2)).passed())
          .isFalse();
    } finally {
      server.stop(0);
    }
  }
}
