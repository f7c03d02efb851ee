package io.kiki.migrations.operator.database;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the SQLAlchemy URL the runner uses ({@code postgresql[+driver]://user:password@host:port/db?params}) and
 * turns it into a JDBC target for the operator's own reads. Credentials are percent-decoded and kept out of the
 * JDBC URL; libpq parameters are translated to their pgjdbc names.
 */
public final class SqlAlchemyUrl {
  private static final Pattern URL = Pattern.compile(
      "^(?<scheme>[A-Za-z][A-Za-z0-9+]*)://"
          + "(?:(?<user>[^:/@?]*)(?::(?<password>.*))?@)?"
          + "(?:\\[(?<ipv6>[^\\]/?]+)]|(?<host>[^:/?\\[\\]]*))"
          + "(?::(?<port>[^/?]*))?"
          + "(?:/(?<database>[^?]*))?"
          + "(?:\\?(?<query>.*))?$", Pattern.DOTALL);
  private static final Map<String, String> LIBPQ_TO_PGJDBC = Map.of(
      "connect_timeout", "connectTimeout",
      "application_name", "ApplicationName",
      "target_session_attrs", "targetServerType");
  public static final int DEFAULT_PORT = 5432;

  private SqlAlchemyUrl() {
  }

  public static JdbcTarget toJdbc(String url) throws InvalidDatabaseUrlException {
    if (url == null || url.isBlank()) {
      throw new InvalidDatabaseUrlException("the database URL is empty; expected postgresql://user:password@host:5432/database");
    }
    String trimmed = url.strip();
    Matcher m = URL.matcher(trimmed);
    if (!m.matches()) {
      throw new InvalidDatabaseUrlException("'" + Redaction.redact(trimmed) + "' is not a URL of the form "
          + "postgresql://user:password@host:5432/database");
    }
    String scheme = m.group("scheme");
    String dialect = scheme.contains("+") ? scheme.substring(0, scheme.indexOf('+')) : scheme;
    if (!dialect.equals("postgresql") && !dialect.equals("postgres")) {
      throw new InvalidDatabaseUrlException("the database URL uses '" + scheme + "://', but the operator supports PostgreSQL "
          + "only: use postgresql://user:password@host:5432/database (or postgresql+psycopg2://...)");
    }
    String host = m.group("ipv6") != null ? m.group("ipv6") : m.group("host");
    if (host == null || host.isEmpty()) {
      throw new InvalidDatabaseUrlException("the database URL '" + Redaction.redact(trimmed) + "' has no host; "
          + "the operator connects over TCP: postgresql://user:password@host:5432/database");
    }
    int port = DEFAULT_PORT;
    String portText = m.group("port");
    if (portText != null && !portText.isEmpty()) {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new InvalidDatabaseUrlException("the database URL's port '" + portText + "' is not a number from 1 to 65535");
      }
    }
    String database = decode(m.group("database"));
    if (database == null || database.isEmpty()) {
      throw new InvalidDatabaseUrlException("the database URL '" + Redaction.redact(trimmed) + "' names no database; "
          + "add it after the host: postgresql://user:password@" + host + ":" + port + "/<database>");
    }
    Map<String, String> parameters = parseQuery(m.group("query"));
    String user = decode(m.group("user"));
    String password = decode(m.group("password"));
    if (parameters.containsKey("user") && (user == null || user.isEmpty())) {
      user = parameters.get("user");
    }
    if (parameters.containsKey("password") && password == null) {
      password = parameters.get("password");
    }
    parameters.remove("user");
    parameters.remove("password");

    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://")
        .append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port)
        .append('/').append(URLEncoder.encode(database, StandardCharsets.UTF_8));
    if (!parameters.isEmpty()) {
      jdbc.append('?').append(parameters.entrySet().stream()
          .map(e -> LIBPQ_TO_PGJDBC.getOrDefault(e.getKey(), e.getKey()) + "="
              + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
          .collect(Collectors.joining("&")));
    }
    return new JdbcTarget(jdbc.toString(), user, password, host, port, database, Map.copyOf(parameters));
  }

  private static Map<String, String> parseQuery(String query) throws InvalidDatabaseUrlException {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return parameters;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new InvalidDatabaseUrlException("the database URL's query parameter '" + Redaction.redact(pair)
            + "' has no value; write name=value (e.g. sslmode=require)");
      }
      parameters.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
    }
    return parameters;
  }

  private static String decode(String text) {
    if (text == null) {
      return null;
    }
    // URLDecoder turns '+' into a space, which URL userinfo does not: keep '+' literal.
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
