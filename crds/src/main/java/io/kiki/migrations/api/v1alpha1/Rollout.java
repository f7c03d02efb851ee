package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Rollout {
  @JsonPropertyDescription("Rollout id, part of its Job names.")
  private String id;

  @JsonPropertyDescription("metadata.generation the rollout was started for.")
  private Long generation;

  @JsonPropertyDescription(
      "Database the rollout holds (host:port/database); one rollout per database at a time.")
  private String database;

  @JsonPropertyDescription(
      "Drift when spec.driftPolicy Reconcile started this rollout to bring a drifted database back to the "
          + "target (same generation); absent when a spec change or retryToken started it.")
  private String trigger;

  @JsonPropertyDescription("Revision before the rollout (`base` when empty).")
  private String from;

  @JsonPropertyDescription("Revision the plan resolved the target to.")
  private String to;

  @JsonPropertyDescription("upgrade, downgrade or none.")
  private String direction;

  @JsonPropertyDescription("spec.image when the rollout started.")
  private String requestedImage;

  @JsonPropertyDescription(
      "Image the Jobs run: spec.image, or status.appliedImage when spec.image does not know the current revision.")
  private String image;

  @JsonPropertyDescription(
      "Current stage: Plan, Approve, Backup, Rehearse, Migrate, Verify, Rollback, Restore.")
  private RolloutStage stage;

  @JsonPropertyDescription(
      "Attempt of the current stage (transient failures such as a lock timeout start a new one).")
  private Integer attempt;

  @JsonPropertyDescription("When the rollout started.")
  private String startedAt;

  @JsonPropertyDescription("When the current stage began.")
  private String stageStartedAt;

  @JsonPropertyDescription(
      "Hash of the plan (current, target, direction, each step's script and SQL) as printed by kiki-migrate "
          + "plan; a Manual approval names it, and the migrate Job refuses to run another plan.")
  private String planHash;

  @JsonPropertyDescription(
      "ConfigMap (owned by this resource) holding the plan for review: every step, the irreversible ones, each "
          + "step's SQL rendered with Alembic's offline mode, and what a rollback would do. Capped below 1 MiB, saying so "
          + "when cut.")
  private String planConfigMap;

  @JsonPropertyDescription(
      "Who approved the plan (spec.approval Manual): the field manager that set the annotation "
          + "migrations.kiki.io/approve, from metadata.managedFields; `unknown` when no managedFields entry owns it.")
  private String approvedBy;

  @JsonPropertyDescription(
      "When the plan was approved: the time of that managedFields entry, else when the operator saw the annotation.")
  private String approvedAt;

  @JsonPropertyDescription("Revisions the plan applies, in order (capped by the runner).")
  private List<String> steps = new ArrayList<>();

  @JsonPropertyDescription(
      "Steps whose downgrade does nothing: rolling them back needs the backup.")
  private List<String> irreversibleSteps = new ArrayList<>();

  @JsonPropertyDescription(
      "The plan's SQL lint (spec.lint): statements that take long or strong locks, waivers, steps "
          + "that could not be rendered.")
  private LintReport lint;

  @JsonPropertyDescription("Names of the rollout's Jobs by stage.")
  private RolloutJobs jobs = new RolloutJobs();

  @JsonPropertyDescription("Backup file taken for this rollout.")
  private String backupFile;

  @JsonPropertyDescription("When the verification started.")
  private String verifyStartedAt;

  @JsonPropertyDescription("When the last round of checks ran.")
  private String lastCheckAt;

  @JsonPropertyDescription("Consecutive passing rounds of checks.")
  private Integer consecutivePasses;

  @JsonPropertyDescription(
      "Since when the verification's checks could not reach the database (unset when they can).")
  private String databaseUnreachableSince;

  @JsonPropertyDescription(
      "UID of the current stage's Job once the operator has seen it: a Job with a recorded UID that "
          + "is gone was deleted, and is never re-created silently.")
  private String jobUid;

  @JsonPropertyDescription(
      "Not before this time does the current attempt's Job start (backoff after a transient failure).")
  private String nextAttemptAt;

  @JsonPropertyDescription(
      "resourceVersion of the Secret whose database URL the runner refused: the plan runs again "
          + "once the Secret changes.")
  private String refusedSecretVersion;

  @JsonPropertyDescription(
      "Set while the rollout holds before stage (not started yet): MaintenanceWindow (outside "
          + "spec.maintenanceWindow, or the stage would not finish before it closes) or Suspended (spec.suspend).")
  private String heldBy;

  @JsonPropertyDescription("When the rollout began to hold for the maintenance window.")
  private String waitingSince;

  @JsonPropertyDescription(
      "Windows that opened and closed while the rollout waited (its stage did not fit in them).")
  private Integer windowsWaited;

  @JsonPropertyDescription("When the rollout last went on after holding.")
  private String resumedAt;

  @JsonPropertyDescription(
      "Hash of the rollout-relevant spec this rollout was started from (the whole spec but the fields that only "
          + "steer the operator: suspend, the Jobs history limits, driftPolicy, driftCheckInterval, maintenanceWindow, "
          + "approval). Once the rollout has ended, a new generation with the same hash starts no rollout: only "
          + "status.observedGeneration advances.")
  private String specHash;

  @JsonPropertyDescription("Why the rollout is being rolled back (reason constant).")
  private String rollbackReason;

  @JsonPropertyDescription("Why the rollout is being rolled back (message).")
  private String rollbackMessage;

  public String getSpecHash() {
    return specHash;
  }

  public void setSpecHash(String specHash) {
    this.specHash = specHash;
  }

  public String getHeldBy() {
    return heldBy;
  }

  public void setHeldBy(String heldBy) {
    this.heldBy = heldBy;
  }

  public String getWaitingSince() {
    return waitingSince;
  }

  public void setWaitingSince(String waitingSince) {
    this.waitingSince = waitingSince;
  }

  public Integer getWindowsWaited() {
    return windowsWaited;
  }

  public void setWindowsWaited(Integer windowsWaited) {
    this.windowsWaited = windowsWaited;
  }

  public String getResumedAt() {
    return resumedAt;
  }

  public void setResumedAt(String resumedAt) {
    this.resumedAt = resumedAt;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  public String getDatabase() {
    return database;
  }

  public void setDatabase(String database) {
    this.database = database;
  }

  public String getFrom() {
    return from;
  }

  public void setFrom(String from) {
    this.from = from;
  }

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }

  public String getDirection() {
    return direction;
  }

  public void setDirection(String direction) {
    this.direction = direction;
  }

  public String getRequestedImage() {
    return requestedImage;
  }

  public void setRequestedImage(String requestedImage) {
    this.requestedImage = requestedImage;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public RolloutStage getStage() {
    return stage;
  }

  public void setStage(RolloutStage stage) {
    this.stage = stage;
  }

  public Integer getAttempt() {
    return attempt;
  }

  public void setAttempt(Integer attempt) {
    this.attempt = attempt;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getStageStartedAt() {
    return stageStartedAt;
  }

  public void setStageStartedAt(String stageStartedAt) {
    this.stageStartedAt = stageStartedAt;
  }

  public String getPlanHash() {
    return planHash;
  }

  public void setPlanHash(String planHash) {
    this.planHash = planHash;
  }

  public String getPlanConfigMap() {
    return planConfigMap;
  }

  public void setPlanConfigMap(String planConfigMap) {
    this.planConfigMap = planConfigMap;
  }

  public String getApprovedBy() {
    return approvedBy;
  }

  public void setApprovedBy(String approvedBy) {
    this.approvedBy = approvedBy;
  }

  public String getApprovedAt() {
    return approvedAt;
  }

  public void setApprovedAt(String approvedAt) {
    this.approvedAt = approvedAt;
  }

  public List<String> getSteps() {
    return steps;
  }

  public void setSteps(List<String> steps) {
    this.steps = steps;
  }

  public List<String> getIrreversibleSteps() {
    return irreversibleSteps;
  }

  public void setIrreversibleSteps(List<String> irreversibleSteps) {
    this.irreversibleSteps = irreversibleSteps;
  }

  public LintReport getLint() {
    return lint;
  }

  public void setLint(LintReport lint) {
    this.lint = lint;
  }

  public RolloutJobs getJobs() {
    return jobs;
  }

  public void setJobs(RolloutJobs jobs) {
    this.jobs = jobs;
  }

  public String getBackupFile() {
    return backupFile;
  }

  public void setBackupFile(String backupFile) {
    this.backupFile = backupFile;
  }

  public String getVerifyStartedAt() {
    return verifyStartedAt;
  }

  public void setVerifyStartedAt(String verifyStartedAt) {
    this.verifyStartedAt = verifyStartedAt;
  }

  public String getLastCheckAt() {
    return lastCheckAt;
  }

  public void setLastCheckAt(String lastCheckAt) {
    this.lastCheckAt = lastCheckAt;
  }

  public Integer getConsecutivePasses() {
    return consecutivePasses;
  }

  public void setConsecutivePasses(Integer consecutivePasses) {
    this.consecutivePasses = consecutivePasses;
  }

  public String getDatabaseUnreachableSince() {
    return databaseUnreachableSince;
  }

  public void setDatabaseUnreachableSince(String databaseUnreachableSince) {
    this.databaseUnreachableSince = databaseUnreachableSince;
  }

  public String getJobUid() {
    return jobUid;
  }

  public void setJobUid(String jobUid) {
    this.jobUid = jobUid;
  }

  public String getNextAttemptAt() {
    return nextAttemptAt;
  }

  public void setNextAttemptAt(String nextAttemptAt) {
    this.nextAttemptAt = nextAttemptAt;
  }

  public String getRefusedSecretVersion() {
    return refusedSecretVersion;
  }

  public void setRefusedSecretVersion(String refusedSecretVersion) {
    this.refusedSecretVersion = refusedSecretVersion;
  }

  public String getRollbackReason() {
    return rollbackReason;
  }

  public void setRollbackReason(String rollbackReason) {
    this.rollbackReason = rollbackReason;
  }

  public String getRollbackMessage() {
    return rollbackMessage;
  }

  public void setRollbackMessage(String rollbackMessage) {
    this.rollbackMessage = rollbackMessage;
  }

  public String getTrigger() {
    return trigger;
  }

  public void setTrigger(String trigger) {
    this.trigger = trigger;
  }
}
