package io.kiki.migrations.operator.database;

/**
 * The Secret's value is not a PostgreSQL SQLAlchemy URL the operator can use. The message never
 * holds the password.
 */
public class InvalidDatabaseUrlException extends Exception {
  public InvalidDatabaseUrlException(String message) {
    super(message);
  }
}
