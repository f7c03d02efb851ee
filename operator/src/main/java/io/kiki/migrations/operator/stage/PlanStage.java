package io.kiki.migrations.operator.stage;

import com.fasterxml.jackson.databind.JsonNode;
import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.config.DurationParser;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.job.JobOutcome;
import io.kiki.migrations.operator.job.RunnerError;
import io.kiki.migrations.operator.job.RunnerResult;
import io.kiki.migrations.operator.status.Reasons;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Runs {@code kiki-migrate plan} and decides what the rollout does next. */
public class PlanStage extends JobStage {
  private final PlanReview review;

  public PlanStage(StageServices services) {
    this(services, null);
  }

  /** With {@code review}, a plan that changes the database is published for review. */
  public PlanStage(StageServices services, PlanReview review) {
    super(services);
    this.review = review;
  }

  @Override
  public RolloutStage stage() {
    return RolloutStage.Plan;
  }

  @Override
  public StageResult run(RolloutContext context) {
    Rollout rollout = context.rollout();
    String target = rollout.getTo() != null ? rollout.getTo() : context.spec().getTargetRevision();
    boolean thenMigrate = PlanThenMigrate.intended(rollout);
    JobOutcome outcome =
        runJob(
            context,
            thenMigrate
                ? List.of("plan", "--target", target, "--then-upgrade")
                : List.of("plan", "--target", target),
            thenMigrate
                ? DurationParser.format(
                    DurationParser.parseOr(context.timeouts().getPlan(), DEFAULT_DEADLINE)
                        .plus(
                            DurationParser.parseOr(
                                context.timeouts().getMigrate(), DEFAULT_DEADLINE)))
                : context.timeouts().getPlan(),
            false,
            Reasons.PLAN_STARTED);
    if (outcome instanceof JobOutcome.Succeeded succeeded) {
      StageResult planned = afterPlan(context, PlanResult.of(succeeded.result()));
      JsonNode migration = succeeded.result().json().get("migration");
      if (migration != null && migration.isObject()) {
        if (review != null) {
          context.rollout().setPlanConfigMap(review.publish(context).configMap());
        }
        return new StageResult.PlannedAndMigrated(
            message(planned),
            Duration.ofMillis(Math.max(0, migration.path("durationMs").asLong(0))),
            new MigrateStage(services).afterSuccess(context, readCurrentRevision(context)));
      }
      return planned instanceof StageResult.Advance advance && review != null
          ? published(context, advance)
          : planned;
    }
    if (outcome instanceof JobOutcome.Failed failed) {
      JsonNode plan = failed.result().map(r -> r.error().get("plan")).orElse(null);
      if (thenMigrate && plan != null && plan.isObject()) {
        // The plan was an upgrade and the upgrade failed: decided as a migrate Job's failure.
        StageResult planned = afterPlan(context, PlanResult.of(new RunnerResult(plan)));
        return new StageResult.PlannedAndMigrated(
            message(planned),
            Duration.ZERO,
            new MigrateStage(services).afterFailure(context, failed, readCurrentRevision(context)));
      }
      if (thenMigrate && runnerCannotThenUpgrade(failed)) {
        PlanThenMigrate.separate(rollout);
        return new StageResult.Retry(
            Reasons.PLANNING,
            "the image's kiki-migrate does not know `plan --then-upgrade`: planning again alone, the "
                + "migration runs in a Job of its own (an image with a newer kiki-migrate saves that Job)",
            services.config().stepDelay());
      }
      return afterFailure(context, failed);
    }
    if (outcome instanceof JobOutcome.Lost lost) {
      return thenMigrate ? lostPlanAndMigration(context, lost) : lostRerun(context, lost);
    }
    return waiting(context, outcome);
  }

