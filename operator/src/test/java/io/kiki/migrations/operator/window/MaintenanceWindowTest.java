package io.kiki.migrations.operator.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The window's arithmetic at chosen instants (the controllable clock): daylight saving in
 * Europe/Berlin, open windows, overlapping windows, windows let pass, malformed specs.
 */
class MaintenanceWindowTest {

  static MaintenanceWindowSpec spec(String schedule, String duration, String timeZone) {
    MaintenanceWindowSpec spec = new MaintenanceWindowSpec();
    spec.setSchedule(schedule);
    spec.setDuration(duration);
    spec.setTimeZone(timeZone);
    return spec;
  }

  static MaintenanceWindow window(String schedule, String duration, String timeZone) {
    return MaintenanceWindow.of(spec(schedule, duration, timeZone));
  }

  @Test
  void saturdayNightInBerlinIsOneHourEarlierInUtcInWinter() {
    MaintenanceWindow window = window("0 2 * * 6", "4h", "Europe/Berlin");
    // Friday 2026-12-04 12:00 UTC: the next window is Saturday 02:00 CET = 01:00 UTC
    Instant friday = Instant.parse("2026-12-04T12:00:00Z");
    assertThat(window.openAt(friday)).isEmpty();
    assertThat(window.nextAfter(friday).orElseThrow())
        .isEqualTo(
            new MaintenanceWindow.Window(
                Instant.parse("2026-12-05T01:00:00Z"), Instant.parse("2026-12-05T05:00:00Z")));
    // and in summer (CEST) at 00:00 UTC
    assertThat(window.nextAfter(Instant.parse("2026-07-01T00:00:00Z")).orElseThrow().opens())
        .isEqualTo(Instant.parse("2026-07-04T00:00:00Z"));
  }

  @Test
  void openFromItsStartInclusiveToItsEndExclusive() {
    MaintenanceWindow window = window("0 2 * * 6", "4h", "Europe/Berlin");
    Instant opens = Instant.parse("2026-12-05T01:00:00Z");
    assertThat(window.openAt(opens.minusSeconds(1))).isEmpty();
    assertThat(window.openAt(opens).orElseThrow().opens()).isEqualTo(opens);
    assertThat(window.openAt(opens.plusSeconds(4 * 3600 - 1))).isPresent();
    assertThat(window.openAt(opens.plusSeconds(4 * 3600))).isEmpty();
  }

  @Test
  void springForwardSkipsAStartInTheMissingHourAndShortensNothingElse() {
    // 2026-03-29: Berlin's clocks go from 02:00 CET to 03:00 CEST; 02:30 does not exist that day
    MaintenanceWindow skipped = window("30 2 * * *", "2h", "Europe/Berlin");
    Instant saturdayEvening = Instant.parse("2026-03-28T20:00:00Z");
    assertThat(skipped.nextAfter(saturdayEvening).orElseThrow().opens())
        .as("no window on the day the start does not exist: the next is Monday 02:30 CEST")
        .isEqualTo(Instant.parse("2026-03-30T00:30:00Z"));
    // A window open across the change lasts its duration in elapsed time: 01:30 CET + 2h = 04:30
    // CEST
    MaintenanceWindow across = window("30 1 * * *", "2h", "Europe/Berlin");
    MaintenanceWindow.Window sunday = across.nextAfter(saturdayEvening).orElseThrow();
    assertThat(sunday.opens()).isEqualTo(Instant.parse("2026-03-29T00:30:00Z"));
    assertThat(sunday.closes()).isEqualTo(Instant.parse("2026-03-29T02:30:00Z"));
  }

  @Test
  void fallBackOpensARepeatedStartOnceAtTheFirstOfTheTwo() {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice (00:30 and 01:30 UTC)
    MaintenanceWindow window = window("30 2 * * *", "30m", "Europe/Berlin");
    Instant before = Instant.parse("2026-10-24T20:00:00Z");
    MaintenanceWindow.Window first = window.nextAfter(before).orElseThrow();
    assertThat(first.opens()).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
    assertThat(window.nextAfter(first.opens()).orElseThrow().opens())
        .as("the second 02:30 of the night opens no second window")
        .isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
    assertThat(window.openAt(Instant.parse("2026-10-25T01:40:00Z"))).isEmpty();
  }

  @Test
  void overlappingWindowsTheOneClosingLastCounts() {
    MaintenanceWindow hourly = window("0 * * * *", "3h", "UTC");
    MaintenanceWindow.Window open = hourly.openAt(Instant.parse("2026-12-01T10:20:00Z")).get();
    assertThat(open.opens()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    assertThat(open.closes()).isEqualTo(Instant.parse("2026-12-01T13:00:00Z"));
  }

  @Test
  void countsTheWindowsThatClosedWhileWaiting() {
    MaintenanceWindow daily = window("0 2 * * *", "1h", "UTC");
    Instant since = Instant.parse("2026-12-01T02:30:00Z");
    assertThat(daily.closedBetween(since, Instant.parse("2026-12-01T12:00:00Z")))
        .as("the window open when the wait began is not one it let pass")
        .isZero();
    assertThat(daily.closedBetween(since, Instant.parse("2026-12-04T02:59:00Z"))).isEqualTo(2);
    assertThat(daily.closedBetween(since, Instant.parse("2026-12-04T03:00:00Z"))).isEqualTo(3);
  }

  @Test
  void malformedSpecsNameTheirField() {
    assertThat(MaintenanceWindow.problems(spec("0 2 * * 6", "4h", "Europe/Berlin"))).isEmpty();
    assertThat(MaintenanceWindow.problems(spec("61 2 * * 6", "4h", "UTC")))
        .singleElement()
        .asString()
        .startsWith("spec.maintenanceWindow.schedule '61 2 * * 6' is not a cron schedule")
        .contains("59");
    assertThat(MaintenanceWindow.problems(spec("0 2 * * 6 2026", "4h", "UTC")))
        .singleElement()
        .asString()
        .startsWith("spec.maintenanceWindow.schedule");
    assertThat(MaintenanceWindow.problems(spec(null, "4h", "UTC")))
        .singleElement()
        .asString()
        .startsWith("spec.maintenanceWindow.schedule is required");
    assertThat(MaintenanceWindow.problems(spec("0 2 * * 6", "4 hours", "UTC")))
        .singleElement()
        .asString()
        .startsWith("spec.maintenanceWindow.duration '4 hours'");
    assertThat(MaintenanceWindow.problems(spec("0 2 * * 6", "0s", "UTC")))
        .singleElement()
        .asString()
        .startsWith("spec.maintenanceWindow.duration must be longer than 0");
    assertThat(MaintenanceWindow.problems(spec("0 2 * * 6", "4h", "Europe/Berlln")))
        .singleElement()
        .asString()
        .startsWith("spec.maintenanceWindow.timeZone 'Europe/Berlln' is not a time zone");
    assertThat(MaintenanceWindow.formatProblems(spec("0 2 * * 6", "4h", "Europe/Berlln")))
        .as("a well-formed name the JDK does not know is the operator's finding, not the CRD's")
        .isEmpty();
    assertThatThrownBy(() -> window("0 2 * * 8", "4h", "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.maintenanceWindow.schedule");
  }
}
