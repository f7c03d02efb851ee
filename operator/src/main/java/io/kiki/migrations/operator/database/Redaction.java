package io.kiki.migrations.operator.database;

import java.util.regex.Pattern;

/**
 * The one function that removes credentials from anything the operator prints: status, events,
 * logs.
 */
public final class Redaction {
  public static final String MASK = "***";
  // scheme://user:password@  (password up to the last '@' before the host part, as SQLAlchemy reads
  // it)
  private static final Pattern URL_PASSWORD =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^:/@\\s]*):[^\\s]*@");
  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("(?i)((?:password|passwd|pwd)\\s*[=:]\\s*)[^&\\s,;]+");

  private Redaction() {}

  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String result = URL_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
    return PASSWORD_PARAM.matcher(result).replaceAll("$1" + MASK);
  }

  /**
   * Redacts, and also removes a known secret value wherever it appears (e.g. an unencoded password
   * in an error).
   */
  public static String redact(String text, String secret) {
    String result = redact(text);
    if (result != null && secret != null && secret.length() >= 3) {
      result = result.replace(secret, MASK);
    }
    return result;
  }
}
