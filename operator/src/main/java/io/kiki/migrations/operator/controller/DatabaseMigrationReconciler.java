package io.kiki.migrations.operator.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.OperatorConfig;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.database.DatabaseConfigException;
import io.kiki.migrations.operator.database.DatabaseLocks;
import io.kiki.migrations.operator.database.DatabaseRefusedException;
import io.kiki.migrations.operator.database.DatabaseResolver;
import io.kiki.migrations.operator.database.DatabaseUnreachableException;
import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.Redaction;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.event.EventRecorder;
import io.kiki.migrations.operator.health.HealthChecks;
import io.kiki.migrations.operator.job.JobNames;
import io.kiki.migrations.operator.job.JobRunner;
import io.kiki.migrations.operator.job.Labels;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.stage.BackupStage;
import io.kiki.migrations.operator.stage.MigrateStage;
import io.kiki.migrations.operator.stage.PlanLint;
import io.kiki.migrations.operator.stage.PlanStage;
import io.kiki.migrations.operator.stage.RestoreStage;
import io.kiki.migrations.operator.stage.RollbackStage;
import io.kiki.migrations.operator.stage.RolloutContext;
import io.kiki.migrations.operator.stage.Stage;
import io.kiki.migrations.operator.stage.StageResult;
import io.kiki.migrations.operator.stage.StageServices;
import io.kiki.migrations.operator.stage.VerifyStage;
import io.kiki.migrations.operator.status.ConditionTypes;
import io.kiki.migrations.operator.status.Reasons;
import io.kiki.migrations.operator.status.StatusRecorder;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin reconciler: observe (read the resource fresh from the API) -> validate -> pick the stage from status -> run
 * it -> write status once. Side effects (Jobs) happen only in a reconcile whose status, as read, already names them:
 * the intent is always recorded first.
 */
public class DatabaseMigrationReconciler implements Reconciler<DatabaseMigration> {
  public static final String NAME = "databasemigration";
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationReconciler.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private record PendingEvent(String reason, String message) {
  }

  /** What one reconcile decided besides the status: when to look again, which events to record after the write. */
  private static final class Outcome {
    Duration requeue;
    final List<PendingEvent> events = new ArrayList<>();

    Outcome requeue(Duration after) {
      this.requeue = after;
      return this;
    }

    Outcome event(String reason, String message) {
      events.add(new PendingEvent(reason, message));
      return this;
    }
  }

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final DatabaseResolver resolver;
  private final DatabaseLocks locks;
  private final EventRecorder events;
  private final JobRunner jobs;
  private final AlembicRevisionReader revisions;
  private final OperatorMetrics metrics;
  private final Map<RolloutStage, Stage> stages = new EnumMap<>(RolloutStage.class);

  public DatabaseMigrationReconciler(KubernetesClient client, OperatorConfig config, OperatorMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
    this.config = config;
    this.resolver = new DatabaseResolver(client);
    this.locks = new DatabaseLocks(Duration.ofMinutes(1));
    this.events = new EventRecorder(client);
    this.jobs = new JobRunner(client, events, config.resultGracePeriod());
    this.revisions = new AlembicRevisionReader(config.databaseTimeout());
    StageServices services = new StageServices(jobs, revisions, new HealthChecks(client, config.databaseTimeout()), config,
        metrics);
    for (Stage stage : List.of(new PlanStage(services), new BackupStage(services), new MigrateStage(services),
        new VerifyStage(services), new RollbackStage(services), new RestoreStage(services))) {
      stages.put(stage.stage(), stage);
    }
  }

