package io.kiki.migrations.operator.controller;

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
import io.kiki.migrations.operator.database.ScratchDatabases;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.event.EventRecorder;
import io.kiki.migrations.operator.health.HealthChecks;
import io.kiki.migrations.operator.job.JobNames;
import io.kiki.migrations.operator.job.JobRunner;
import io.kiki.migrations.operator.job.Labels;
import io.kiki.migrations.operator.metrics.OperatorMetrics;
import io.kiki.migrations.operator.stage.ApprovalStage;
import io.kiki.migrations.operator.stage.BackupStage;
import io.kiki.migrations.operator.stage.MigrateStage;
import io.kiki.migrations.operator.stage.PlanReview;
import io.kiki.migrations.operator.stage.PlanStage;
import io.kiki.migrations.operator.stage.PlanThenMigrate;
import io.kiki.migrations.operator.stage.RehearseStage;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin reconciler: observe (the resource from the controller's cache, which holds this operator's
 * own last write) -> validate -> decide (the stage from status runs; {@link RolloutTransitions}
 * says what follows its result) -> write status once ({@link StatusRecorder#write}). Side effects
 * (Jobs) happen only once the status names them: when a stage leads to the next one, the next one
 * runs in the same reconcile right after the status naming it was written, so the intent is always
 * recorded first and no time is lost between stages.
 */
public class DatabaseMigrationReconciler implements Reconciler<DatabaseMigration> {
  public static final String NAME = "databasemigration";
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationReconciler.class);

  /** Stages run in one reconcile at most: each started stage waits for its Job or its checks. */
  private static final int MAX_STAGES_PER_RECONCILE = 4;

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final DatabaseResolver resolver;
  private final DatabaseLocks locks;
  private final EventRecorder events;
  private final JobRunner jobs;
  private final AlembicRevisionReader revisions;
  private final OperatorMetrics metrics;
  private final RolloutTransitions transitions;
  private final DriftCheck drift;
  private final Map<RolloutStage, Stage> stages = new EnumMap<>(RolloutStage.class);
  private final Clock clock;
  private final JobHistory jobHistory;

  public DatabaseMigrationReconciler(
      KubernetesClient client, OperatorConfig config, OperatorMetrics metrics) {
    this(client, config, metrics, Clock.systemUTC());
  }

  /**
   * {@code clock}: the one source of "now" for rollouts (maintenance windows, stage times); tests
   * pass a controllable one.
   */
  public DatabaseMigrationReconciler(
      KubernetesClient client, OperatorConfig config, OperatorMetrics metrics, Clock clock) {
    this.clock = clock;
    this.client = client;
    this.metrics = metrics;
    this.config = config;
    this.resolver = new DatabaseResolver(client);
    this.locks = new DatabaseLocks(Duration.ofMinutes(1));
    this.events = new EventRecorder(client);
    this.jobs = new JobRunner(client, events, config.resultGracePeriod());
    this.revisions = new AlembicRevisionReader(config.databaseTimeout());
    this.transitions = new RolloutTransitions(config, metrics, locks, client);
    this.drift = new DriftCheck(resolver, revisions, metrics);
    this.jobHistory = new JobHistory(client);
    StageServices services =
        new StageServices(
            jobs, revisions, new HealthChecks(client, config.databaseTimeout()), config, metrics);
    for (Stage stage :
        List.of(
            new PlanStage(services, new PlanReview(client, jobs)),
            new ApprovalStage(services),
            new BackupStage(services),
            new RehearseStage(services, new ScratchDatabases(resolver, config.databaseTimeout())),
            new MigrateStage(services),
            new VerifyStage(services),
            new RollbackStage(services),
            new RestoreStage(services))) {
      stages.put(stage.stage(), stage);
    }
  }

  @Override
  public List<EventSource<?, DatabaseMigration>> prepareEventSources(
      EventSourceContext<DatabaseMigration> context) {
    InformerEventSourceConfiguration<Job> configuration =
        InformerEventSourceConfiguration.from(Job.class, DatabaseMigration.class)
            .withName("jobs")
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DatabaseMigration.class))
            .build();
    InformerEventSource<Job, DatabaseMigration> jobSource =
        new InformerEventSource<>(configuration, context);
    jobs.useCache((namespace, name) -> jobSource.get(new ResourceID(name, namespace)));
    return List.of(jobSource);
  }

  @Override
  public UpdateControl<DatabaseMigration> reconcile(
      DatabaseMigration resource, Context<DatabaseMigration> context) {
    DatabaseMigrationStatus status = StatusRecorder.copy(resource.getStatus());
    Decision decision = decide(resource, status, context, clock.instant());
    DatabaseMigration written = record(resource, status, decision, context);
    for (int run = 1; decision.runsNextStage() && run < MAX_STAGES_PER_RECONCILE; run++) {
      // The status written just now names the next stage and its Job: run it now rather than in a
      // later reconcile.
      status = StatusRecorder.copy(written.getStatus());
      decision = continueRollout(written, status, clock.instant());
      written = record(written, status, decision, context);
    }
    if (status.getPhase() != null && status.getPhase().isTerminal()) {
      jobHistory.prune(written, context.getSecondaryResources(Job.class));
    }
    if (decision.requeue() == null
        && status.getPhase() != null
        && status.getPhase().isTerminal()
        && !Objects.equals(
            status.getObservedGeneration(), resource.getMetadata().getGeneration())) {
      // The rollout of an older generation just ended while the spec moved on: start the new
      // generation's rollout
      // now. No event would (JOSDK ignores our own status writes), so it would wait for the
      // periodic resync.
      decision.requeue(config.stepDelay());
    }
    if (DriftCheck.watches(status)
        && Objects.equals(status.getObservedGeneration(), written.getMetadata().getGeneration())) {
      // Ready (or Drifted): the next look is the drift schedule's, whatever ended this reconcile.
      decision.requeue(drift.arm(written, Instant.now()));
    }
    UpdateControl<DatabaseMigration> control = UpdateControl.noUpdate();
    return decision.requeue() == null ? control : control.rescheduleAfter(decision.requeue());
  }

  /** Writes the status a step decided, then records its events and metrics. */
  private DatabaseMigration record(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      Decision decision,
      Context<DatabaseMigration> context) {
    DatabaseMigration written = StatusRecorder.write(resource, status, context);
    decision.events().forEach(e -> events.record(written, e.reason(), e.message()));
    metrics.observe(written, status);
    return written;
  }

  /**
   * Transient failures (database unreachable): JOSDK retries with backoff; the status says what is
   * wrong (Reconciling=True) and nothing becomes terminal. A conflicting write is routine (another
   * writer, a cache behind the API): the retry reads the newer resource, and nothing of it reaches
   * the status or the events.
   */
  @Override
  public ErrorStatusUpdateControl<DatabaseMigration> updateErrorStatus(
      DatabaseMigration trigger, Context<DatabaseMigration> context, Exception e) {
    String reason = Reasons.RECONCILE_ERROR;
    Throwable cause = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRecorder.StaleStatusException
          || t instanceof KubernetesClientException k
              && k.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        LOG.debug(
            "{}/{}: conflicting write, reconciling again: {}",
            trigger.getMetadata().getNamespace(),
            trigger.getMetadata().getName(),
            t.getMessage());
        return ErrorStatusUpdateControl.noStatusUpdate();
      }
      if (t instanceof DatabaseUnreachableException) {
        reason =
            t instanceof DatabaseRefusedException refused
                ? refused.reason()
                : Reasons.DATABASE_UNREACHABLE;
        cause = t;
        break;
      }
    }
    String message = Redaction.redact(cause.getMessage()) + "; retrying";
    LOG.warn(
        "{}/{}: {}: {}",
        trigger.getMetadata().getNamespace(),
        trigger.getMetadata().getName(),
        reason,
        message);
    try {
      // The cached resource holds the status this operator wrote last, even if this reconcile wrote
      // it; once the
      // operator stops, its informers (and their cache) are gone, and the reconcile's own resource
      // is what is left.
      DatabaseMigration resource =
          context.getPrimaryCache().get(ResourceID.fromResource(trigger)).orElse(trigger);
      DatabaseMigrationStatus status = StatusRecorder.copy(resource.getStatus());
      Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
      boolean repeated = reconciling != null && reason.equals(reconciling.getReason());
      long generation =
          status.getRollout() != null
                  && status.getPhase() != null
                  && status.getPhase().isRolloutActive()
              ? status.getRollout().getGeneration()
              : resource.getMetadata().getGeneration();
      StatusRecorder.transientProblem(status, reason, message, generation, clock.instant());
      DatabaseMigration written = StatusRecorder.write(resource, status, context);
      if (!repeated) {
        events.record(written, reason, message);
      }
    } catch (RuntimeException writeFailure) {
      LOG.warn(
          "could not record the error in the status: {}",
          Redaction.redact(writeFailure.getMessage()));
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private Decision decide(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      Context<DatabaseMigration> context,
      Instant now) {
    long generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
    Phase phase = status.getPhase();
    if (phase != null && phase.isRolloutActive() && status.getRollout() != null) {
      return continueRollout(resource, status, now);
    }
    if (isHeld(status)) {
      return resource.getSpec() == null
          ? continueRollout(resource, status, now)
          : transitions.held(resource, status, now);
    }
    if (phase != null
        && phase.isTerminal()
        && !Objects.equals(status.getObservedGeneration(), generation)
        && RolloutSpec.unchangedAtRest(resource, status)) {
      // Only fields that steer the operator changed (suspend, history limits, drift, window,
      // approval): nothing for a rollout to do, so no plan Job and no history entry.
      StatusRecorder.observed(status, generation);
      return Boolean.TRUE.equals(resource.getSpec().getSuspend())
          ? new Decision()
              .event(
                  Reasons.SUSPENDED,
                  "suspended (spec.suspend: true) while at rest in phase "
                      + phase
                      + ": no rollout starts until spec.suspend is false again")
          : new Decision();
    }
    if (phase != null
        && phase.isTerminal()
        && Objects.equals(status.getObservedGeneration(), generation)) {
      return DriftCheck.watches(status)
          ? drift.check(
              resource,
              status,
              generation,
              now,
              () -> context.getPrimaryCache().list().toList(),
              (r, s, g, t) -> startRollout(r, s, context, g, t, DriftCheck.TRIGGER))
          : new Decision();
    }
    return startRollout(
        resource,
        status,
        context,
        generation,
        now,
        DriftCheck.pending(status, generation) ? DriftCheck.TRIGGER : null);
  }

  /**
   * A rollout holding before its next stage (spec.suspend, spec.maintenanceWindow; Blocked: by a
   * window that can never be used).
   */
  static boolean isHeld(DatabaseMigrationStatus status) {
    return status.getRollout() != null
        && status.getRollout().getHeldBy() != null
        && (status.getPhase() == Phase.Waiting
            || status.getPhase() == Phase.Suspended
            || status.getPhase() == Phase.Blocked);
  }

  /**
   * Starts the rollout of {@code generation}: for a spec change or a new retryToken ({@code
   * trigger} null), or to bring a drifted database back ({@code trigger} Drift, same generation, a
   * rollout id of its own). Every rollout starts here, so every gate of the rollout applies to
   * each.
   */
  private Decision startRollout(
      DatabaseMigration resource,
      DatabaseMigrationStatus status,
      Context<DatabaseMigration> context,
      long generation,
      Instant now,
      String trigger) {
    Decision decision = new Decision();
    if (status.getRollout() != null) {
      // Whatever this start decides (blocked, suspended, waiting), the last rollout's outcome is no
      // longer the resource's rest: the next generation is decided afresh.
      status.getRollout().setSpecHash(null);
    }
    List<String> problems = SpecValidator.validate(resource);
    if (!problems.isEmpty()) {
      String message = "invalid spec: " + String.join("; ", problems);
      StatusRecorder.stalled(status, Phase.Blocked, Reasons.INVALID_SPEC, message, generation, now);
      StatusRecorder.addHistory(
          status,
          RolloutTransitions.history(
              resource, null, generation, Phase.Blocked, Reasons.INVALID_SPEC, message, now));
      return decision.event(Reasons.INVALID_SPEC, message);
    }
    if (Boolean.TRUE.equals(resource.getSpec().getSuspend())) {
      String message =
          "suspended (spec.suspend: true): no rollout starts; set spec.suspend: false to roll out "
              + "targetRevision "
              + resource.getSpec().getTargetRevision();
      boolean repeated = status.getPhase() == Phase.Suspended;
      StatusRecorder.suspended(status, message, generation, now);
      return repeated ? decision : decision.event(Reasons.SUSPENDED, message);
    }
    JdbcTarget database;
    try {
      database =
          resolver.resolve(
              resource.getMetadata().getNamespace(),
              resource.getSpec().getDatabase().getUrlSecretRef());
    } catch (DatabaseConfigException e) {
      return configurationProblem(status, e.reason(), e.getMessage(), generation, now);
    }
    Rollout previous = status.getRollout();
    boolean sameGeneration =
        previous != null && Objects.equals(previous.getGeneration(), generation);
    if (status.getPhase() == Phase.Pending
        && sameGeneration
        && previous.getRefusedSecretVersion() != null
        && previous.getRefusedSecretVersion().equals(transitions.secretVersion(resource))) {
      return decision.requeue(config.configRecheckInterval());
    }
    String identity = database.identity().toString();
    List<DatabaseMigration> known = context.getPrimaryCache().list().toList();
    Optional<DatabaseMigration> conflict =
        DatabaseOwnership.conflictingOwner(resource, identity, known);
    if (conflict.isPresent()) {
      String message = DatabaseOwnership.message(resource, conflict.get(), identity);
      StatusRecorder.stalled(
          status, Phase.Blocked, Reasons.DATABASE_OWNED_BY_ANOTHER, message, generation, now);
      StatusRecorder.addHistory(
          status,
          RolloutTransitions.history(
              resource,
              null,
              generation,
              Phase.Blocked,
              Reasons.DATABASE_OWNED_BY_ANOTHER,
              message,
              now));
      return decision.event(Reasons.DATABASE_OWNED_BY_ANOTHER, message);
    }
    String owner = DatabaseLocks.key(resource);
    Optional<String> holder = locks.tryAcquire(identity, owner, known, now);
    if (holder.isPresent()) {
      String message =
          "waiting for database "
              + identity
              + ": DatabaseMigration "
              + holder.get()
              + " is migrating it; one rollout per database at a time";
      boolean repeated = status.getPhase() == Phase.Waiting && message.equals(status.getMessage());
      StatusRecorder.progressing(
          status, Phase.Waiting, Reasons.WAITING_FOR_DATABASE, message, generation, now);
      if (!repeated) {
        decision.event(Reasons.WAITING_FOR_DATABASE, message);
      }
      return decision.requeue(config.lockRetryInterval());
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
    rollout.setId(rolloutId(previous, generation, trigger));
    rollout.setTrigger(trigger);
    rollout.setGeneration(generation);
    rollout.setSpecHash(RolloutSpec.hash(resource.getSpec()));
    rollout.setDatabase(identity);
    rollout.setFrom(current);
    rollout.setRequestedImage(resource.getSpec().getImage());
    rollout.setImage(resource.getSpec().getImage());
    rollout.setStage(RolloutStage.Plan);
    // Started again for the same generation (the Secret was fixed): a new attempt, so never the old
    // Job's result.
    int attempt =
        sameGeneration && rollout.getId().equals(previous.getId())
            ? Optional.ofNullable(previous.getAttempt()).orElse(1) + 1
            : 1;
    rollout.setAttempt(attempt);
    rollout.setStartedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
    rollout.setStageStartedAt(now.toString());
    rollout
        .getJobs()
        .set(
            RolloutStage.Plan,
            JobNames.forStage(
                resource.getMetadata().getName(), RolloutStage.Plan, rollout.getId(), attempt));
    PlanThenMigrate.recordIntent(rollout, resource.getSpec(), config.planThenMigrate());
    status.setRollout(rollout);
    status.setCurrentRevision(current);
    StatusRecorder.progressing(
        status,
        Phase.Planning,
        Reasons.PLANNING,
        (trigger == null ? "" : "drift: ")
            + "planning targetRevision "
            + resource.getSpec().getTargetRevision()
            + " with "
            + rollout.getImage()
            + " (database at "
            + current
            + " in "
            + VersionTable.of(status)
            + ")"
            + (PlanThenMigrate.intended(rollout)
                ? "; nothing gates between plan and migrate, so Job "
                    + rollout.getJobs().getPlan()
                    + " upgrades too when the plan is an upgrade"
                : ""),
        generation,
        now);
    return decision.requeue(config.stepDelay()).runNextStage();
  }

  /**
   * The generation for a spec change; for a drift's rollout the generation and its count within the
   * generation ({@code 7-drift1}, {@code 7-drift2}), so its Jobs never take the names of the
   * generation's earlier Jobs.
   */
  private static String rolloutId(Rollout previous, long generation, String trigger) {
    if (trigger == null) {
      return String.valueOf(generation);
    }
    String prefix = generation + "-drift";
    int count = 1;
    if (previous != null
        && previous.getId() != null
        && previous.getId().startsWith(prefix)
        && previous.getId().substring(prefix.length()).matches("[0-9]{1,6}")) {
      count = Integer.parseInt(previous.getId().substring(prefix.length())) + 1;
    }
    return prefix + count;
  }

  /**
   * The database settings cannot work until someone changes them (Secret, URL, credentials,
   * server): phase Pending, Stalled=True with the reason (so Argo CD and Flux show it as degraded),
   * checked again every configRecheckInterval; the rollout starts by itself once the problem is
   * gone.
   */
  private Decision configurationProblem(
      DatabaseMigrationStatus status, String reason, String message, long generation, Instant now) {
    Condition stalled = StatusRecorder.find(status, ConditionTypes.STALLED);
    boolean repeated =
        stalled != null
            && "True".equals(stalled.getStatus())
            && reason.equals(stalled.getReason())
            && Objects.equals(status.getObservedGeneration(), generation);
    StatusRecorder.stalled(status, Phase.Pending, reason, message, generation, now);
    Decision decision = new Decision().requeue(config.configRecheckInterval());
    return repeated ? decision : decision.event(reason, message);
  }

  private Decision continueRollout(
      DatabaseMigration resource, DatabaseMigrationStatus status, Instant now) {
    Rollout rollout = status.getRollout();
    long generation = rollout.getGeneration();
    if (resource.getSpec() == null) {
      // The spec was changed mid-rollout to one this version cannot read: no Job runs without the
      // stage's settings.
      String message =
          "invalid spec: "
              + String.join("; ", SpecValidator.validate(resource))
              + "; the rollout of "
              + "generation "
              + generation
              + " (stage "
              + rollout.getStage()
              + ") holds until the spec can be read";
      Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
      boolean repeated =
          reconciling != null && Reasons.INVALID_SPEC.equals(reconciling.getReason());
      StatusRecorder.transientProblem(status, Reasons.INVALID_SPEC, message, generation, now);
      Decision decision = new Decision().requeue(config.configRecheckInterval());
      return repeated ? decision : decision.event(Reasons.INVALID_SPEC, message);
    }
    JdbcTarget database;
    try {
      database =
          resolver.resolve(
              resource.getMetadata().getNamespace(),
              resource.getSpec().getDatabase().getUrlSecretRef());
    } catch (DatabaseConfigException e) {
      StatusRecorder.transientProblem(
          status,
          e.reason(),
          e.getMessage() + " (the rollout continues once it is fixed)",
          generation,
          now);
      return new Decision().requeue(config.configRecheckInterval());
    }
    String identity = database.identity().toString();
    if (rollout.getDatabase() != null && !rollout.getDatabase().equals(identity)) {
      return databaseChanged(status, rollout, identity, now);
    }
    if (rollout.getNextAttemptAt() != null
        && now.isBefore(Instant.parse(rollout.getNextAttemptAt()))) {
      // Backoff of a transient failure: a Job event must not start the next attempt early.
      return new Decision()
          .requeue(Duration.between(now, Instant.parse(rollout.getNextAttemptAt())));
    }
    Stage stage = stages.get(rollout.getStage());
    StageResult result = stage.run(new RolloutContext(resource, status, database, now));
    return transitions.apply(resource, status, rollout.getStage(), result, now);
  }

  /**
   * spec.database (or its Secret) now names another database than the one this rollout planned,
   * backed up and locked. Running the rollout's next Job there would migrate a database nobody
   * planned or locked, so the rollout holds until the reference points back, and says how to get
   * out.
   */
  private Decision databaseChanged(
      DatabaseMigrationStatus status, Rollout rollout, String identity, Instant now) {
    String message =
        "spec.database now points at "
            + identity
            + ", but the rollout of generation "
            + rollout.getGeneration()
            + " is working on "
            + rollout.getDatabase()
            + " (stage "
            + rollout.getStage()
            + "): no Job runs against "
            + identity
            + " that a rollout has not planned and locked. Point "
            + "spec.database.urlSecretRef (or the Secret) back at "
            + rollout.getDatabase()
            + " so this rollout can finish; "
            + "if the database really moved, delete and recreate the DatabaseMigration";
    Condition reconciling = StatusRecorder.find(status, ConditionTypes.RECONCILING);
    boolean repeated =
        reconciling != null && Reasons.DATABASE_CHANGED.equals(reconciling.getReason());
    StatusRecorder.transientProblem(
        status, Reasons.DATABASE_CHANGED, message, rollout.getGeneration(), now);
    Decision decision = new Decision().requeue(config.configRecheckInterval());
    return repeated ? decision : decision.event(Reasons.DATABASE_CHANGED, message);
  }
}
