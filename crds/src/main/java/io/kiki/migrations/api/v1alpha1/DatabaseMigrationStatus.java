package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatabaseMigrationStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Pending, Waiting (another resource migrates the same database, or the planned rollout waits for "
          + "spec.maintenanceWindow), Suspended (spec.suspend), Planning, AwaitingApproval (spec.approval "
          + "Manual: the plan waits for the annotation migrations.kiki.io/approve), BackingUp, Rehearsing, Migrating, "
          + "Verifying, RollingBack, Restoring, or a terminal outcome that holds until the spec changes: Ready, Failed, "
          + "RolledBack, Blocked, Drifted (the database was found at another revision without a rollout; Ready again "
          + "once it is back at the target).")
  private Phase phase;

  @JsonPropertyDescription(
      "Revision read from the database's version table (`base` when it has none).")
  private String currentRevision;

  @JsonPropertyDescription(
      "Name of the version table the project's env.py configures (version_table; alembic_version "
          + "by default), as the last plan reported it; the operator reads currentRevision from it.")
  private String versionTable;

  @JsonPropertyDescription(
      "Schema of the version table (version_table_schema); empty: the connection's search_path.")
  private String versionTableSchema;

  @JsonPropertyDescription("spec.targetRevision resolved by the last plan (`head` -> revision id).")
  private String targetRevision;

  @JsonPropertyDescription(
      "Image whose Alembic project knows currentRevision; plans and downgrades fall back to it when "
          + "spec.image does not know the database's revision.")
  private String appliedImage;

  @JsonPropertyDescription("kstatus conditions Ready, Reconciling and Stalled.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The current (or last) rollout.")
  private Rollout rollout;

  @JsonPropertyDescription("The last backup taken.")
  private BackupRecord lastBackup;

  @JsonPropertyDescription(
      "The last rehearsal (spec.rehearsal): its result, the time of each direction on the restored copy (forwardMs is "
          + "the estimate of the migration's own time), the size restored.")
  private RehearsalRecord lastRehearsal;

  public RehearsalRecord getLastRehearsal() {
    return lastRehearsal;
  }

  public void setLastRehearsal(RehearsalRecord lastRehearsal) {
    this.lastRehearsal = lastRehearsal;
  }

  @JsonPropertyDescription("Finished rollouts, newest first, at most 10.")
  private List<HistoryEntry> history = new ArrayList<>();

  @JsonPropertyDescription(
      "With spec.maintenanceWindow: when the next window opens (RFC 3339, UTC) that the waiting rollout's "
          + "next stage fits in; empty while a window is open for it, and without a window.")
  private String nextWindow;

  @JsonPropertyDescription("What the operator is doing or what is wrong and how to fix it.")
  private String message;

  public String getNextWindow() {
    return nextWindow;
  }

  public void setNextWindow(String nextWindow) {
    this.nextWindow = nextWindow;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public String getCurrentRevision() {
    return currentRevision;
  }

  public void setCurrentRevision(String currentRevision) {
    this.currentRevision = currentRevision;
  }

  public String getVersionTable() {
    return versionTable;
  }

  public void setVersionTable(String versionTable) {
    this.versionTable = versionTable;
  }

  public String getVersionTableSchema() {
    return versionTableSchema;
  }

  public void setVersionTableSchema(String versionTableSchema) {
    this.versionTableSchema = versionTableSchema;
  }

  public String getTargetRevision() {
    return targetRevision;
  }

  public void setTargetRevision(String targetRevision) {
    this.targetRevision = targetRevision;
  }

  public String getAppliedImage() {
    return appliedImage;
  }

  public void setAppliedImage(String appliedImage) {
    this.appliedImage = appliedImage;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Rollout getRollout() {
    return rollout;
  }

  public void setRollout(Rollout rollout) {
    this.rollout = rollout;
  }

  public BackupRecord getLastBackup() {
    return lastBackup;
  }

  public void setLastBackup(BackupRecord lastBackup) {
    this.lastBackup = lastBackup;
  }

  public List<HistoryEntry> getHistory() {
    return history;
  }

  public void setHistory(List<HistoryEntry> history) {
    this.history = history;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
