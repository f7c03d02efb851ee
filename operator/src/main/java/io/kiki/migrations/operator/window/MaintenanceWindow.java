package io.kiki.migrations.operator.window;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.kiki.migrations.api.v1alpha1.MaintenanceWindowSpec;
import io.kiki.migrations.operator.config.DurationParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * spec.maintenanceWindow read: windows open at each time of a five-field (Unix, as a CronJob's)
 * cron schedule, parsed by cron-utils, in an IANA time zone from the JDK, and stay open for a
 * duration. Daylight saving follows the JDK's rules through {@link ZonedDateTime}, as cron-utils
 * applies them: a start at a local time the spring change skips (02:30 in Europe/Berlin on the last
 * Sunday of March) does not open that day, and a start at a local time the autumn change repeats
 * opens once, at the first of the two; the window's duration is elapsed time, not wall-clock time.
 * Everything is computed from the spec and the instant asked about; nothing is remembered.
 */
public final class MaintenanceWindow {
  /** One window: open from {@code opens} (inclusive) to {@code closes} (exclusive). */
  public record Window(Instant opens, Instant closes) {
    public boolean contains(Instant instant) {
      return !instant.isBefore(opens) && instant.isBefore(closes);
    }
  }

  private static final String FIELD = "spec.maintenanceWindow";
  private static final int MAX_SCHEDULE = MaintenanceWindowSpec.MAX_SCHEDULE;
  private static final int MAX_TIME_ZONE = MaintenanceWindowSpec.MAX_TIME_ZONE;
  private static final String TIME_ZONE_PATTERN = MaintenanceWindowSpec.TIME_ZONE_PATTERN;

  /** Starts looked at before giving up (a schedule of every minute over a week). */
  private static final int MAX_STARTS = 20_000;

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ExecutionTime starts;
  private final ZoneId zone;
  private final Duration duration;

  private MaintenanceWindow(ExecutionTime starts, ZoneId zone, Duration duration) {
    this.starts = starts;
    this.zone = zone;
    this.duration = duration;
  }

  /** The window of a valid spec; {@link #problems} says why a spec is not. */
  public static MaintenanceWindow of(MaintenanceWindowSpec spec) {
    List<String> problems = problems(spec);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new MaintenanceWindow(
        ExecutionTime.forCron(PARSER.parse(spec.getSchedule())),
        ZoneId.of(zoneOf(spec)),
        DurationParser.parse(spec.getDuration()));
  }

  /** What is wrong with the spec, each naming its field; empty when it is valid. */
  public static List<String> problems(MaintenanceWindowSpec spec) {
    List<String> problems = new ArrayList<>(formatProblems(spec));
    String schedule = spec.getSchedule();
    if (problems.stream().noneMatch(p -> p.startsWith(FIELD + ".schedule"))) {
      try {
        PARSER.parse(schedule);
      } catch (IllegalArgumentException e) {
        problems.add(
            FIELD
                + ".schedule '"
                + schedule
                + "' is not a cron schedule: "
                + e.getMessage()
                + "; e.g. \"0 2 * * 6\"");
      }
    }
    if (problems.stream().noneMatch(p -> p.startsWith(FIELD + ".timeZone"))) {
      try {
        ZoneId.of(zoneOf(spec));
      } catch (DateTimeException e) {
        problems.add(
            FIELD
                + ".timeZone '"
                + spec.getTimeZone()
                + "' is not a time zone the JDK knows: use an IANA name such as Europe/Berlin or UTC");
      }
    }
    return problems;
  }

  /**
   * What the CRD refuses too (required fields, patterns, lengths, the CEL rule on the duration):
   * each naming its field.
   */
  public static List<String> formatProblems(MaintenanceWindowSpec spec) {
    List<String> problems = new ArrayList<>();
    String schedule = spec.getSchedule();
    if (schedule == null || schedule.isBlank()) {
      problems.add(FIELD + ".schedule is required: five cron fields, e.g. \"0 2 * * 6\"");
    } else if (schedule.length() > MAX_SCHEDULE
        || !schedule.matches(MaintenanceWindowSpec.SCHEDULE_PATTERN)) {
      problems.add(
          FIELD
              + ".schedule '"
              + schedule
              + "' must be five cron fields separated by single spaces (minute hour day-of-month month "
              + "day-of-week), at most "
              + MAX_SCHEDULE
              + " characters, e.g. \"0 2 * * 6\"");
    }
    String duration = spec.getDuration();
    if (duration == null || !DurationParser.isValid(duration)) {
      problems.add(
          FIELD
              + ".duration '"
              + duration
              + "' must be a duration such as 4h or 90m (digits with ms, s, m or h)");
    } else if (DurationParser.parse(duration).isZero()) {
      problems.add(FIELD + ".duration must be longer than 0, e.g. 4h");
    }
    String zone = spec.getTimeZone();
    if (zone != null && (zone.length() > MAX_TIME_ZONE || !zone.matches(TIME_ZONE_PATTERN))) {
      problems.add(
          FIELD
              + ".timeZone '"
              + zone
              + "' must be an IANA time zone name such as Europe/Berlin or UTC");
    }
    return problems;
  }

  private static String zoneOf(MaintenanceWindowSpec spec) {
    return spec.getTimeZone() == null ? "UTC" : spec.getTimeZone();
  }

  public Duration duration() {
    return duration;
  }

  /** The window open at {@code now} that closes last (windows may overlap), if one is open. */
  public Optional<Window> openAt(Instant now) {
    Window open = null;
    Instant start = nextStartAfter(now.minus(duration));
    for (int i = 0; start != null && !start.isAfter(now) && i < MAX_STARTS; i++) {
      open = new Window(start, start.plus(duration));
      start = nextStartAfter(start);
    }
    return Optional.ofNullable(open);
  }

  /** The first window that opens after {@code now}, if the schedule has one. */
  public Optional<Window> nextAfter(Instant now) {
    return Optional.ofNullable(nextStartAfter(now)).map(s -> new Window(s, s.plus(duration)));
  }

  /**
   * Windows that opened after {@code since} and closed by {@code now}: those a rollout waiting
   * since then let pass.
   */
  public int closedBetween(Instant since, Instant now) {
    int closed = 0;
    Instant start = nextStartAfter(since.minusNanos(1));
    for (int i = 0; start != null && i < MAX_STARTS; i++) {
      if (start.plus(duration).isAfter(now)) {
        break;
      }
      closed++;
      start = nextStartAfter(start);
    }
    return closed;
  }

  private Instant nextStartAfter(Instant instant) {
    ZonedDateTime after = ZonedDateTime.ofInstant(instant, zone);
    for (int i = 0; i < MAX_STARTS; i++) {
      Optional<ZonedDateTime> next = starts.nextExecution(after);
      if (next.isEmpty()) {
        return null;
      }
      // The autumn change repeats an hour of local time: a start in it opens once, at the first;
      // its repeat, when the first is not after the instant asked about, is no new window.
      Instant first = next.get().withEarlierOffsetAtOverlap().toInstant();
      if (first.isAfter(instant)) {
        return first;
      }
      after = next.get();
    }
    return null;
  }
}
