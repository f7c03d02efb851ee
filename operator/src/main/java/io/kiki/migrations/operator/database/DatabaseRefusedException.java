package io.kiki.migrations.operator.database;

import io.kiki.migrations.operator.stage.Messages;
import io.kiki.migrations.operator.status.Reasons;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The database answered, and refused: wrong user or password, no such database, TLS required by one
 * side and refused by the other. Retrying does not help until someone changes the Secret or the
 * server, so the resource is Stalled with the reason (as for a missing Secret), while the operator
 * keeps rechecking.
 */
public class DatabaseRefusedException extends DatabaseUnreachableException {
  private final String reason;

  private DatabaseRefusedException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }

  /**
   * A refusal for {@code e} when its SQLSTATE (or pgjdbc's TLS message) says the settings are
   * wrong, else a plain unreachable database (transient).
   */
  public static DatabaseUnreachableException of(JdbcTarget target, SQLException e, String what) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String text = Redaction.redact(e.getMessage(), target.password());
    String lower = text.toLowerCase(Locale.ROOT);
    String clause =
        Messages.clause(text); // the driver's message may end in a full stop: "SSL.. Set" otherwise
    String where = target.identity().toString();
    if (state.startsWith("28")) {
      return new DatabaseRefusedException(
          Reasons.DATABASE_AUTHENTICATION_FAILED,
          what
              + ": "
              + where
              + " refused the user or password of the URL in the Secret (spec.database.urlSecretRef): "
              + clause
              + ". Fix the credentials in the Secret (or the server's pg_hba.conf); the operator checks again by itself.",
          e);
    }
    if ("3D000".equals(state)) {
      return new DatabaseRefusedException(
          Reasons.DATABASE_NOT_FOUND,
          what
              + ": "
              + where
              + " has no such database: "
              + clause
              + ". Create the database, or fix its name in the URL in the Secret; the operator checks again by itself.",
          e);
    }
    if (lower.contains("ssl") || lower.contains("tls")) {
      return new DatabaseRefusedException(
          Reasons.DATABASE_TLS_REFUSED,
          what
              + ": "
              + where
              + " and the URL in the "
              + "Secret disagree about TLS: "
              + clause
              + ". Set sslmode in the URL (e.g. ?sslmode=require, or disable) to what "
              + "the server accepts; the operator checks again by itself.",
          e);
    }
    return new DatabaseUnreachableException(
        what
            + " from "
            + where
            + ": "
            + text
            + " (check host, port, database and "
            + "credentials of the URL in the Secret, and that the database accepts connections from the operator)",
        e);
  }
}
