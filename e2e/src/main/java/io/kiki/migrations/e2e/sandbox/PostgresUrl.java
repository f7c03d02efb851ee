package io.kiki.migrations.e2e.sandbox;

import io.kiki.migrations.operator.database.InvalidDatabaseUrlException;
import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.SqlAlchemyUrl;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;

/**
 * A PostgreSQL server address in SQLAlchemy form ({@code postgresql://user:password@host:port/db}),
 * as {@code scripts/postgres.sh} prints it and as the Jobs receive it, read and connected to with
 * the operator's own {@link SqlAlchemyUrl} and {@link JdbcTarget}. {@link #toString()} never shows
 * the password.
 */
public record PostgresUrl(String user, String password, String host, int port, String database) {

  /**
   * Reads {@code url} as the operator does ({@link SqlAlchemyUrl}); a URL without a password has an
   * empty one.
   */
  public static PostgresUrl parse(String url) {
    JdbcTarget target;
    try {
      target = SqlAlchemyUrl.toJdbc(url);
    } catch (InvalidDatabaseUrlException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new PostgresUrl(
        target.user(),
        Objects.toString(target.password(), ""),
        target.host(),
        target.port(),
        target.database());
  }

  public PostgresUrl withDatabase(String name) {
    return new PostgresUrl(user, password, host, port, name);
  }

  /** The URL a Job receives through its Secret (SQLAlchemy form). */
  public String sqlalchemyUrl() {
    return "postgresql://"
        + encode(user)
        + ":"
        + encode(password)
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database;
  }

  /** A connection as the operator makes one ({@link JdbcTarget}). */
  public Connection connect() throws SQLException {
    return jdbcTarget().connect(Duration.ofSeconds(10));
  }

  /** This server and database as the operator reaches it over JDBC. */
  public JdbcTarget jdbcTarget() {
    try {
      return SqlAlchemyUrl.toJdbc(sqlalchemyUrl());
    } catch (InvalidDatabaseUrlException e) {
      throw new IllegalStateException(
          "this class wrote a URL it cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Creates an empty database {@code name} on this server (dropping one left by an earlier run) and
   * returns its URL; connects to this URL's database to do so.
   */
  public PostgresUrl createDatabase(String name) throws SQLException {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database name must match [a-z_][a-z0-9_]*: " + name);
    }
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name);
    }
    return withDatabase(name);
  }

  @Override
  public String toString() {
    return "postgresql://" + user + ":***@" + host + ":" + port + "/" + database;
  }

  /**
   * URL-encoding for a URL's user name or password: URLEncoder alone writes a space as '+', read
   * back as a '+'.
   */
  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