  /**
   * Writes the plan ConfigMap (steps, SQL, rollback) and names it in the rollout; the status
   * message says where to read it, and when its SQL could not be read, why.
   */
  private StageResult published(RolloutContext context, StageResult.Advance advance) {
    PlanReview.Published published = review.publish(context);
    context.rollout().setPlanConfigMap(published.configMap());
    String where =
        "; the plan for review is in ConfigMap "
            + published.configMap()
            + published.problem().map(p -> " without its SQL: " + p).orElse("");
    return new StageResult.Advance(advance.next(), advance.reason(), advance.message() + where);
  }

  /** The stage after an approved plan (or after the plan, when no approval is needed). */
  static RolloutStage afterApproval(RolloutContext context) {
    return context.backupEnabled() ? RolloutStage.Backup : RolloutStage.Migrate;
  }

  private static String message(StageResult planned) {
    if (planned instanceof StageResult.Advance advance) {
      return advance.message();
    }
    if (planned instanceof StageResult.Failed failed) {
      return failed.message();
    }
    return String.valueOf(planned);
  }

  /** An image whose runner predates {@code plan --then-upgrade} refuses the option itself. */
  static boolean runnerCannotThenUpgrade(JobOutcome.Failed failed) {
    return failed.is(RunnerError.BAD_ARGUMENTS)
        && failed.message() != null
        && failed.message().contains("--then-upgrade");
  }

  /**
   * The Job that was to plan and upgrade is gone before its result was read: whether it upgraded is
   * unknown, and so is the plan a rollback would need. Like a lost migrate Job it is never run
   * again silently: the rollout fails (JobLost) saying where the database is.
   */
  private StageResult lostPlanAndMigration(RolloutContext context, JobOutcome.Lost lost) {
    String from = context.rollout().getFrom();
    String current = readCurrentRevision(context);
    return new StageResult.Failed(
        Phase.Failed,
        Reasons.JOB_LOST,
        Messages.clause(lost.message())
            + (current.equals(from)
                ? ". The database is unchanged at "
                    + current
                    + ", so the plan or its upgrade failed or never ran"
                : ". The database moved from " + from + " to " + current + " and the plan was lost")
            + "; it is not run again without you: check the database and the Job's logs if you "
            + "have them, then change spec.retryToken");
  }

  /** Records the plan in the rollout and picks the next stage. */
  static StageResult afterPlan(RolloutContext context, PlanResult plan) {
    Rollout rollout = context.rollout();
    String from = AlembicRevisionReader.describe(plan.current());
    rollout.setFrom(from);
    rollout.setTo(plan.target());
    rollout.setDirection(plan.direction());
    rollout.setPlanHash(plan.planHash());
    rollout.setSteps(plan.steps());
    rollout.setIrreversibleSteps(plan.irreversibleSteps());
    LintMode lintMode = context.spec().getLint() == null ? LintMode.Warn : context.spec().getLint();
    plan.lint().setMode(lintMode);
    rollout.setLint(plan.lint());
    context.status().setTargetRevision(plan.target());
    context.status().setCurrentRevision(from);
    context.status().setVersionTableSchema(plan.versionTable().schema());
    context.status().setVersionTable(plan.versionTable().name());
    if (PlanResult.NONE.equals(plan.direction())) {
      return new StageResult.Ready(Reasons.UP_TO_DATE, "database already at " + plan.target());
    }
    if (PlanResult.DOWNGRADE.equals(plan.direction()) && !context.allowDowngrade()) {
      boolean withAppliedImage =
          rollout.getImage() != null && !rollout.getImage().equals(rollout.getRequestedImage());
      return new StageResult.Failed(
          Phase.Blocked,
          Reasons.DOWNGRADE_NOT_ALLOWED,
          "target "
              + plan.target()
              + " is behind the database (at "
              + from
              + "): a downgrade of "
              + plan.stepCount()
              + " step(s)"
              + (withAppliedImage
                  ? ", which would run with status.appliedImage "
                      + rollout.getImage()
                      + " (spec.image "
                      + rollout.getRequestedImage()
                      + " does not know revision "
                      + from
                      + ")"
                  : "")
              + ". Set "
              + "spec.allowDowngrade: true to run it, or set spec.targetRevision to "
              + from
              + " or later"
              + (withAppliedImage ? ", or set spec.image back to " + rollout.getImage() : ""));
    }
    String summary =
        "plan "
            + Optional.ofNullable(plan.planHash()).orElse("")
            + ": "
            + plan.direction()
            + " from "
            + from
            + " to "
            + plan.target()
            + ", "
            + plan.stepCount()
            + " step(s)"
            + (plan.irreversibleSteps().isEmpty()
                ? ""
                : ", irreversible: "
                    + String.join(", ", plan.irreversibleSteps())
                    + (context.backupEnabled()
                        ? " (a rollback restores the backup, which discards writes made after it)"
                        : ""))
            + (PlanLint.noteworthy(plan.lint()) ? "; " + PlanLint.summary(plan.lint()) : "");
    if (lintMode == LintMode.Block && PlanLint.findings(plan.lint()) > 0) {
      return new StageResult.Failed(
          Phase.Blocked, Reasons.LINT_FAILED, PlanLint.blockMessage(plan.lint()));
    }
    return new StageResult.Advance(
        context.spec().getApproval() == Approval.Manual
            ? RolloutStage.Approve
            : afterApproval(context),
        Reasons.PLAN_SUCCEEDED,
        summary);
  }

