package io.kiki.migrations.operator.controller;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The part of the spec a rollout is made of. The fields that only steer the operator are left out,
 * since changing one changes nothing a rollout would do:
 *
 * <ul>
 *   <li>suspend: whether a rollout may start or go on, not what it does;
 *   <li>successfulJobsHistoryLimit, failedJobsHistoryLimit: which finished Jobs stay;
 *   <li>driftPolicy, driftCheckInterval: when the database is read between rollouts and whether a
 *       drift starts one (that rollout starts from the drift check, not from the spec change);
 *   <li>maintenanceWindow, approval: gates that decide when a rollout's stages may run; a finished
 *       rollout has nothing left to gate.
 * </ul>
 *
 * Everything else (targetRevision, image, database, backup, rehearsal, verify, rollback, lint,
 * allowDowngrade, timeouts, jobTemplate, retryToken) changes what a rollout does or asks for one
 * explicitly. A new generation that differs only in steering fields while the resource is at rest
 * (terminal phase, its last rollout started from the same hash) starts no rollout.
 */
final class RolloutSpec {
  static final List<String> STEERING =
      List.of(
          "suspend",
          "successfulJobsHistoryLimit",
          "failedJobsHistoryLimit",
          "driftPolicy",
          "driftCheckInterval",
          "maintenanceWindow",
          "approval");

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private RolloutSpec() {}

  /** SHA-256 (hex, 16 characters) of the spec without its steering fields, keys sorted. */
  static String hash(DatabaseMigrationSpec spec) {
    if (spec == null) {
      return null;
    }
    ObjectNode tree = MAPPER.valueToTree(spec);
    tree.remove(STEERING);
    try {
      // Through a map, so every level's keys are sorted: the hash does not depend on field order.
      String canonical = MAPPER.writeValueAsString(MAPPER.treeToValue(tree, Object.class));
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the spec", e);
    }
  }

  /**
   * At rest (a terminal phase) after a rollout started from this very rollout-relevant spec: a new
   * generation only changed how the operator is steered, and starts no rollout.
   */
  static boolean unchangedAtRest(DatabaseMigration resource, DatabaseMigrationStatus status) {
    return status.getPhase() != null
        && status.getPhase().isTerminal()
        && status.getRollout() != null
        && status.getRollout().getSpecHash() != null
        && Objects.equals(status.getRollout().getSpecHash(), hash(resource.getSpec()));
  }
}
