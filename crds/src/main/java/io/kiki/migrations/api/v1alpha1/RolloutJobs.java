package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutJobs {
  @JsonPropertyDescription("The plan Job (kiki-migrate plan).")
  private String plan;

  @JsonPropertyDescription("The backup Job (pg_dump to the backup volume).")
  private String backup;

  @JsonPropertyDescription(
      "The rehearse Job (kiki-migrate rehearse: the plan on a restored copy in a scratch database).")
  private String rehearse;

  @JsonPropertyDescription("The migrate Job (kiki-migrate upgrade or downgrade).")
  private String migrate;

  @JsonPropertyDescription("The rollback Job (migrates back to rollout.from).")
  private String rollback;

  @JsonPropertyDescription("The restore Job (restores rollout.backupFile).")
  private String restore;

  public String get(RolloutStage stage) {
    return switch (stage) {
      case Plan -> plan;
      case Backup -> backup;
      case Rehearse -> rehearse;
      case Migrate -> migrate;
      case Rollback -> rollback;
      case Restore -> restore;
      case Verify, Approve -> null;
    };
  }

  public void set(RolloutStage stage, String jobName) {
    switch (stage) {
      case Plan -> plan = jobName;
      case Backup -> backup = jobName;
      case Rehearse -> rehearse = jobName;
      case Migrate -> migrate = jobName;
      case Rollback -> rollback = jobName;
      case Restore -> restore = jobName;
      case Verify, Approve ->
          throw new IllegalArgumentException("the " + stage + " stage runs no Job");
    }
  }

  public String getPlan() {
    return plan;
  }

  public void setPlan(String plan) {
    this.plan = plan;
  }

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public String getRehearse() {
    return rehearse;
  }

  public void setRehearse(String rehearse) {
    this.rehearse = rehearse;
  }

  public String getMigrate() {
    return migrate;
  }

  public void setMigrate(String migrate) {
    this.migrate = migrate;
  }

  public String getRollback() {
    return rollback;
  }

  public void setRollback(String rollback) {
    this.rollback = rollback;
  }

  public String getRestore() {
    return restore;
  }

  public void setRestore(String restore) {
    this.restore = restore;
  }
}
