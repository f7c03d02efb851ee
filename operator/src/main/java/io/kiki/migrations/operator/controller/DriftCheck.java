package io.kiki.migrations.operator.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.DriftPolicy;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.database.DatabaseConfigException;
import io.kiki.migrations.operator.database.DatabaseLocks;
import io.kiki.migrations.operator.database.DatabaseResolver;
import io.kiki.migrations.operator.database.DatabaseUnreachableException;
import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.Redaction;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.status.ConditionTypes;
import io.kiki.migrations.operator.status.Reasons;
import io.kiki.migrations.operator.status.StatusRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift: the database of a Ready resource is read on the resource's own schedule ({@link
 * DriftSchedule}, spec.driftCheckInterval) and compared with the revision the resource's last
 * rollout left it at (status.targetRevision). Found elsewhere, with no rollout having moved it (a
 * person ran {@code alembic downgrade} or {@code stamp}, another tool migrated it), the resource is
 * Drifted: phase Drifted, Stalled=True and Drifted=True naming the revision found, the target and
 * the fix, one event and one count per change (never per read). Back at the target it is Ready
 * again. With spec.driftPolicy Reconcile it starts a rollout of the same generation back to the
 * target, through the reconciler's own start of a rollout, so every stage and gate of a spec change
 * applies; never from a database whose version table is gone or empty, nor from a revision another
 * resource on the same database brought it to.
 */
final class DriftCheck {
  static final String TRIGGER = "Drift";
  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  private static final Logger LOG = LoggerFactory.getLogger(DriftCheck.class);

  /** The reconciler's start of a rollout (the one a spec change takes). */
  interface RolloutStart {
    Decision start(
        DatabaseMigration resource, DatabaseMigrationStatus status, long generation, Instant now);
  }

  private final DriftSchedule schedule = new DriftSchedule();
  private final DatabaseResolver resolver;
  private final AlembicRevisionReader revisions;
  private final OperatorMetrics metrics;

  DriftCheck(DatabaseResolver resolver, AlembicRevisionReader revisions, OperatorMetrics metrics) {
    this.resolver = resolver;
    this.revisions = revisions;
    this.metrics = metrics;
  }

  /** Ready, or Drifted: the database is read on the schedule. */
  static boolean watches(DatabaseMigrationStatus status) {
    return status.getTargetRevision() != null
        && (status.getPhase() == Phase.Ready || status.getPhase() == Phase.Drifted);
  }

  /**
   * A rollout started from Waiting or Pending at the generation a drift was found in is the drift's
   * rollout (it waited for the database lock or a Secret).
   */
  static boolean pending(DatabaseMigrationStatus status, long generation) {
    Condition drifted = StatusRecorder.find(status, ConditionTypes.DRIFTED);
    return drifted != null
        && "True".equals(drifted.getStatus())
        && Objects.equals(status.getObservedGeneration(), generation)
        && Objects.equals(drifted.getObservedGeneration(), generation);
  }

  static Duration interval(DatabaseMigrationSpec spec) {
    String value = spec == null ? null : spec.getDriftCheckInterval();
    return DurationParser.isValid(value) ? DurationParser.parse(value) : DEFAULT_INTERVAL;
  }

  /**
   * The resource is watched from now on (it just became Ready, or was just checked): its first
   * moment counts as read. Returns the time to its next moment.
   */
  Duration arm(DatabaseMigration resource, Instant now) {
    Duration interval = interval(resource.getSpec());
    String key = key(resource);
    schedule.claim(key, interval, now);
    return DriftSchedule.untilNext(key, interval, now);
  }

