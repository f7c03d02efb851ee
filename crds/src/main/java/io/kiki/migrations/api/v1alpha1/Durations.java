package io.kiki.migrations.api.v1alpha1;

/** The duration syntax of the spec (a subset of Go's time.ParseDuration: 90s, 2m, 1h30m, 500ms). */
public final class Durations {
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  private Durations() {}
}
