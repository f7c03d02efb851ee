package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * When a rollout may touch the database: windows that open at each time of a cron schedule, in a
 * time zone, and stay open for a duration.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.duration) || !self.duration.matches("
            + Durations.CEL_PATTERN
            + ") || duration(self.duration) > duration('0s')",
    message = "maintenanceWindow.duration must be longer than 0, e.g. 4h")
public class MaintenanceWindowSpec {
  /** Five fields of standard cron, as a CronJob's schedule (no seconds, no @-macros). */
  public static final String SCHEDULE_PATTERN = "^\\S+( \\S+){4}$";

  public static final int MAX_SCHEDULE = 100;
  public static final int MAX_TIME_ZONE = 64;
  public static final String TIME_ZONE_PATTERN = "^[A-Za-z0-9_+\\-/]+$";

  @Required
  @Size(max = MAX_SCHEDULE)
  @Pattern(SCHEDULE_PATTERN)
  @JsonPropertyDescription(
      "When each window opens: five cron fields (minute hour day-of-month month day-of-week), as a "
          + "CronJob's schedule, e.g. `0 2 * * 6` (Saturdays 02:00), read in timeZone.")
  private String schedule;

  @Required
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long each window stays open, e.g. 4h. A stage starts only when it can finish before the "
          + "window closes (its timeout: timeouts.backup, timeouts.migrate; the rehearsal its Job's deadline, "
          + "timeouts.backup + 3 x timeouts.migrate; a rehearsed migration what it took on the copy). A stage longer "
          + "than the window never fits: phase Blocked, reason MaintenanceWindowTooShort.")
  private String duration;

  @Default("UTC")
  @Size(max = MAX_TIME_ZONE)
  @Pattern(TIME_ZONE_PATTERN)
  @JsonPropertyDescription(
      "IANA time zone the schedule is read in, e.g. Europe/Berlin (daylight saving follows it: a "
          + "start at a local time the spring change skips does not open that day, one the autumn change repeats "
          + "opens once, at the first); default UTC.")
  private String timeZone = "UTC";

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public String getDuration() {
    return duration;
  }

  public void setDuration(String duration) {
    this.duration = duration;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }
}
