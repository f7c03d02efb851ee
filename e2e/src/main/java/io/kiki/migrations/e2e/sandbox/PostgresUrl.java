package io.kiki.migrations.e2e.sandbox;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A PostgreSQL server address in SQLAlchemy form ({@code postgresql://user:password@host:port/db}), as
 * {@code scripts/postgres.sh} prints it and as the Jobs receive it, with its JDBC equivalent for assertions.
 * {@link #toString()} never shows the password.
 */
public record PostgresUrl(String user, String password, String host, int port, String database) {

  public static PostgresUrl parse(String url) {
    URI uri = URI.create(url.replaceFirst("^postgresql(\\+\\w+)?://", "postgresql://"));
    if (!"postgresql".equals(uri.getScheme()) || uri.getRawUserInfo() == null || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "expected postgresql://USER:PASSWORD@HOST:PORT/DB, got a URL with scheme " + uri.getScheme());
    }
    String[] userInfo = uri.getRawUserInfo().split(":", 2);
    String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new PostgresUrl(decode(userInfo[0]), userInfo.length > 1 ? decode(userInfo[1]) : "",
        uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, path);
  }

  public PostgresUrl withDatabase(String name) {
    return new PostgresUrl(user, password, host, port, name);
  }

  /** The URL a Job receives through its Secret (SQLAlchemy form). */
  public String sqlalchemyUrl() {
    return "postgresql://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + database;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(), props);
  }

  /**
   * Creates an empty database {@code name} on this server (dropping one left by an earlier run) and returns its
   * URL; connects to this URL's database to do so.
   */
  public PostgresUrl createDatabase(String name) throws SQLException {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database name must match [a-z_][a-z0-9_]*: " + name);
    }
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name);
    }
    return withDatabase(name);
  }

  @Override
  public String toString() {
    return "postgresql://" + user + ":***@" + host + ":" + port + "/" + database;
  }

  /** URLDecoder turns '+' into a space, which URL userinfo does not (as SqlAlchemyUrl and the runner read it). */
  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** URL-encoding for a URL's user name or password: URLEncoder alone writes a space as '+', read back as a '+'. */
  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
