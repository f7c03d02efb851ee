package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TimeoutsSpec {
  @Default("2m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Deadline of the plan Job. Default: 2m.")
  private String plan = "2m";

  @Default("30m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Deadline of the backup Job. Default: 30m.")
  private String backup = "30m";

  @Default("30m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Deadline of the migrate (upgrade or downgrade) Job. Default: 30m.")
  private String migrate = "30m";

  @Default("30m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Deadline of each rollback Job (downgrade and restore). Default: 30m.")
  private String rollback = "30m";

  @Default("5s")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long one statement of a migration waits for a lock another session holds on a table "
          + "(PostgreSQL lock_timeout on the migration's connections). An ALTER TABLE behind an application's open "
          + "transaction gives up after this instead of queueing every later query on the table behind it; the operator "
          + "retries a few times with backoff, then the rollout fails with reason LockTimeout. Default: 5s.")
  private String lock = "5s";

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

  public String getMigrate() {
    return migrate;
  }

  public void setMigrate(String migrate) {
    this.migrate = migrate;
  }

  public String getRollback() {
    return rollback;
  }

  public String getLock() {
    return lock;
  }

  public void setLock(String lock) {
    this.lock = lock;
  }

  public void setRollback(String rollback) {
    this.rollback = rollback;
  }
}
