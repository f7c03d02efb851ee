package io.kiki.migrations.operator.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.database.Redaction;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that writes phase, message and kstatus conditions, and the status itself to the API
 * ({@link #write}). lastTransitionTime changes only when a condition's status changes; every
 * message goes through redaction.
 */
public final class StatusRecorder {
  public static final int HISTORY_LIMIT = 10;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The status changed under this reconcile (another writer, or a cache that lagged behind the
   * API): what it decided rests on a status that is gone, so it is not written; JOSDK runs the
   * reconcile again on the newer resource.
   */
  public static final class StaleStatusException extends RuntimeException {
    StaleStatusException(DatabaseMigration resource) {
      super(
          "the status of "
              + resource.getMetadata().getNamespace()
              + "/"
              + resource.getMetadata().getName()
              + " changed since this reconcile read it (resourceVersion "
              + resource.getMetadata().getResourceVersion()
              + "); reconciling again");
    }
  }

  private StatusRecorder() {}

  /**
   * Writes {@code status} over the status {@code resource} has (the one it was built from), once,
   * and not at all when nothing changed. The write carries the resourceVersion: when someone else
   * changed the resource meanwhile (a label, an annotation, the spec), the 409 is retried here on
   * the newer version, as long as its status is still the one this status was built from. The
   * written resource is kept in the controller's cache (JOSDK's PrimaryUpdateAndCacheUtils), so the
   * next reconcile sees this status without reading the resource from the API.
   *
   * @return the resource as written, or {@code resource} when nothing changed
   */
  public static DatabaseMigration write(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      Context<DatabaseMigration> context) {
    DatabaseMigrationStatus builtFrom = resource.getStatus();
    if (same(builtFrom, status)) {
      return resource;
    }
    return PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
        resource,
        context,
        current -> {
          if (current != resource && !same(current.getStatus(), builtFrom)) {
            throw new StaleStatusException(current);
          }
          current.setStatus(status);
          return current;
        });
  }

  /** Whether the two statuses say the same (field by field, as the API would store them). */
  public static boolean same(DatabaseMigrationStatus a, DatabaseMigrationStatus b) {
    return MAPPER
        .valueToTree(a == null ? new DatabaseMigrationStatus() : a)
        .equals(MAPPER.valueToTree(b == null ? new DatabaseMigrationStatus() : b));
  }

  /** A copy to build the next status in, leaving the resource's own status as it was read. */
  public static DatabaseMigrationStatus copy(DatabaseMigrationStatus status) {
    return status == null
        ? new DatabaseMigrationStatus()
        : MAPPER.convertValue(status, DatabaseMigrationStatus.class);
  }

  /**
   * Working on a rollout (or waiting for the database): Reconciling=True, Ready=False,
   * Stalled=False.
   */
  public static void progressing(
      DatabaseMigrationStatus status,
      Phase phase,
      String reason,
      String message,
      long generation,
      Instant now) {
    set(status, phase, message, generation);
    condition(status, ConditionTypes.RECONCILING, true, reason, message, generation, now);
    condition(status, ConditionTypes.READY, false, reason, message, generation, now);
    condition(status, ConditionTypes.STALLED, false, reason, message, generation, now);
  }

  /**
   * spec.suspend holds the resource: phase Suspended, Ready=False, Reconciling=False (nothing is in
   * progress), Stalled=False (nothing is wrong), all with reason Suspended.
   */
  public static void suspended(
      DatabaseMigrationStatus status, String message, long generation, Instant now) {
    set(status, Phase.Suspended, message, generation);
    String reason = Reasons.SUSPENDED;
    condition(status, ConditionTypes.READY, false, reason, message, generation, now);
    condition(status, ConditionTypes.RECONCILING, false, reason, message, generation, now);
    condition(status, ConditionTypes.STALLED, false, reason, message, generation, now);
  }

  /** At the target: Ready=True, Reconciling=False, Stalled=False. */
  public static void ready(
      DatabaseMigrationStatus status, String reason, String message, long generation, Instant now) {
    set(status, Phase.Ready, message, generation);
    condition(status, ConditionTypes.READY, true, reason, message, generation, now);
    condition(status, ConditionTypes.RECONCILING, false, reason, message, generation, now);
    condition(status, ConditionTypes.STALLED, false, reason, message, generation, now);
    Condition drifted = find(status, ConditionTypes.DRIFTED);
    if (drifted != null && "True".equals(drifted.getStatus())) {
      condition(status, ConditionTypes.DRIFTED, false, Reasons.AT_TARGET, message, generation, now);
    }
  }

  /**
   * Needs a human (terminal outcome or bad configuration): Stalled=True, Ready=False,
   * Reconciling=False.
   */
  public static void stalled(
      DatabaseMigrationStatus status,
      Phase phase,
      String reason,
      String message,
      long generation,
      Instant now) {
    set(status, phase, message, generation);
    condition(status, ConditionTypes.STALLED, true, reason, message, generation, now);
    condition(status, ConditionTypes.READY, false, reason, message, generation, now);
    condition(status, ConditionTypes.RECONCILING, false, reason, message, generation, now);
  }

  /**
   * A transient problem while reconciling; the phase stays, Reconciling=True says what is wrong.
   */
  public static void transientProblem(
      DatabaseMigrationStatus status, String reason, String message, long generation, Instant now) {
    if (status.getPhase() == null || status.getPhase().isTerminal()) {
      status.setPhase(Phase.Pending);
    }
    status.setMessage(Redaction.redact(message));
    status.setObservedGeneration(generation);
    condition(status, ConditionTypes.RECONCILING, true, reason, message, generation, now);
    condition(status, ConditionTypes.READY, false, reason, message, generation, now);
    condition(status, ConditionTypes.STALLED, false, reason, message, generation, now);
  }

  public static void condition(
      DatabaseMigrationStatus status,
      String type,
      boolean value,
      String reason,
      String message,
      long generation,
      Instant now) {
    List<Condition> conditions =
        status.getConditions() == null
            ? new ArrayList<>()
            : new ArrayList<>(status.getConditions());
    String text = value ? "True" : "False";
    Condition condition =
        conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    if (condition == null) {
      condition = new Condition();
      condition.setType(type);
      conditions.add(condition);
    }
    if (!text.equals(condition.getStatus()) || condition.getLastTransitionTime() == null) {
      condition.setLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString());
    }
    condition.setStatus(text);
    condition.setReason(reason);
    condition.setMessage(Redaction.redact(message));
    condition.setObservedGeneration(generation);
    conditions.sort((a, b) -> order(a.getType()) - order(b.getType()));
    status.setConditions(conditions);
  }

  public static Condition find(DatabaseMigrationStatus status, String type) {
    return status == null || status.getConditions() == null
        ? null
        : status.getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst()
            .orElse(null);
  }

  /** Newest first, at most HISTORY_LIMIT entries. */
  public static void addHistory(DatabaseMigrationStatus status, HistoryEntry entry) {
    List<HistoryEntry> history = new ArrayList<>();
    history.add(entry);
    if (status.getHistory() != null) {
      history.addAll(status.getHistory());
    }
    status.setHistory(new ArrayList<>(history.subList(0, Math.min(HISTORY_LIMIT, history.size()))));
  }

  /**
   * A generation that changes nothing of the outcome (only fields that steer the operator): it is
   * observed, and the phase, message and conditions stay as they are, now of this generation.
   */
  public static void observed(DatabaseMigrationStatus status, long generation) {
    status.setObservedGeneration(generation);
    status.getConditions().forEach(c -> c.setObservedGeneration(generation));
  }

  private static void set(
      DatabaseMigrationStatus status, Phase phase, String message, long generation) {
    status.setPhase(phase);
    status.setMessage(Redaction.redact(message));
    status.setObservedGeneration(generation);
  }

  private static int order(String type) {
    return switch (type) {
      case ConditionTypes.READY -> 0;
      case ConditionTypes.RECONCILING -> 1;
      case ConditionTypes.STALLED -> 2;
      default -> 3;
    };
  }
}
