package io.kiki.migrations.operator.database;

import java.util.Map;
import java.util.Properties;

/**
 * A database the operator connects to over JDBC: URL without credentials, plus the credentials, which only
 * go into the driver's Properties. toString() never shows the password.
 */
public record JdbcTarget(String jdbcUrl, String user, String password, String host, int port, String database,
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
    properties.setProperty("socketTimeout", String.valueOf(Math.max(30, connectTimeoutSeconds * 3)));
    properties.putIfAbsent("ApplicationName", "kiki-migrations-operator");
    return properties;
  }

  @Override
  public String toString() {
    return jdbcUrl + " (user " + user + ")";
  }
}
