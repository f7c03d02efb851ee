package io.kiki.migrations.e2e.cluster;

import io.kiki.migrations.e2e.sandbox.PostgresUrl;

/**
 * One scenario's database: {@code clusterUrl} is what Jobs and the operator use (the Secret's
 * value), {@code hostAccess} is how the test itself reaches the same database for assertions (the
 * same address in the sandbox, a port-forward in a real cluster).
 */
public record TestDatabase(String name, String clusterUrl, PostgresUrl hostAccess) {

  public String password() {
    return hostAccess.password();
  }

  @Override
  public String toString() {
    return name + " (" + hostAccess + ")";
  }
}