  @Override
  public List<EventSource<?, DatabaseMigration>> prepareEventSources(EventSourceContext<DatabaseMigration> context) {
    InformerEventSourceConfiguration<Job> configuration = InformerEventSourceConfiguration
        .from(Job.class, DatabaseMigration.class)
        .withName("jobs")
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DatabaseMigration.class))
        .build();
    InformerEventSource<Job, DatabaseMigration> jobSource = new InformerEventSource<>(configuration, context);
    jobs.useCache((namespace, name) -> jobSource.get(new ResourceID(name, namespace)));
    return List.of(jobSource);
  }

  @Override
  public UpdateControl<DatabaseMigration> reconcile(DatabaseMigration trigger, Context<DatabaseMigration> context) {
    DatabaseMigration resource = readFresh(trigger);
    if (resource == null) {
      return UpdateControl.noUpdate();
    }
    DatabaseMigrationStatus original = resource.getStatus();
    DatabaseMigrationStatus status = copy(original);
    Outcome outcome = decide(resource, status, context, Instant.now());
    if (outcome.requeue == null && status.getPhase() != null && status.getPhase().isTerminal()
        && !Objects.equals(status.getObservedGeneration(), resource.getMetadata().getGeneration())) {
      // The rollout of an older generation just ended while the spec moved on: start the new generation's rollout
      // now. No event would (JOSDK ignores our own status writes), so it would wait for the periodic resync.
      outcome.requeue(config.stepDelay());
    }
    writeStatus(resource, original, status);
    outcome.events.forEach(e -> events.record(resource, e.reason(), e.message()));
    metrics.observe(resource, status);
    UpdateControl<DatabaseMigration> control = UpdateControl.noUpdate();
    return outcome.requeue == null ? control : control.rescheduleAfter(outcome.requeue);
  }

  /**
   * Transient failures (database unreachable, API conflicts): JOSDK retries with backoff; the status says what is
   * wrong (Reconciling=True) and nothing becomes terminal.
   */
  @Override
  public ErrorStatusUpdateControl<DatabaseMigration> updateErrorStatus(DatabaseMigration trigger,
                                                                       Context<DatabaseMigration> context, Exception e) {
    String reason = Reasons.RECONCILE_ERROR;
    Throwable cause = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DatabaseUnreachableException) {
        reason = t instanceof DatabaseRefusedException refused ? refused.reason() : Reasons.DATABASE_UNREACHABLE;
        cause = t;
        break;
      }
      if (t instanceof KubernetesClientException k && k.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        reason = Reasons.API_CONFLICT;
        cause = t;
        break;
      }
    }
    String message = Redaction.redact(cause.getMessage()) + "; retrying";
    LOG.warn("{}/{}: {}: {}", trigger.getMetadata().getNamespace(), trigger.getMetadata().getName(), reason, message);
    try {
      DatabaseMigration resource = readFresh(trigger);
      if (resource != null) {
        DatabaseMigrationStatus original = resource.getStatus();
        DatabaseMigrationStatus status = copy(original);
        Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
        boolean repeated = reconciling != null && reason.equals(reconciling.getReason());
        long generation = status.getRollout() != null && status.getPhase() != null && status.getPhase().isRolloutActive()
            ? status.getRollout().getGeneration() : resource.getMetadata().getGeneration();
        StatusRecorder.transientProblem(status, reason, message, generation, Instant.now());
        writeStatus(resource, original, status);
        if (!repeated) {
          events.record(resource, reason, message);
        }
      }
    } catch (RuntimeException writeFailure) {
      LOG.warn("could not record the error in the status: {}", Redaction.redact(writeFailure.getMessage()));
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private Outcome decide(DatabaseMigration resource, DatabaseMigrationStatus status, Context<DatabaseMigration> context,
                         Instant now) {
    long generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
    Phase phase = status.getPhase();
    if (phase != null && phase.isRolloutActive() && status.getRollout() != null) {
      return continueRollout(resource, status, now);
    }
    if (phase != null && phase.isTerminal() && Objects.equals(status.getObservedGeneration(), generation)) {
      return watchesTarget(status) ? checkTarget(resource, status, generation, now) : new Outcome();
    }
    return startRollout(resource, status, context, generation, now);
  }

  /** Ready, or Blocked because the database left the target: the database is watched for leaving (or regaining) it. */
  private static boolean watchesTarget(DatabaseMigrationStatus status) {
    Condition stalled = StatusRecorder.find(status, ConditionTypes.STALLED);
    return status.getTargetRevision() != null && (status.getPhase() == Phase.Ready || status.getPhase() == Phase.Blocked
        && stalled != null && Reasons.DATABASE_NOT_AT_TARGET.equals(stalled.getReason()));
  }

  /**
   * A Ready resource says so when its database leaves the target (another resource, or a person, moved it), and is
   * Ready again when it is back. Rechecked every configRecheckInterval; an unreachable database changes nothing.
   */
  private Outcome checkTarget(DatabaseMigration resource, DatabaseMigrationStatus status, long generation, Instant now) {
    Outcome outcome = new Outcome().requeue(config.configRecheckInterval());
    if (resource.getSpec() == null) {
      return outcome;
    }
    String current;
    String identity;
    try {
      JdbcTarget database = resolver.resolve(resource.getMetadata().getNamespace(),
          resource.getSpec().getDatabase().getUrlSecretRef());
      identity = database.identity().toString();
      current = AlembicRevisionReader.describe(revisions.read(database));
    } catch (DatabaseConfigException | DatabaseUnreachableException e) {
      return outcome;
    }
    String target = status.getTargetRevision();
    status.setCurrentRevision(current);
    if (current.equals(target) && status.getPhase() == Phase.Blocked) {
      String message = "the database is back at " + target;
      StatusRecorder.ready(status, Reasons.UP_TO_DATE, message, generation, now);
      return outcome.event(Reasons.UP_TO_DATE, message);
    }
    if (!current.equals(target) && status.getPhase() == Phase.Ready) {
      String message = "database " + identity + " is at " + current + ", no longer at " + target + " where this "
          + "resource brought it: something else moved it (another DatabaseMigration on the same database, or a "
          + "person). Change spec.retryToken to bring it back to " + resource.getSpec().getTargetRevision()
          + ", or remove whatever else migrates it";
      StatusRecorder.stalled(status, Phase.Blocked, Reasons.DATABASE_NOT_AT_TARGET, message, generation, now);
      return outcome.event(Reasons.DATABASE_NOT_AT_TARGET, message);
    }
    return outcome;
  }

  private Outcome startRollout(DatabaseMigration resource, DatabaseMigrationStatus status,
                               Context<DatabaseMigration> context, long generation, Instant now) {
    Outcome outcome = new Outcome();
    List<String> problems = SpecValidator.validate(resource);
    if (!problems.isEmpty()) {
      String message = "invalid spec: " + String.join("; ", problems);
      StatusRecorder.stalled(status, Phase.Blocked, Reasons.INVALID_SPEC, message, generation, now);
      StatusRecorder.addHistory(status, history(resource, null, generation, Phase.Blocked, Reasons.INVALID_SPEC, message, now));
      return outcome.event(Reasons.INVALID_SPEC, message);
    }
    JdbcTarget database;
    try {
      database = resolver.resolve(resource.getMetadata().getNamespace(), resource.getSpec().getDatabase().getUrlSecretRef());
    } catch (DatabaseConfigException e) {
      return configurationProblem(status, e.reason(), e.getMessage(), generation, now);
    }
    Rollout previous = status.getRollout();
    boolean sameGeneration = previous != null && Objects.equals(previous.getGeneration(), generation);
    if (status.getPhase() == Phase.Pending && sameGeneration && previous.getRefusedSecretVersion() != null
        && previous.getRefusedSecretVersion().equals(secretVersion(resource))) {
      return outcome.requeue(config.configRecheckInterval());
    }
    String identity = database.identity().toString();
    List<DatabaseMigration> known = context.getPrimaryCache().list().toList();
    Optional<DatabaseMigration> conflict = DatabaseOwnership.conflictingOwner(resource, identity, known);
    if (conflict.isPresent()) {
      String message = DatabaseOwnership.message(resource, conflict.get(), identity);
      StatusRecorder.stalled(status, Phase.Blocked, Reasons.DATABASE_OWNED_BY_ANOTHER, message, generation, now);
      StatusRecorder.addHistory(status, history(resource, null, generation, Phase.Blocked,
          Reasons.DATABASE_OWNED_BY_ANOTHER, message, now));
      return outcome.event(Reasons.DATABASE_OWNED_BY_ANOTHER, message);
    }
    String owner = DatabaseLocks.key(resource);
    Optional<String> holder = locks.tryAcquire(identity, owner, known, now);
    if (holder.isPresent()) {
      String message = "waiting for database " + identity + ": DatabaseMigration " + holder.get()
          + " is migrating it; one rollout per database at a time";
      boolean repeated = status.getPhase() == Phase.Waiting && message.equals(status.getMessage());
      StatusRecorder.progressing(status, Phase.Waiting, Reasons.WAITING_FOR_DATABASE, message, generation, now);
      if (!repeated) {
        outcome.event(Reasons.WAITING_FOR_DATABASE, message);
      }
      return outcome.requeue(config.lockRetryInterval());
    }
    String current;
    try {
      current = AlembicRevisionReader.describe(revisions.read(database, VersionTable.of(status)));
    } catch (DatabaseRefusedException e) {
      locks.release(identity, owner);
      return configurationProblem(status, e.reason(), e.getMessage(), generation, now);
    } catch (DatabaseUnreachableException e) {
      locks.release(identity, owner);
      throw e;
    }
    Rollout rollout = new Rollout();
    rollout.setId(String.valueOf(generation));
    rollout.setGeneration(generation);
    rollout.setDatabase(identity);
    rollout.setFrom(current);
    rollout.setRequestedImage(resource.getSpec().getImage());
    rollout.setImage(resource.getSpec().getImage());
    rollout.setStage(RolloutStage.Plan);
    // Started again for the same generation (the Secret was fixed): a new attempt, so never the old Job's result.
    int attempt = sameGeneration ? Optional.ofNullable(previous.getAttempt()).orElse(1) + 1 : 1;
    rollout.setAttempt(attempt);
    rollout.setStartedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
    rollout.setStageStartedAt(now.toString());
    rollout.getJobs().set(RolloutStage.Plan, JobNames.forStage(resource.getMetadata().getName(), RolloutStage.Plan,
        rollout.getId(), attempt));
    status.setRollout(rollout);
    status.setCurrentRevision(current);
    StatusRecorder.progressing(status, Phase.Planning, Reasons.PLANNING, "planning targetRevision "
        + resource.getSpec().getTargetRevision() + " with " + rollout.getImage() + " (database at " + current + " in "
        + VersionTable.of(status) + ")",
        generation, now);
    return outcome.requeue(config.stepDelay());
  }

  /**
   * The database settings cannot work until someone changes them (Secret, URL, credentials, server): phase Pending,
   * Stalled=True with the reason (so Argo CD and Flux show it as degraded), checked again every
   * configRecheckInterval; the rollout starts by itself once the problem is gone.
   */
  private Outcome configurationProblem(DatabaseMigrationStatus status, String reason, String message, long generation,
                                       Instant now) {
    Condition stalled = StatusRecorder.find(status, ConditionTypes.STALLED);
    boolean repeated = stalled != null && "True".equals(stalled.getStatus()) && reason.equals(stalled.getReason())
        && Objects.equals(status.getObservedGeneration(), generation);
    StatusRecorder.stalled(status, Phase.Pending, reason, message, generation, now);
    Outcome outcome = new Outcome().requeue(config.configRecheckInterval());
    return repeated ? outcome : outcome.event(reason, message);
  }

  private Outcome continueRollout(DatabaseMigration resource, DatabaseMigrationStatus status, Instant now) {
    Rollout rollout = status.getRollout();
    long generation = rollout.getGeneration();
    if (resource.getSpec() == null) {
      // The spec was changed mid-rollout to one this version cannot read: no Job runs without the stage's settings.
      String message = "invalid spec: " + String.join("; ", SpecValidator.validate(resource)) + "; the rollout of "
          + "generation " + generation + " (stage " + rollout.getStage() + ") holds until the spec can be read";
      Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
      boolean repeated = reconciling != null && Reasons.INVALID_SPEC.equals(reconciling.getReason());
      StatusRecorder.transientProblem(status, Reasons.INVALID_SPEC, message, generation, now);
      Outcome outcome = new Outcome().requeue(config.configRecheckInterval());
      return repeated ? outcome : outcome.event(Reasons.INVALID_SPEC, message);
    }
    JdbcTarget database;
    try {
      database = resolver.resolve(resource.getMetadata().getNamespace(), resource.getSpec().getDatabase().getUrlSecretRef());
    } catch (DatabaseConfigException e) {
      StatusRecorder.transientProblem(status, e.reason(), e.getMessage() + " (the rollout continues once it is fixed)",
          generation, now);
      return new Outcome().requeue(config.configRecheckInterval());
    }
    String identity = database.identity().toString();
    if (rollout.getDatabase() != null && !rollout.getDatabase().equals(identity)) {
      return databaseChanged(status, rollout, identity, now);
    }
    if (rollout.getNextAttemptAt() != null && now.isBefore(Instant.parse(rollout.getNextAttemptAt()))) {
      // Backoff of a transient failure: a Job event must not start the next attempt early.
      return new Outcome().requeue(Duration.between(now, Instant.parse(rollout.getNextAttemptAt())));
    }
    Stage stage = stages.get(rollout.getStage());
    StageResult result = stage.run(new RolloutContext(resource, status, database, now));
    return apply(resource, status, rollout.getStage(), result, now);
  }

  /**
   * spec.database (or its Secret) now names another database than the one this rollout planned, backed up and
   * locked. Running the rollout's next Job there would migrate a database nobody planned or locked, so the rollout
   * holds until the reference points back, and says how to get out.
   */
  private Outcome databaseChanged(DatabaseMigrationStatus status, Rollout rollout, String identity, Instant now) {
    String message = "spec.database now points at " + identity + ", but the rollout of generation "
        + rollout.getGeneration() + " is working on " + rollout.getDatabase() + " (stage " + rollout.getStage()
        + "): no Job runs against " + identity + " that a rollout has not planned and locked. Point "
        + "spec.database.urlSecretRef (or the Secret) back at " + rollout.getDatabase() + " so this rollout can finish; "
        + "if the database really moved, delete and recreate the DatabaseMigration";
    Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
    boolean repeated = reconciling != null && Reasons.DATABASE_CHANGED.equals(reconciling.getReason());
    StatusRecorder.transientProblem(status, Reasons.DATABASE_CHANGED, message, rollout.getGeneration(), now);
    Outcome outcome = new Outcome().requeue(config.configRecheckInterval());
    return repeated ? outcome : outcome.event(Reasons.DATABASE_CHANGED, message);
  }

  private Outcome apply(DatabaseMigration resource, DatabaseMigrationStatus status, RolloutStage current,
                        StageResult result, Instant now) {
    Rollout rollout = status.getRollout();
    long generation = rollout.getGeneration();
    Outcome outcome = new Outcome();
    if (result instanceof StageResult.Waiting waiting) {
      if (waiting.message() != null) {
        Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
        String reason = waiting.reason() != null ? waiting.reason() : status.getPhase().name();
        if (waiting.reason() != null && (reconciling == null || !reason.equals(reconciling.getReason()))) {
          outcome.event(reason, waiting.message());
        }
        StatusRecorder.progressing(status, status.getPhase(), reason, waiting.message(), generation, now);
      }
      return outcome.requeue(waiting.requeueAfter());
    }
    Duration stageDuration = rollout.getStageStartedAt() == null ? Duration.ZERO
        : Duration.between(Instant.parse(rollout.getStageStartedAt()), now);
    if (result instanceof StageResult.Retry retry) {
      metrics.stageFinished(resource, current, "retried", stageDuration);
      rollout.setStageStartedAt(now.toString());
      int attempt = (rollout.getAttempt() == null ? 1 : rollout.getAttempt()) + 1;
      rollout.setAttempt(attempt);
      rollout.setJobUid(null);
      rollout.setNextAttemptAt(now.plus(retry.after()).toString());
      rollout.getJobs().set(current, JobNames.forStage(resource.getMetadata().getName(), current, rollout.getId(), attempt));
      StatusRecorder.progressing(status, current.phase(), retry.reason(), retry.message(), generation, now);
      return outcome.event(retry.reason(), retry.message()).requeue(retry.after());
    }
    if (result instanceof StageResult.Done done && done.next() == null) {
      metrics.stageFinished(resource, current, "succeeded", stageDuration);
      metrics.rolloutFinished(resource, Phase.Ready, done.reason());
      status.setAppliedImage(rollout.getRequestedImage());
      StatusRecorder.ready(status, done.reason(), done.message(), generation, now);
      StatusRecorder.addHistory(status, history(resource, rollout, generation, Phase.Ready, done.reason(), done.message(), now));
      locks.release(rollout.getDatabase(), DatabaseLocks.key(resource));
      // From now on the database is watched for leaving its target (checkTarget).
      return outcome.event(done.reason(), done.message()).requeue(config.configRecheckInterval());
    }
    if (result instanceof StageResult.Done done) {
      RolloutStage next = done.next();
      metrics.stageFinished(resource, current, "Normal".equals(Reasons.eventType(done.reason())) ? "succeeded" : "failed",
          stageDuration);
      if (next == RolloutStage.Rollback || next == RolloutStage.Restore) {
        metrics.rollbackStarted(resource, next, done.reason());
      }
      if (current == RolloutStage.Backup && status.getLastBackup() != null && status.getLastBackup().getSizeBytes() != null) {
        metrics.backupTaken(resource, status.getLastBackup().getSizeBytes());
      }
      if (current == RolloutStage.Plan && PlanLint.findings(rollout.getLint()) > 0) {
        outcome.event(Reasons.LINT_FINDINGS, PlanLint.summary(rollout.getLint()) + ": " + PlanLint.details(rollout.getLint()));
      }
      rollout.setStageStartedAt(now.toString());
      if ((next == RolloutStage.Rollback || next == RolloutStage.Restore) && rollout.getRollbackReason() == null) {
        rollout.setRollbackReason(done.reason());
        rollout.setRollbackMessage(done.outcome());
      } else if (current == RolloutStage.Rollback && next == RolloutStage.Restore) {
        // the downgrade back failed: the final message says so, after the failure that started the rollback
        rollout.setRollbackMessage(rollout.getRollbackMessage() + "; then " + done.outcome());
      }
      rollout.setStage(next);
      rollout.setAttempt(1);
      rollout.setJobUid(null);
      rollout.setNextAttemptAt(null);
      if (next == RolloutStage.Verify) {
        rollout.setVerifyStartedAt(now.toString());
        rollout.setConsecutivePasses(0);
        outcome.event(done.reason(), done.message());
        outcome.event(Reasons.VERIFY_STARTED, "verifying " + checkCount(resource) + " check(s)");
      } else {
        rollout.getJobs().set(next, JobNames.forStage(resource.getMetadata().getName(), next, rollout.getId(), 1));
        outcome.event(done.reason(), done.message());
      }
      StatusRecorder.progressing(status, next.phase(), next.phase().name(), done.message(), generation, now);
      return outcome.requeue(config.stepDelay());
    }
    StageResult.Failed failed = (StageResult.Failed) result;
    if (failed.outcome() == Phase.Pending) {
      // The runner refused the Secret's URL: like every other URL problem, Stalled and rechecked (startRollout).
      rollout.setRefusedSecretVersion(secretVersion(resource));
      outcome.requeue(config.configRecheckInterval());
    }
    metrics.stageFinished(resource, current, failed.outcome() == Phase.RolledBack ? "succeeded" : "failed", stageDuration);
    metrics.rolloutFinished(resource, failed.outcome(), failed.reason());
    StatusRecorder.stalled(status, failed.outcome(), failed.reason(), failed.message(), generation, now);
    StatusRecorder.addHistory(status, history(resource, rollout, generation, failed.outcome(), failed.reason(),
        failed.message(), now));
    locks.release(rollout.getDatabase(), DatabaseLocks.key(resource));
    if (failed.outcome() == Phase.RolledBack) {
      return outcome.event(current == RolloutStage.Restore ? Reasons.RESTORE_SUCCEEDED : Reasons.ROLLBACK_SUCCEEDED,
          failed.message());
    }
    return outcome.event(failed.reason(), failed.message());
  }

  private static int checkCount(DatabaseMigration resource) {
    return resource.getSpec().getVerify() == null || resource.getSpec().getVerify().getChecks() == null ? 0
        : resource.getSpec().getVerify().getChecks().size();
  }

  private static HistoryEntry history(DatabaseMigration resource, Rollout rollout, long generation, Phase outcome,
                                      String reason, String message, Instant now) {
    HistoryEntry entry = new HistoryEntry();
    entry.setGeneration(generation);
    entry.setOutcome(outcome);
    entry.setReason(reason);
    entry.setMessage(Redaction.redact(message));
    entry.setFinishedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
    if (rollout == null) {
      entry.setId(String.valueOf(generation));
      entry.setImage(resource.getSpec() == null ? null : resource.getSpec().getImage());
      entry.setStartedAt(entry.getFinishedAt());
      return entry;
    }
    entry.setId(rollout.getId());
    entry.setFrom(rollout.getFrom());
    entry.setTo(rollout.getTo());
    entry.setDirection(rollout.getDirection());
    entry.setImage(rollout.getRequestedImage());
    entry.setStartedAt(rollout.getStartedAt());
    entry.setBackupFile(rollout.getBackupFile());
    return entry;
  }

  /** resourceVersion of the Secret holding the database URL (null when it is gone). */
  private String secretVersion(DatabaseMigration resource) {
    var ref = resource.getSpec().getDatabase().getUrlSecretRef();
    var secret = client.secrets().inNamespace(resource.getMetadata().getNamespace()).withName(ref.getName()).get();
    return secret == null ? null : secret.getMetadata().getResourceVersion();
  }

  /** The resource as the API has it now (not the possibly stale informer copy); null once it is gone. */
  private DatabaseMigration readFresh(DatabaseMigration trigger) {
    return client.resources(DatabaseMigration.class).inNamespace(trigger.getMetadata().getNamespace())
        .withName(trigger.getMetadata().getName()).get();
  }

  /** One status write per reconcile, skipped when nothing changed; the resourceVersion makes it conflict-safe. */
  private void writeStatus(DatabaseMigration resource, DatabaseMigrationStatus original, DatabaseMigrationStatus status) {
    if (MAPPER.valueToTree(status).equals(original == null ? null : MAPPER.valueToTree(original))) {
      return;
    }
    resource.setStatus(status);
    client.resources(DatabaseMigration.class).inNamespace(resource.getMetadata().getNamespace())
        .resource(resource).updateStatus();
  }

  private static DatabaseMigrationStatus copy(DatabaseMigrationStatus status) {
    return status == null ? new DatabaseMigrationStatus() : MAPPER.convertValue(status, DatabaseMigrationStatus.class);
  }
}
