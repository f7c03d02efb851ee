package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HistoryEntry {
  @JsonPropertyDescription("Rollout id.")
  private String id;

  @JsonPropertyDescription("metadata.generation of the rollout.")
  private Long generation;

  @JsonPropertyDescription(
      "Drift when spec.driftPolicy Reconcile started this rollout to bring a drifted database back to the "
          + "target (same generation); absent when a spec change or retryToken started it.")
  private String trigger;

  @JsonPropertyDescription("Revision before the rollout.")
  private String from;

  @JsonPropertyDescription("Revision the rollout aimed at.")
  private String to;

  @JsonPropertyDescription("upgrade, downgrade or none.")
  private String direction;

  @JsonPropertyDescription("spec.image of the rollout.")
  private String image;

  @JsonPropertyDescription("Ready, Failed, RolledBack or Blocked.")
  private Phase outcome;

  @JsonPropertyDescription("Reason constant of the outcome.")
  private String reason;

  @JsonPropertyDescription("What happened.")
  private String message;

  @JsonPropertyDescription("When the rollout started.")
  private String startedAt;

  @JsonPropertyDescription("When the rollout ended.")
  private String finishedAt;

  @JsonPropertyDescription("Plan hash of the rollout.")
  private String planHash;

  @JsonPropertyDescription(
      "Who approved the plan (spec.approval Manual): the annotation's field manager, `unknown` without one.")
  private String approvedBy;

  @JsonPropertyDescription("When the plan was approved.")
  private String approvedAt;

  @JsonPropertyDescription("Backup taken for the rollout, if any.")
  private String backupFile;

  public String getPlanHash() {
    return planHash;
  }

  public void setPlanHash(String planHash) {
    this.planHash = planHash;
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

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public Phase getOutcome() {
    return outcome;
  }

  public void setOutcome(Phase outcome) {
    this.outcome = outcome;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public String getBackupFile() {
    return backupFile;
  }

  public void setBackupFile(String backupFile) {
    this.backupFile = backupFile;
  }

  public String getTrigger() {
    return trigger;
  }

  public void setTrigger(String trigger) {
    this.trigger = trigger;
  }
}
