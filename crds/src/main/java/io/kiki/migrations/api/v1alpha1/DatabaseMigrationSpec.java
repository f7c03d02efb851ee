package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.targetRevision) || self.targetRevision != 'base' || (has(self.allowDowngrade) && self.allowDowngrade)",
    message = "targetRevision base removes the whole schema: it needs allowDowngrade: true")
@ValidationRule(
    value =
        "!has(self.driftCheckInterval) || !self.driftCheckInterval.matches("
            + Durations.CEL_PATTERN
            + ") || (duration(self.driftCheckInterval) >= duration('10s')"
            + " && duration(self.driftCheckInterval) <= duration('24h'))",
    message =
        "driftCheckInterval must be between 10s and 24h (e.g. 5m): it is how often the operator reads the"
            + " database's revision",
    fieldPath = ".driftCheckInterval")
@ValidationRule(
    value =
        "!has(self.rollback) || !has(self.rollback.onFailure) || self.rollback.onFailure != 'Restore'"
            + " || (has(self.backup) && has(self.backup.enabled) && self.backup.enabled)",
    message = "rollback.onFailure Restore needs backup.enabled: true")
@ValidationRule(
    value =
        "!has(self.rehearsal) || !has(self.rehearsal.enabled) || !self.rehearsal.enabled"
            + " || (has(self.backup) && has(self.backup.enabled) && self.backup.enabled)",
    message = "rehearsal.enabled restores the rollout's backup: it needs backup.enabled: true")
public class DatabaseMigrationSpec {
  public static final String HEAD = "head";
  public static final String BASE = "base";

  @Required
  @Pattern("^\\S+$")
  @JsonPropertyDescription(
      "Migrations image: an Alembic project plus the kiki-migrate runner. Every Job of a rollout runs "
          + "`kiki-migrate` from this image (or, when it does not know the database's revision, from status.appliedImage).")
  private String image;

  @Default(HEAD)
  @Pattern("^[A-Za-z0-9_-]{1,64}$")
  @JsonPropertyDescription(
      "Alembic revision the database must be at: a revision id (or unique prefix), `head` (the newest "
          + "revision the image knows), or `base` (empty schema; needs allowDowngrade). Default: head.")
  private String targetRevision = HEAD;

  @Required
  @JsonPropertyDescription("The database to migrate.")
  private DatabaseSpec database;

  @JsonPropertyDescription("Backup taken with pg_dump before migrating; used by rollback Restore.")
  private BackupSpec backup;

  @JsonPropertyDescription(
      "Checks that must pass after migrating before the resource becomes Ready; on timeout the "
          + "rollout rolls back as rollback.onFailure says.")
  private VerifySpec verify;

  @JsonPropertyDescription("What to do when the migration or the verification fails.")
  private RollbackSpec rollback;

  @Default("false")
  @JsonPropertyDescription(
      "Allow a target behind the database's current revision (a downgrade). Without it such a rollout "
          + "is Blocked with reason DowngradeNotAllowed. Default: false.")
  private Boolean allowDowngrade = false;

  @Default("Warn")
  @JsonPropertyDescription(
      "What the plan's SQL lint does with a finding: a statement of the planned steps, rendered with "
          + "Alembic's offline mode, that takes a long or strong lock on PostgreSQL (a CREATE INDEX without CONCURRENTLY on "
          + "an existing table, a NOT NULL column without a default, a column type change, a constraint without NOT VALID, "
          + "a DROP or RENAME the running application uses...). Warn: record it in status.rollout.lint, an event and the "
          + "plan's message, and go on. Block: stop the rollout at plan, before the backup and the migration: Blocked, "
          + "reason LintFailed. A revision waives a rule with `# kiki-lint: disable=<rule> -- reason` in its file. Default: Warn.")
  private LintMode lint = LintMode.Warn;

  @Default("Automatic")
  @JsonPropertyDescription(
      "Automatic: a planned rollout goes on to the backup and the migration by itself. Manual: after the plan "
          + "the rollout waits in phase AwaitingApproval until the resource carries the annotation "
          + "`migrations.kiki.io/approve: <status.rollout.planHash>` (`kubectl dbm approve NAME`, or `kubectl annotate`, "
          + "or the annotation committed in Git). The plan, with every step's SQL and what a rollback would do, is in the "
          + "ConfigMap named by status.rollout.planConfigMap. An annotation naming another hash (the plan changed) "
          + "approves nothing; the migrate Job runs only a plan with the approved hash. Default: Automatic.")
  private Approval approval = Approval.Automatic;

  @Default("Report")
  @JsonPropertyDescription(
      "What the operator does when the database of a Ready resource is found at another revision than "
          + "the one this resource left it at, with no rollout having moved it (someone ran `alembic downgrade`, "
          + "`upgrade` or `stamp` by hand). Report: phase Drifted, conditions Drifted=True and Stalled=True naming the "
          + "revision found, an event, the metric kiki_migrations_drifts_total; nothing is written to the database. "
          + "Reconcile: the same report, then a rollout of the same generation back to the target (status.history "
          + "trigger Drift) through every stage and gate a spec change goes through (plan, backup, migrate, verify). "
          + "Reconcile never starts from a database whose version table is gone or empty, nor from a revision another "
          + "DatabaseMigration on the same database brought it to; a revision the image does not know stops at the "
          + "plan (Blocked, UnknownCurrentRevision), before any backup or migration. Default: Report.")
  private DriftPolicy driftPolicy = DriftPolicy.Report;