  StageResult afterFailure(RolloutContext context, JobOutcome.Failed failed) {
    if (failed.isTransient()) {
      return retry(context, failed);
    }
    if (failed.is(RunnerError.UNKNOWN_CURRENT_REVISION)) {
      return unknownCurrentRevision(context, failed);
    }
    return decideFailure(failed.errorCode(), failed.message());
  }

  /**
   * Plan error code -> outcome; a code this operator does not know fails the plan, naming the code.
   */
  static StageResult decideFailure(String code, String message) {
    if (code == null) {
      return new StageResult.Failed(Phase.Failed, Reasons.PLAN_FAILED, message);
    }
    RunnerError error = RunnerError.of(code).orElse(null);
    if (error == null) {
      return new StageResult.Failed(Phase.Failed, Reasons.PLAN_FAILED, code + ": " + message);
    }
    return switch (error) {
      case MULTIPLE_HEADS -> new StageResult.Failed(Phase.Blocked, Reasons.MULTIPLE_HEADS, message);
      case UNKNOWN_REVISION ->
          new StageResult.Failed(Phase.Blocked, Reasons.UNKNOWN_REVISION, message);
      case TARGET_WOULD_BRANCH ->
          new StageResult.Failed(Phase.Blocked, Reasons.TARGET_WOULD_BRANCH, message);
      case UNVERSIONED_DATABASE ->
          new StageResult.Failed(Phase.Blocked, Reasons.UNVERSIONED_DATABASE, message);
      case BAD_VERSION_TABLE ->
          new StageResult.Failed(Phase.Blocked, Reasons.BAD_VERSION_TABLE, message);
      case UNKNOWN_CURRENT_REVISION ->
          new StageResult.Failed(Phase.Blocked, Reasons.UNKNOWN_CURRENT_REVISION, message);
      case BAD_DATABASE_URL ->
          new StageResult.Misconfigured(
              Reasons.INVALID_DATABASE_URL,
              Messages.clause(message)
                  + ". Fix the URL in the Secret (spec.database.urlSecretRef): the plan runs again once the Secret changes, "
                  + "no retryToken needed");
      default -> new StageResult.Failed(Phase.Failed, Reasons.PLAN_FAILED, code + ": " + message);
    };
  }

