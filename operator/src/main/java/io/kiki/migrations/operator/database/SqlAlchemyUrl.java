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
 * Reads the SQLAlchemy URL the runner uses ({@code
 * postgresql[+driver]://user:password@host:port/db?params}) and turns it into a JDBC target for the
 * operator's own reads. Credentials are percent-decoded and kept out of the JDBC URL; libpq
 * parameters are translated to their pgjdbc names.
 */
public final class SqlAlchemyUrl {
  private static final Pattern URL =
      Pattern.compile(
          "^(?<scheme>[A-Za-z][A-Za-z0-9+]*)://"
              + "(?:(?<user>[^:/@?]*)(?::(?<password>.*))?@)?"
              + "(?:\\[(?<ipv6>[^\\]/?]+)]|(?<host>[^:/?\\[\\]]*))"
              + "(?::(?<port>[^/?]*))?"
              + "(?:/(?<database>[^?]*))?"
              + "(?:\\?(?<query>.*))?$",
          Pattern.DOTALL);
  private static final Map<String, String> LIBPQ_TO_PGJDBC =
      Map.of(
          "connect_timeout", "connectTimeout",
          "application_name", "ApplicationName",
          "target_session_attrs", "targetServerType");
  public static final int DEFAULT_PORT = 5432;
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://");
  private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");
  private static final String USERINFO_DELIMITERS = "/?#[]";

  /**
   * How to encode, word for word as the runner says it ({@code database-urls.json}). URLEncoder is
   * meant for HTML forms: alone it writes a space as '+', which a URL parser reads back as a '+'.
   */
  static final String ENCODING_ADVICE =
      "URL-encode the password (and user name) in the Secret: "
          + "urllib.parse.quote(password, safe=\"\") in Python, URLEncoder.encode(password, UTF_8).replace(\"+\", \"%20\") "
          + "in Java (URLEncoder alone writes a space as '+', which every URL parser reads back as a '+'); '@' is %40, "
          + "'/' is %2F, ':' is %3A, '%' is %25, a space is %20";

  private SqlAlchemyUrl() {}

  public static JdbcTarget toJdbc(String url) throws InvalidDatabaseUrlException {
    if (url == null || url.isBlank()) {
      throw new InvalidDatabaseUrlException(
          "the database URL is empty; expected postgresql://user:password@host:5432/database");
    }
    String trimmed = url.strip();
    String problem = encodingProblem(trimmed);
    if (problem != null) {
      throw new InvalidDatabaseUrlException(
          "the database URL has " + problem + ". " + ENCODING_ADVICE);
    }
    Matcher m = URL.matcher(trimmed);
    if (!m.matches()) {
      throw new InvalidDatabaseUrlException(
          "'"
              + Redaction.redact(trimmed)
              + "' is not a URL of the form "
              + "postgresql://user:password@host:5432/database");
    }
    String scheme = m.group("scheme");
    String dialect = scheme.contains("+") ? scheme.substring(0, scheme.indexOf('+')) : scheme;
    if (!dialect.equals("postgresql") && !dialect.equals("postgres")) {
      throw new InvalidDatabaseUrlException(
          "the database URL uses '"
              + scheme
              + "://', but the operator supports PostgreSQL "
              + "only: use postgresql://user:password@host:5432/database (or name the image's driver: "
              + "postgresql+psycopg://... or postgresql+psycopg2://...)");
    }
    String host = m.group("ipv6") != null ? m.group("ipv6") : m.group("host");
    if (host == null || host.isEmpty()) {
      throw new InvalidDatabaseUrlException(
          "the database URL '"
              + Redaction.redact(trimmed)
              + "' has no host; "
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
        throw new InvalidDatabaseUrlException(
            "the database URL's port '" + portText + "' is not a number from 1 to 65535");
      }
    }
    String database = decode(m.group("database"));
    if (database == null || database.isEmpty()) {
      throw new InvalidDatabaseUrlException(
          "the database URL '"
              + Redaction.redact(trimmed)
              + "' names no database; "
              + "add it after the host: postgresql://user:password@"
              + host
              + ":"
              + port
              + "/<database>");
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

    StringBuilder jdbc =
        new StringBuilder("jdbc:postgresql://")
            .append(host.contains(":") ? "[" + host + "]" : host)
            .append(':')
            .append(port)
            .append('/')
            .append(URLEncoder.encode(database, StandardCharsets.UTF_8));
    if (!parameters.isEmpty()) {
      jdbc.append('?')
          .append(
              parameters.entrySet().stream()
                  .map(
                      e ->
                          LIBPQ_TO_PGJDBC.getOrDefault(e.getKey(), e.getKey())
                              + "="
                              + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                  .collect(Collectors.joining("&")));
    }
    return new JdbcTarget(
        jdbc.toString(), user, password, host, port, database, Map.copyOf(parameters));
  }

  /**
   * What in {@code url} must be URL-encoded before any parser can agree on its meaning, or null.
   * The rule the runner applies as well ({@code kiki_migrate/database.py}, {@code
   * url_encoding_problem}), so that both read a URL the same way or both refuse it (shared cases:
   * {@code migrations-image/tests/fixtures/database-urls.json}): after {@code scheme://}, at most
   * one '@' (the one before the host); no '/', '?', '#', '[', ']' or whitespace before it; every
   * '%' starts a %XX escape. SQLAlchemy reads {@code kiki:p@ss@host} as password "p" on host
   * "ss@host", a last-'@' reading as password "p@ss": refusing is the only reading both can share.
   * The text never holds the URL.
   */
  static String encodingProblem(String url) {
    Matcher scheme = SCHEME.matcher(url);
    if (!scheme.find() || url.startsWith("/", scheme.end())) {
      return null;
    }
    if (BAD_ESCAPE.matcher(url).find()) {
      return "a '%' that does not start a %XX escape (write '%' as %25)";
    }
    String rest = url.substring(scheme.end());
    long ats = rest.chars().filter(c -> c == '@').count();
    if (ats > 1) {
      return ats
          + " '@' characters, but only the one before the host may be unencoded (write '@' in a password or "
          + "user name as %40)";
    }
    if (ats == 1) {
      String userinfo = rest.substring(0, rest.indexOf('@'));
      String listed =
          userinfo
              .chars()
              .filter(c -> USERINFO_DELIMITERS.indexOf(c) >= 0 || Character.isWhitespace(c))
              .distinct()
              .sorted()
              .mapToObj(c -> "'" + (char) c + "' as " + escape((char) c))
              .collect(Collectors.joining(", "));
      if (!listed.isEmpty()) {
        return "a user name or password with characters that end it early (write " + listed + ")";
      }
    }
    return null;
  }

  private static String escape(char c) {
    return c == ' ' ? "%20" : URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8);
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
        throw new InvalidDatabaseUrlException(
            "the database URL's query parameter '"
                + Redaction.redact(pair)
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
