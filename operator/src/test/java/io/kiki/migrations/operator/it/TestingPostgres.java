package io.kiki.migrations.operator.it;

import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.SqlAlchemyUrl;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/** A fresh database per test on the throwaway PostgreSQL server named by KIKI_TEST_POSTGRES_URL. */
public final class TestingPostgres {
  private TestingPostgres() {}

  public static String serverUrl() {
    String url = System.getenv("KIKI_TEST_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException(
          "KIKI_TEST_POSTGRES_URL is not set: start a throwaway server with "
              + "`eval \"$(scripts/postgres.sh start $(mktemp -d))\"` or run scripts/test.sh");
    }
    return url;
  }

  /** Creates a new empty database and returns its SQLAlchemy URL (same server and credentials). */
  public static String createDatabase() throws Exception {
    String server = serverUrl();
    JdbcTarget admin = SqlAlchemyUrl.toJdbc(server);
    String name =
        "kiki_it_"
            + UUID.randomUUID()
                .toString()
                .replace("-", "")
                .substring(0, 12)
                .toLowerCase(Locale.ROOT);
    try (Connection connection = admin.connect(Duration.ofSeconds(10));
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    int slash = server.indexOf('/', server.indexOf("://") + 3);
    int query = server.indexOf('?', slash);
    return server.substring(0, slash + 1) + name + (query < 0 ? "" : server.substring(query));
  }

  public static JdbcTarget target(String sqlAlchemyUrl) throws Exception {
    return SqlAlchemyUrl.toJdbc(sqlAlchemyUrl);
  }

  public static void execute(String sqlAlchemyUrl, String sql) throws Exception {
    JdbcTarget target = target(sqlAlchemyUrl);
    try (Connection connection = target.connect(Duration.ofSeconds(10));
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