  /**
   * spec.image does not know the database's revision (an application rollback reverted the image):
   * plan again with status.appliedImage, which applied that revision and can downgrade it, towards
   * the revision spec.image expects.
   */
  private StageResult unknownCurrentRevision(RolloutContext context, JobOutcome.Failed failed) {
    Rollout rollout = context.rollout();
    String applied = context.status().getAppliedImage();
    if (applied == null || applied.equals(rollout.getImage())) {
      return noImageCanDowngrade(rollout.getImage(), applied, failed);
    }
    String runnerTarget =
        failed.result().map(r -> r.error().path("target").asText(null)).orElse(null);
    Optional<String> target =
        fallbackTarget(
            context.spec().getTargetRevision(),
            rollout.getRequestedImage(),
            context.status(),
            runnerTarget);
    if (target.isEmpty()) {
      return new StageResult.Failed(
          Phase.Blocked,
          Reasons.UNKNOWN_CURRENT_REVISION,
          Messages.clause(failed.message())
              + ". The operator could downgrade with status.appliedImage "
              + applied
              + ", but does not know which revision "
              + "spec.image's head is: set spec.targetRevision to that revision id");
    }
    rollout.setImage(applied);
    rollout.setTo(target.get());
    return new StageResult.Retry(
        Reasons.UNKNOWN_CURRENT_REVISION,
        "spec.image "
            + rollout.getRequestedImage()
            + " does not know the database's revision; planning the way to "
            + target.get()
            + " with status.appliedImage "
            + applied,
        services.config().stepDelay());
  }

  /**
   * UnknownCurrentRevision when no other image the operator knows contains the revision:
   * status.appliedImage is the very image that failed (after a stamp of a revision it does not
   * contain, or an UPDATE of the version table) or is not recorded. The runner's advice ("run this
   * with the image that applied that revision") would send people in a circle; the fix is to stamp
   * the revision the schema really is at. A runner that does not report the revisions keeps its
   * message.
   */
  static StageResult noImageCanDowngrade(String image, String applied, JobOutcome.Failed failed) {
    List<String> unknown =
        failed
            .result()
            .map(r -> RunnerResult.strings(r.error().get("unknown")))
            .filter(l -> !l.isEmpty())
            .orElse(null);
    if (unknown == null) {
      return decideFailure(RunnerError.UNKNOWN_CURRENT_REVISION.name(), failed.message());
    }
    List<String> heads =
        failed.result().map(r -> RunnerResult.strings(r.error().get("heads"))).orElse(List.of());
    String message =
        "the database is at revision "
            + String.join(", ", unknown)
            + ", which spec.image "
            + image
            + " does not contain (its heads: "
            + (heads.isEmpty() ? "none" : String.join(", ", heads))
            + "). "
            + (applied == null
                ? "No status.appliedImage is recorded: if an image of a newer project applied that"
                    + " revision, set spec.image to it; otherwise stamp"
                : "status.appliedImage is this same image, so no image the operator knows can"
                    + " downgrade it. Stamp")
            + " the revision the schema really is at (`kiki-migrate stamp --revision <id>`, the"
            + " seed's `alembic stamp`), then change spec.retryToken";
    return new StageResult.Failed(Phase.Blocked, Reasons.UNKNOWN_CURRENT_REVISION, message);
  }

  /**
   * The revision spec.image wants, when spec.image cannot tell: the runner's resolved target, an
   * explicit targetRevision, or the revision a successful rollout of the same image reached before.
   */
  static Optional<String> fallbackTarget(
      String specTarget,
      String requestedImage,
      DatabaseMigrationStatus status,
      String runnerTarget) {
    if (runnerTarget != null && !runnerTarget.isEmpty()) {
      return Optional.of(runnerTarget);
    }
    if (specTarget != null
        && !DatabaseMigrationSpec.HEAD.equals(specTarget)
        && !"heads".equals(specTarget)) {
      return Optional.of(specTarget);
    }
    List<HistoryEntry> history = status.getHistory() == null ? List.of() : status.getHistory();
    return history.stream()
        .filter(
            h ->
                h.getOutcome() == Phase.Ready
                    && requestedImage != null
                    && requestedImage.equals(h.getImage()))
        .map(HistoryEntry::getTo)
        .filter(to -> to != null && !to.contains(","))
        .findFirst();
  }
}
