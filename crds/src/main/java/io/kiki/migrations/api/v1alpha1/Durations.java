package io.kiki.migrations.api.v1alpha1;

/** The duration syntax of the spec (a subset of Go's time.ParseDuration: 90s, 2m, 1h30m, 500ms). */
public final class Durations {
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  /**
   * For CEL rules that convert a field with duration(): the pattern as a CEL string literal. A rule
   * converts only a value that matches it ({@code !self.x.matches(P) || duration(self.x) ...}), so
   * a malformed value gets the pattern's error alone, not also a type conversion error.
   */
  public static final String CEL_PATTERN = "'" + PATTERN + "'";

  private Durations() {}
}
