package io.kiki.migrations.operator.database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the database's current Alembic revision(s) from the project's version table
 * (alembic_version unless env.py names another, see {@link VersionTable}); a missing table means
 * base.
 */
public class AlembicRevisionReader {
  public static final String BASE = "base";
  private static final String UNDEFINED_TABLE = "42P01";
  private final Duration connectTimeout;

  public AlembicRevisionReader(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  /** The current revisions in Alembic's default table, sorted; empty for base. */
  public List<String> read(JdbcTarget target) {
    return read(target, VersionTable.DEFAULT);
  }

  /**
   * The current revisions in {@code table}, sorted; empty for base (no such table, or no such
   * schema).
   */
  public List<String> read(JdbcTarget target, VersionTable table) {
    try (Connection connection = target.connect(connectTimeout);
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(JdbcTarget.timeoutSeconds(connectTimeout));
      List<String> revisions = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT version_num FROM " + table.sql() + " ORDER BY version_num")) {
        while (rows.next()) {
          revisions.add(rows.getString(1));
        }
      }
      return revisions;
    } catch (SQLException e) {
      if (UNDEFINED_TABLE.equals(e.getSQLState())) {
        return List.of();
      }
      throw DatabaseRefusedException.of(target, e, "cannot read the version table " + table);
    }
  }

  /**
   * "base" for no revision, else the ids joined with commas (several only with unmerged branches).
   */
  public static String describe(List<String> revisions) {
    return revisions.isEmpty() ? BASE : String.join(",", revisions);
  }
}
