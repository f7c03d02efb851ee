package io.kiki.migrations.operator.health;

import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.Redaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Runs a check query over JDBC in a read-only transaction with a timeout. Passes when the query runs and the first
 * column of its first row (if there is a row) is not false, 0 or NULL.
 */
public final class SqlCheck {
  private SqlCheck() {
  }

  public static CheckResult run(String name, JdbcTarget target, String sql, Duration timeout) {
    int seconds = JdbcTarget.timeoutSeconds(timeout);
    try (Connection connection = target.connect(timeout)) {
      connection.setReadOnly(true);
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(seconds);
        try (ResultSet rows = statement.executeQuery(sql)) {
          if (!rows.next()) {
            return CheckResult.pass(name);
          }
          Object value = rows.getObject(1);
          boolean truthy = value != null && !Boolean.FALSE.equals(value)
              && !(value instanceof Number number && number.doubleValue() == 0);
          return truthy ? CheckResult.pass(name) : CheckResult.fail(name, "query returned " + value);
        }
      } finally {
        connection.rollback();
      }
    } catch (SQLException e) {
      return CheckResult.fail(name, "query failed: " + Redaction.redact(e.getMessage(), target.password()));
    }
  }
}