  @Default("5m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How often the operator reads the revision of the database of a Ready (or Drifted) resource, to "
          + "notice drift: a duration from 10s to 24h. Each resource reads at its own moment within the interval "
          + "(an offset from its uid), so many resources never read at once; one connection and one SELECT per read. Default: 5m.")
  private String driftCheckInterval = "5m";

  @Size(max = 253)
  @JsonPropertyDescription(
      "Change to any new value to retry after Failed, RolledBack or Blocked without other changes "
          + "(it bumps metadata.generation).")
  private String retryToken;

  @JsonPropertyDescription(
      "Deadlines of the rollout's Jobs (activeDeadlineSeconds), as durations like 90s, 2m, 1h30m.")
  private TimeoutsSpec timeouts;

  @JsonPropertyDescription("Pod settings for the Jobs the operator runs.")
  private JobTemplateSpec jobTemplate;

  @JsonPropertyDescription(
      "Rehearse the migration on a restored copy of the fresh backup before touching the database (off by default).")
  private RehearsalSpec rehearsal;

  public RehearsalSpec getRehearsal() {
    return rehearsal;
  }

  public void setRehearsal(RehearsalSpec rehearsal) {
    this.rehearsal = rehearsal;
  }

  @JsonPropertyDescription(
      "Run the stages that touch the database (backup, rehearsal, migrate) only inside these windows. A planned "
          + "rollout waits in phase Waiting (status.nextWindow says when) and starts no stage that cannot finish before the "
          + "window closes. Rolling back is never held. Unset: no window, rollouts start at once.")
  private MaintenanceWindowSpec maintenanceWindow;

  @Default("false")
  @JsonPropertyDescription(
      "true: start no new rollout; a rollout in flight finishes the stage it is in (a migration is never "
          + "stopped half-way) and holds before the next one, in phase Suspended. false again: the rollout continues where "
          + "it held. Rolling back is never held. Changing it on a resource at rest (Ready, or another end of its last "
          + "rollout) starts no rollout. Default: false.")
  private Boolean suspend = false;

  @Default("3")
  @Min(0)
  @Max(10)
  @JsonPropertyDescription(
      "Keep the Jobs (and their pods' logs) of this many of the last successful (Ready) rollouts; the "
          + "operator deletes older ones it owns. As a CronJob's field; at most 10, the rollouts status.history remembers. Default: 3.")
  private Integer successfulJobsHistoryLimit = 3;

  @Default("1")
  @Min(0)
  @Max(10)
  @JsonPropertyDescription(
      "Keep the Jobs (and their pods' logs) of this many of the last failed rollouts (Failed, "
          + "RolledBack, Blocked); the operator deletes older ones it owns. As a CronJob's field; at most 10. Default: 1.")
  private Integer failedJobsHistoryLimit = 1;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getTargetRevision() {
    return targetRevision;
  }

  public void setTargetRevision(String targetRevision) {
    this.targetRevision = targetRevision;
  }

  public DatabaseSpec getDatabase() {
    return database;
  }

  public void setDatabase(DatabaseSpec database) {
    this.database = database;
  }

  public BackupSpec getBackup() {
    return backup;
  }

  public void setBackup(BackupSpec backup) {
    this.backup = backup;
  }

  public VerifySpec getVerify() {
    return verify;
  }

  public void setVerify(VerifySpec verify) {
    this.verify = verify;
  }

  public RollbackSpec getRollback() {
    return rollback;
  }

  public void setRollback(RollbackSpec rollback) {
    this.rollback = rollback;
  }

  public Boolean getAllowDowngrade() {
    return allowDowngrade;
  }

  public void setAllowDowngrade(Boolean allowDowngrade) {
    this.allowDowngrade = allowDowngrade;
  }

  public LintMode getLint() {
    return lint;
  }

  public void setLint(LintMode lint) {
    this.lint = lint;
  }

  public Approval getApproval() {
    return approval;
  }

  public void setApproval(Approval approval) {
    this.approval = approval;
  }

  public DriftPolicy getDriftPolicy() {
    return driftPolicy;
  }

  public void setDriftPolicy(DriftPolicy driftPolicy) {
    this.driftPolicy = driftPolicy;
  }

  public String getDriftCheckInterval() {
    return driftCheckInterval;
  }

  public void setDriftCheckInterval(String driftCheckInterval) {
    this.driftCheckInterval = driftCheckInterval;
  }

  public String getRetryToken() {
    return retryToken;
  }

  public void setRetryToken(String retryToken) {
    this.retryToken = retryToken;
  }

  public TimeoutsSpec getTimeouts() {
    return timeouts;
  }

  public void setTimeouts(TimeoutsSpec timeouts) {
    this.timeouts = timeouts;
  }

  public MaintenanceWindowSpec getMaintenanceWindow() {
    return maintenanceWindow;
  }

  public void setMaintenanceWindow(MaintenanceWindowSpec maintenanceWindow) {
    this.maintenanceWindow = maintenanceWindow;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public Integer getSuccessfulJobsHistoryLimit() {
    return successfulJobsHistoryLimit;
  }

  public void setSuccessfulJobsHistoryLimit(Integer successfulJobsHistoryLimit) {
    this.successfulJobsHistoryLimit = successfulJobsHistoryLimit;
  }

  public Integer getFailedJobsHistoryLimit() {
    return failedJobsHistoryLimit;
  }

  public void setFailedJobsHistoryLimit(Integer failedJobsHistoryLimit) {
    this.failedJobsHistoryLimit = failedJobsHistoryLimit;
  }

  public JobTemplateSpec getJobTemplate() {
    return jobTemplate;
  }

  public void setJobTemplate(JobTemplateSpec jobTemplate) {
    this.jobTemplate = jobTemplate;
  }
}
