package io.kiki.migrations.operator.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the spec's durations (90s, 2m, 1h30m, 500ms) and the operator's own settings. */
public final class DurationParser {
  private static final Pattern WHOLE =
      Pattern.compile(io.kiki.migrations.api.v1alpha1.Durations.PATTERN);
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private DurationParser() {}

  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text.strip()).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration like 90s, 2m or 1h30m");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text.strip());
    while (m.find()) {
      long value = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(value);
                case "s" -> Duration.ofSeconds(value);
                case "m" -> Duration.ofMinutes(value);
                default -> Duration.ofHours(value);
              });
    }
    return total;
  }

  /**
   * The duration, or {@code fallback} when the text is not one (a spec edited to something invalid
   * mid-rollout).
   */
  public static Duration parseOr(String text, Duration fallback) {
    return isValid(text) ? parse(text) : fallback;
  }

  /**
   * The duration the way {@link #parse} reads it, in its largest whole unit: 200ms, 10s, 5m, 2h.
   */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0 || millis == 0) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    return seconds % 3600 == 0
        ? seconds / 3600 + "h"
        : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }

  public static boolean isValid(String text) {
    return text != null && WHOLE.matcher(text.strip()).matches();
  }
}
