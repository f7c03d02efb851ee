package io.kiki.migrations.operator.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One setting of the operator, declared once: its environment variable, what it is for, its default
 * and how its value is read. {@link OperatorSettings} lists them all; the README's settings table
 * and the Deployment in manifests/ are checked against that list.
 *
 * @param name the environment variable
 * @param description what it is for, as the README says it
 * @param defaultValue the value when the variable is unset or blank (null: none, the library's own
 *     default applies)
 * @param defaultText the default as the README says it
 * @param expected the form a value must have, for the error a bad value gets
 * @param parser reads a value (stripped, not blank); throws IllegalArgumentException for a bad one
 */
public record OperatorSetting<T>(
    String name,
    String description,
    T defaultValue,
    String defaultText,
    String expected,
    Function<String, T> parser) {

  /**
   * The value of {@code text}, or an error naming this variable, the value and the form it must
   * have.
   */
  public T parse(String text) {
    try {
      return parser.apply(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          name
              + "=\""
              + text
              + "\" is not valid: expected "
              + expected
              + (defaultText.isEmpty() ? "" : " (unset, it is " + defaultText + ")"));
    }
  }

  static OperatorSetting<Duration> duration(
      String name, Duration defaultValue, String description) {
    return new OperatorSetting<>(
        name,
        description,
        defaultValue,
        DurationParser.format(defaultValue),
        "a duration such as 500ms, 10s, 2m or 1h30m",
        DurationParser::parse);
  }

  static OperatorSetting<Boolean> flag(String name, boolean defaultValue, String description) {
    return new OperatorSetting<>(
        name,
        description,
        defaultValue,
        String.valueOf(defaultValue),
        "true or false",
        text ->
            switch (text.toLowerCase(java.util.Locale.ROOT)) {
              case "true" -> true;
              case "false" -> false;
              default -> throw new IllegalArgumentException(text);
            });
  }

  static OperatorSetting<Integer> port(String name, int defaultValue, String description) {
    return new OperatorSetting<>(
        name,
        description,
        defaultValue,
        String.valueOf(defaultValue),
        "a port number from 1 to 65535",
        text -> {
          int port = Integer.parseInt(text);
          if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(text);
          }
          return port;
        });
  }

  static OperatorSetting<String> text(String name, String defaultText, String description) {
    return new OperatorSetting<>(
        name, description, null, defaultText, "any text", Function.identity());
  }

  static OperatorSetting<Set<String>> names(String name, String defaultText, String description) {
    return new OperatorSetting<>(
        name,
        description,
        Set.of(),
        defaultText,
        "comma-separated namespace names",
        text ->
            Arrays.stream(text.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet()));
  }
}
