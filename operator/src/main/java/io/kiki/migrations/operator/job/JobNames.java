package io.kiki.migrations.operator.job;

import io.kiki.migrations.api.v1alpha1.RolloutStage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Deterministic Job names, {@code <name>-<stage>-<rolloutId>[-<attempt>]}: a restarted operator finds the Job it
 * created. Names longer than 63 characters (the limit of the job-name label) are cut and get a hash suffix.
 */
public final class JobNames {
  public static final int MAX_LENGTH = 63;
  private static final int HASH_LENGTH = 8;

  private JobNames() {
  }

  public static String forStage(String resourceName, RolloutStage stage, String rolloutId, int attempt) {
    String name = resourceName + "-" + stage.name().toLowerCase(Locale.ROOT) + "-" + rolloutId
        + (attempt > 1 ? "-" + attempt : "");
    if (name.length() <= MAX_LENGTH) {
      return name;
    }
    String hash = sha256(name).substring(0, HASH_LENGTH);
    String prefix = name.substring(0, MAX_LENGTH - HASH_LENGTH - 1).replaceAll("[-.]+$", "");
    return prefix + "-" + hash;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
