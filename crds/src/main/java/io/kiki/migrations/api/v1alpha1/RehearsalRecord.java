package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RehearsalRecord {
  @JsonPropertyDescription("The rollout the rehearsal belonged to.")
  private String rolloutId;

  @JsonPropertyDescription("Passed or Failed.")
  private String result;

  @JsonPropertyDescription(
      "The scratch database the backup was restored into (dropped afterwards), kiki_rh_<resource>_<rollout>_<hash>.")
  private String scratchDatabase;

  @JsonPropertyDescription("The backup file restored.")
  private String backupFile;

  @JsonPropertyDescription("Size of the restored copy (pg_database_size).")
  private Long restoredBytes;

  @JsonPropertyDescription("Milliseconds the restore took.")
  private Long restoreMs;

  @JsonPropertyDescription(
      "Milliseconds the planned steps took on the copy (the migration's estimate).")
  private Long forwardMs;

  @JsonPropertyDescription("Milliseconds back to the start (only when every step is reversible).")
  private Long backMs;

  @JsonPropertyDescription("Milliseconds forward again after going back.")
  private Long againMs;

  @JsonPropertyDescription("Milliseconds of the whole rehearsal Job's command.")
  private Long durationMs;

  @JsonPropertyDescription("Whether the copy went back to the start and forward again.")
  private Boolean roundTrip;

  @JsonPropertyDescription("The revision that failed on the copy.")
  private String failedRevision;

  @JsonPropertyDescription("What failed, with the database's error.")
  private String message;

  @JsonPropertyDescription("When the rehearsal ended.")
  private String finishedAt;

  public String getRolloutId() {
    return rolloutId;
  }

  public void setRolloutId(String rolloutId) {
    this.rolloutId = rolloutId;
  }

  public String getResult() {
    return result;
  }

  public void setResult(String result) {
    this.result = result;
  }

  public String getScratchDatabase() {
    return scratchDatabase;
  }

  public void setScratchDatabase(String scratchDatabase) {
    this.scratchDatabase = scratchDatabase;
  }

  public String getBackupFile() {
    return backupFile;
  }

  public void setBackupFile(String backupFile) {
    this.backupFile = backupFile;
  }

  public Long getRestoredBytes() {
    return restoredBytes;
  }

  public void setRestoredBytes(Long restoredBytes) {
    this.restoredBytes = restoredBytes;
  }

  public Long getRestoreMs() {
    return restoreMs;
  }

  public void setRestoreMs(Long restoreMs) {
    this.restoreMs = restoreMs;
  }

  public Long getForwardMs() {
    return forwardMs;
  }

  public void setForwardMs(Long forwardMs) {
    this.forwardMs = forwardMs;
  }

  public Long getBackMs() {
    return backMs;
  }

  public void setBackMs(Long backMs) {
    this.backMs = backMs;
  }

  public Long getAgainMs() {
    return againMs;
  }

  public void setAgainMs(Long againMs) {
    this.againMs = againMs;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
  }

  public Boolean getRoundTrip() {
    return roundTrip;
  }

  public void setRoundTrip(Boolean roundTrip) {
    this.roundTrip = roundTrip;
  }

  public String getFailedRevision() {
    return failedRevision;
  }

  public void setFailedRevision(String failedRevision) {
    this.failedRevision = failedRevision;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }
}
