package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.checks) || self.checks.all(c, self.checks.exists_one(d, d.name == c.name))",
    message = "verify.checks names must be unique")
@ValidationRule(
    value =
        "!has(self.interval) || !self.interval.matches("
            + Durations.CEL_PATTERN
            + ") || duration(self.interval) > duration('0s')",
    message =
        "verify.interval must be longer than 0s (e.g. 10s): it is the time between two rounds of checks",
    fieldPath = ".interval")
@ValidationRule(
    value =
        "!has(self.timeout) || !self.timeout.matches("
            + Durations.CEL_PATTERN
            + ") || duration(self.timeout) > duration('0s')",
    message = "verify.timeout must be longer than 0s (e.g. 5m)",
    fieldPath = ".timeout")
// Only against a positive timeout: a zero or negative one has its own message above.
@ValidationRule(
    value =
        "!has(self.interval) || !has(self.timeout)"
            + " || !self.interval.matches("
            + Durations.CEL_PATTERN
            + ") || !self.timeout.matches("
            + Durations.CEL_PATTERN
            + ") || duration(self.timeout) <= duration('0s')"
            + " || duration(self.interval) <= duration(self.timeout)",
    message =
        "verify.interval must not be longer than verify.timeout: no second round of checks could run before the timeout",
    fieldPath = ".interval")
public class VerifySpec {
  @Default("5m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long the checks may take to pass successThreshold rounds in a row; then the rollout rolls back. Default: 5m.")
  private String timeout = "5m";

  @Default("10s")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Time between two rounds of checks. Default: 10s.")
  private String interval = "10s";

  @Default("1")
  @Min(1)
  @JsonPropertyDescription(
      "Consecutive passing rounds needed (a soak); one failing round starts the count again. The first "
          + "round runs as soon as verification starts, the next every interval. Without checks there is nothing to soak: "
          + "the rollout is Ready right after the migration. Default: 1.")
  private Integer successThreshold = 1;

  @Default("10m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long verification waits while the database cannot be reached. A check that could not run "
          + "counts neither as passed nor as failed, and the time does not count against timeout; after this long the "
          + "rollout fails (VerifyInconclusive) without rolling back: an outage says nothing about the migration. Default: 10m.")
  private String databaseOutageTimeout = "10m";

  @Size(max = 20)
  @JsonPropertyDescription(
      "Checks run each round; all must pass. Each has a name and exactly one of sql, http, deployment.")
  private List<HealthCheckSpec> checks = new ArrayList<>();

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public Integer getSuccessThreshold() {
    return successThreshold;
  }

  public void setSuccessThreshold(Integer successThreshold) {
    this.successThreshold = successThreshold;
  }

  public String getDatabaseOutageTimeout() {
    return databaseOutageTimeout;
  }

  public void setDatabaseOutageTimeout(String databaseOutageTimeout) {
    this.databaseOutageTimeout = databaseOutageTimeout;
  }

  public List<HealthCheckSpec> getChecks() {
    return checks;
  }

  public void setChecks(List<HealthCheckSpec> checks) {
    this.checks = checks;
  }
}
