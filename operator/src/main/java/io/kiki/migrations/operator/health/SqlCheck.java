package io.kiki.migrations.operator.health;

import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.Redaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.core.Parser;

/**
 * Runs a check query over JDBC: one statement (the driver's own parser counts them, so quotes,
 * comments and dollar-quoting are read as PostgreSQL reads them), in a session whose transactions
 * are all read-only, with a timeout. Passes when the query runs and the first column of its first
 * row (if there is a row) is not false, 0 or NULL. A query that could not run because the database
 * could not be reached is unknown, not failing; one that can never run as written (syntax, or an
 * attempt to write) is invalid.
 */
public final class SqlCheck {
  /**
   * SQLSTATEs that say the query as written cannot work: syntax error, writing in a read-only
   * transaction.
   */
  private static final Set<String> INVALID_STATES = Set.of("42601", "25006");

  /** What is left after the last semicolon of "SELECT 1; -- note": no statement. */
  private static final Pattern ONLY_COMMENTS =
      Pattern.compile("(\\s|--[^\\n]*(\\n|$)|/\\*.*?\\*/)*", Pattern.DOTALL);

  private SqlCheck() {}

  /** Why {@code sql} cannot be a check, or empty: it must be exactly one statement. */
  public static Optional<String> statementProblem(String sql) {
    if (sql == null || sql.isBlank()) {
      return Optional.of("the query is empty");
    }
    try {
      int count = statements(sql).size();
      return count == 1
          ? Optional.empty()
          : Optional.of(
              "the query has "
                  + count
                  + " statements; a check runs exactly "
                  + "one read-only query (e.g. SELECT count(*) >= 0 FROM campaign_deployments)");
    } catch (SQLException e) {
      return Optional.of("the query cannot be read: " + e.getMessage());
    }
  }

  /**
   * The statements of {@code sql} as PostgreSQL's driver splits them, without trailing comments.
   */
  private static List<String> statements(String sql) throws SQLException {
    return Parser.parseJdbcSql(sql, true, false, true, false, false).stream()
        .map(q -> q.nativeSql)
        .filter(text -> !ONLY_COMMENTS.matcher(text).matches())
        .toList();
  }

  public static CheckResult run(String name, JdbcTarget target, String sql, Duration timeout) {
    Optional<String> problem = statementProblem(sql);
    if (problem.isPresent()) {
      return CheckResult.invalid(name, problem.get());
    }
    int seconds = JdbcTarget.timeoutSeconds(timeout);
    try (Connection connection = target.connect(timeout)) {
      try (Statement session = connection.createStatement()) {
        // Every transaction of this session is read-only, not only the one the driver begins.
        session.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
      }
      connection.setReadOnly(true);
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(seconds);
        try (ResultSet rows = statement.executeQuery(statements(sql).get(0))) {
          if (!rows.next()) {
            return CheckResult.pass(name);
          }
          Object value = rows.getObject(1);
          boolean truthy =
              value != null
                  && !Boolean.FALSE.equals(value)
                  && !(value instanceof Number number && number.doubleValue() == 0);
          return truthy
              ? CheckResult.pass(name)
              : CheckResult.fail(name, "query returned " + value);
        }
      } finally {
        connection.rollback();
      }
    } catch (SQLException e) {
      String message = Redaction.redact(e.getMessage(), target.password());
      if (couldNotRun(e)) {
        return CheckResult.unknown(name, "could not run: " + message);
      }
      if (INVALID_STATES.contains(e.getSQLState())) {
        return CheckResult.invalid(
            name, "the query cannot run as written (SQLSTATE " + e.getSQLState() + "): " + message);
      }
      return CheckResult.fail(name, "query failed: " + message);
    }
  }

  /**
   * The database could not be reached or would not let the operator in: connection exceptions (08),
   * insufficient resources such as too many connections (53), operator intervention such as a
   * shutdown or a server starting (57P), invalid authorization (28), no such database (3D000).
   */
  static boolean couldNotRun(SQLException e) {
    String state = e.getSQLState();
    return state == null
        || state.startsWith("08")
        || state.startsWith("53")
        || state.startsWith("57P")
        || state.startsWith("28")
        || "3D000".equals(state);
  }
}
