package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HistoryEntry {
  private String id;
  private Long generation;
  private String from;
  private String to;
  private String direction;
  @JsonPropertyDescription("spec.image of the rollout.")
  private String image;
  @JsonPropertyDescription("Ready, Failed, RolledBack or Blocked.")
  private Phase outcome;
  private String reason;
  private String message;
  private String startedAt;
  private String finishedAt;
  private String backupFile;

  public String getId() { return id; }
  public void setId(String id) { this.id = id; }
  public Long getGeneration() { return generation; }
  public void setGeneration(Long generation) { this.generation = generation; }
  public String getFrom() { return from; }
  public void setFrom(String from) { this.from = from; }
  public String getTo() { return to; }
  public void setTo(String to) { this.to = to; }
  public String getDirection() { return direction; }
  public void setDirection(String direction) { this.direction = direction; }
  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public Phase getOutcome() { return outcome; }
  public void setOutcome(Phase outcome) { this.outcome = outcome; }
  public String getReason() { return reason; }
  public void setReason(String reason) { this.reason = reason; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public String getStartedAt() { return startedAt; }
  public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
  public String getFinishedAt() { return finishedAt; }
  public void setFinishedAt(String finishedAt) { this.finishedAt = finishedAt; }
  public String getBackupFile() { return backupFile; }
  public void setBackupFile(String backupFile) { this.backupFile = backupFile; }
}
