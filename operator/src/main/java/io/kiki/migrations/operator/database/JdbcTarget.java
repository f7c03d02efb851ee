package io.kiki.migrations.operator.database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * A database the operator connects to over JDBC: URL without credentials, plus the credentials,
 * which only go into the driver's Properties. toString() never shows the password.
 */
public record JdbcTarget(
    String jdbcUrl,
    String user,
    String password,
    String host,
    int port,
    String database,
    Map<String, String> parameters) {

  public DatabaseIdentity identity() {
    return new DatabaseIdentity(host, port, database);
  }

  public Properties connectionProperties(int connectTimeoutSeconds) {
    Properties properties = new Properties();
    if (user != null && !user.isEmpty()) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
    properties.setProperty("loginTimeout", String.valueOf(connectTimeoutSeconds));
    properties.setProperty(
        "socketTimeout", String.valueOf(Math.max(30, connectTimeoutSeconds * 3)));
    properties.putIfAbsent("ApplicationName", "kiki-migrations-operator");
    return properties;
  }

  /**
   * A connection whose connect, login and socket timeouts derive from {@code timeout} (at least one
   * second).
   */
  public Connection connect(Duration timeout) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, connectionProperties(timeoutSeconds(timeout)));
  }

  /** {@code timeout} in whole seconds, at least one: the unit JDBC timeouts take. */
  public static int timeoutSeconds(Duration timeout) {
    return (int) Math.max(1, timeout.toSeconds());
  }

  @Override
  public String toString() {
    return jdbcUrl + " (user " + user + ")";
  }
}
