package io.kiki.migrations.operator.database;

/**
 * A transient failure to reach the database (or to read from it): retried with backoff, never
 * terminal.
 */
public class DatabaseUnreachableException extends RuntimeException {
  public DatabaseUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
