package io.kiki.migrations.operator.database;

/**
 * The resource's database settings cannot be used (Secret or key missing, URL malformed); fixed by
 * the user.
 */
public class DatabaseConfigException extends Exception {
  private final String reason;

  public DatabaseConfigException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
