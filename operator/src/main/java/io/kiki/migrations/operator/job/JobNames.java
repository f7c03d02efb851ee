package io.kiki.migrations.operator.job;

import io.kiki.migrations.api.v1alpha1.RolloutStage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Deterministic Job names, {@code <name>-<stage>-<rolloutId>[-<attempt>]}: a restarted operator
 * finds the Job it created. A Job name is also a label value on its pods, so at most 63 characters:
 * a longer resource name is cut and gets a hash of the whole name, and the stage and rollout stay
 * visible at the end. The same cut-and-hash keeps every label value and the backup file prefix
 * within their limits.
 */
public final class JobNames {
  public static final int MAX_LENGTH = 63;

  /** Kubernetes' limit on a label value. */
  public static final int MAX_LABEL_VALUE = 63;

  /** kiki-migrate's limit on the backup --name (the prefix of the backup files). */
  public static final int MAX_BACKUP_NAME = 100;

  private static final int HASH_LENGTH = 8;

  private JobNames() {}

  public static String forStage(
      String resourceName, RolloutStage stage, String rolloutId, int attempt) {
    String suffix =
        "-"
            + stage.name().toLowerCase(Locale.ROOT)
            + "-"
            + rolloutId
            + (attempt > 1 ? "-" + attempt : "");
    if (resourceName.length() + suffix.length() <= MAX_LENGTH) {
      return resourceName + suffix;
    }
    return cut(resourceName, MAX_LENGTH - suffix.length(), resourceName + suffix) + suffix;
  }

  /**
   * {@code value} when it has at most {@code max} characters; else its first characters, a dash and
   * a hash of the whole value, {@code max} characters at most, starting and ending with a letter or
   * digit.
   */
  public static String fit(String value, int max) {
    return value == null || value.length() <= max ? value : cut(value, max, value);
  }

  private static String cut(String value, int max, String hashed) {
    String hash = sha256(hashed).substring(0, HASH_LENGTH);
    String prefix =
        value.substring(0, Math.max(0, max - HASH_LENGTH - 1)).replaceAll("[-._]+$", "");
    return prefix.isEmpty() ? hash : prefix + "-" + hash;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
