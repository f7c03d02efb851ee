package io.kiki.migrations.operator.database;

import java.util.Locale;

/**
 * What makes two resources point at the same database: host, port and database name (not the user).
 */
public record DatabaseIdentity(String host, int port, String database) {
  public DatabaseIdentity {
    host = host.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
  }
}