  /**
   * Reads the database when its moment has come; else only says when that is. {@code known}: the
   * resources in the controller's cache (read only when a drift is found).
   */
  Decision check(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      long generation,
      Instant now,
      Supplier<Collection<DatabaseMigration>> known,
      RolloutStart rollout) {
    DatabaseMigrationSpec spec = resource.getSpec();
    if (spec == null) {
      return new Decision();
    }
    Duration interval = interval(spec);
    String key = key(resource);
    Decision next = new Decision().requeue(DriftSchedule.untilNext(key, interval, now));
    if (!schedule.claim(key, interval, now)) {
      return next;
    }
    String identity;
    String current;
    try {
      JdbcTarget database =
          resolver.resolve(
              resource.getMetadata().getNamespace(), spec.getDatabase().getUrlSecretRef());
      identity = database.identity().toString();
      current = AlembicRevisionReader.describe(revisions.read(database, VersionTable.of(status)));
    } catch (DatabaseConfigException | DatabaseUnreachableException e) {
      // Nothing is known about drift; the next moment reads again.
      LOG.debug(
          "{}: drift check skipped: {}",
          DatabaseLocks.key(resource),
          Redaction.redact(e.getMessage()));
      return next;
    }
    String target = status.getTargetRevision();
    if (current.equals(target)) {
      if (status.getPhase() == Phase.Drifted) {
        status.setCurrentRevision(current);
        String message = "the database is back at " + target + ", the target";
        StatusRecorder.ready(status, Reasons.UP_TO_DATE, message, generation, now);
        return next.event(Reasons.UP_TO_DATE, message);
      }
      return next;
    }
    DriftPolicy policy = Optional.ofNullable(spec.getDriftPolicy()).orElse(DriftPolicy.Report);
    boolean reported =
        status.getPhase() == Phase.Drifted && current.equals(status.getCurrentRevision());
    Optional<String> refusal =
        policy == DriftPolicy.Reconcile
            ? refusal(resource, identity, current, known.get())
            : Optional.empty();
    if (reported && (policy == DriftPolicy.Report || refusal.isPresent())) {
      return next; // the same drift as reported: no write, no event
    }
    if (!reported) {
      metrics.driftDetected(policy);
    }
    status.setCurrentRevision(current);
    String found =
        "database "
            + identity
            + " is at "
            + current
            + ", not at "
            + target
            + " where this resource's last rollout left it, and no rollout moved it (someone ran `alembic downgrade`,"
            + " `upgrade` or `stamp` by hand, or another tool migrated it)";
    if (policy == DriftPolicy.Reconcile && refusal.isEmpty()) {
      String message =
          found
              + "; spec.driftPolicy is Reconcile: a rollout brings it back to "
              + spec.getTargetRevision()
              + " (plan, backup, migrate, verify)";
      StatusRecorder.condition(
          status, ConditionTypes.DRIFTED, true, Reasons.REVISION_CHANGED, message, generation, now);
      return rollout.start(resource, status, generation, now).event(Reasons.DRIFTED, message);
    }
    String message =
        found
            + (policy == DriftPolicy.Report
                ? "; spec.driftPolicy is Report: the operator changes nothing. To bring it back, change"
                    + " spec.retryToken (a rollout plans from "
                    + current
                    + ", backs up and migrates to "
                    + spec.getTargetRevision()
                    + ") or set spec.driftPolicy: Reconcile; if "
                    + current
                    + " is where the database belongs, set spec.targetRevision to it"
                : "; spec.driftPolicy is Reconcile, but no rollout starts: " + refusal.get());
    StatusRecorder.stalled(status, Phase.Drifted, Reasons.DRIFTED, message, generation, now);
    StatusRecorder.condition(
        status, ConditionTypes.DRIFTED, true, Reasons.REVISION_CHANGED, message, generation, now);
    return next.event(Reasons.DRIFTED, message);
  }

  /** Why a rollout must not bring this database back on its own, if it must not. */
  private static Optional<String> refusal(
      DatabaseMigration resource,
      String identity,
      String current,
      Collection<DatabaseMigration> known) {
    if (AlembicRevisionReader.BASE.equals(current)) {
      return Optional.of(
          "the version table is gone or empty, and a rollout from base would run every migration on a schema that"
              + " may still hold the tables. Look at the schema, stamp the revision it is at (runbook, \"Manual"
              + " stamp\"), then change spec.retryToken");
    }
    String self = DatabaseLocks.key(resource);
    return known.stream()
        .filter(other -> !DatabaseLocks.key(other).equals(self))
        .filter(
            other ->
                other.getStatus() != null
                    && other.getStatus().getRollout() != null
                    && identity.equals(other.getStatus().getRollout().getDatabase())
                    && other.getStatus().getPhase() != null
                    && (other.getStatus().getPhase().isRolloutActive()
                        || current.equals(other.getStatus().getTargetRevision())))
        .findFirst()
        .map(
            other ->
                "DatabaseMigration "
                    + DatabaseLocks.key(other)
                    + " works on the same database ("
                    + other.getStatus().getPhase()
                    + ", at "
                    + other.getStatus().getTargetRevision()
                    + "): two resources would take turns moving it. Keep one of the two, then change"
                    + " spec.retryToken");
  }

  private static String key(DatabaseMigration resource) {
    String uid = resource.getMetadata().getUid();
    return uid != null ? uid : DatabaseLocks.key(resource);
  }
}
