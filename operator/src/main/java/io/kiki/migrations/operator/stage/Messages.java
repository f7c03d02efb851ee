package io.kiki.migrations.operator.stage;

/**
 * Composing status messages from other messages (the runner's, a Job's) that may end in a full stop
 * of their own.
 */
public final class Messages {
  private Messages() {}

  /**
   * {@code text} without a trailing full stop, for embedding before "; ..." or ". ..." ("owner.;
   * the" otherwise).
   */
  public static String clause(String text) {
    String trimmed = text == null ? "" : text.strip();
    return trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}
