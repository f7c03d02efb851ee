package io.kiki.migrations.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DriftScheduleTest {
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
  private static final Instant NOW = Instant.parse("2026-11-30T01:00:00Z");

  @Test
  void aThousandResourcesReadAtMomentsSpreadOverTheInterval() {
    int[] perTenSeconds = new int[30];
    IntStream.range(0, 1000)
        .mapToObj(i -> UUID.nameUUIDFromBytes(("resource-" + i).getBytes()).toString())
        .forEach(
            uid ->
                perTenSeconds[(int) (DriftSchedule.offset(uid, FIVE_MINUTES).toSeconds() / 10)]++);
    // 1,000 over 30 ten-second buckets: about 33 each; none empty, none with a crowd.
    assertThat(IntStream.of(perTenSeconds).boxed().toList())
        .allSatisfy(count -> assertThat(count).isBetween(10, 70));
  }

  @Test
  void theMomentDependsOnlyOnTheUidAndTheClockSoARestartKeepsIt() {
    String uid = UUID.randomUUID().toString();
    Instant slot = DriftSchedule.slot(uid, FIVE_MINUTES, NOW);
    assertThat(slot).isBeforeOrEqualTo(NOW).isAfter(NOW.minus(FIVE_MINUTES));
    assertThat(DriftSchedule.slot(uid, FIVE_MINUTES, slot)).isEqualTo(slot);
    assertThat(DriftSchedule.slot(uid, FIVE_MINUTES, slot.minusMillis(1)))
        .isEqualTo(slot.minus(FIVE_MINUTES));
    assertThat(DriftSchedule.untilNext(uid, FIVE_MINUTES, slot)).isEqualTo(FIVE_MINUTES);
    assertThat(DriftSchedule.untilNext(uid, FIVE_MINUTES, NOW))
        .isPositive()
        .isLessThanOrEqualTo(FIVE_MINUTES);
  }

  @Test
  void firstSightReadsNothingThenEachMomentOnceWhateverTheReconciles() {
    DriftSchedule schedule = new DriftSchedule();
    String uid = UUID.randomUUID().toString();
    Instant slot = DriftSchedule.slot(uid, FIVE_MINUTES, NOW);
    assertThat(schedule.claim(uid, FIVE_MINUTES, NOW)).as("first sight").isFalse();
    assertThat(schedule.claim(uid, FIVE_MINUTES, NOW.plusSeconds(1))).as("a resync").isFalse();
    Instant next = slot.plus(FIVE_MINUTES);
    assertThat(schedule.claim(uid, FIVE_MINUTES, next)).as("its moment").isTrue();
    assertThat(schedule.claim(uid, FIVE_MINUTES, next.plusMillis(5))).as("again").isFalse();
    assertThat(schedule.claim(uid, FIVE_MINUTES, next.plus(FIVE_MINUTES))).isTrue();
  }

  @Test
  void deletedResourcesAreForgottenAfterTheLongestInterval() {
    DriftSchedule schedule = new DriftSchedule();
    schedule.claim("gone", FIVE_MINUTES, NOW);
    schedule.claim("kept", FIVE_MINUTES, NOW);
    schedule.claim("kept", FIVE_MINUTES, NOW.plus(Duration.ofHours(26)));
    assertThat(schedule.size()).isEqualTo(1);
  }
}
