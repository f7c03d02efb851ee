package io.kiki.migrations.operator.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each resource reads its database's revision: at fixed moments on the wall clock, one every
 * interval, shifted by an offset taken from the resource's uid, so 1,000 resources with the same
 * interval read at 1,000 different moments spread over it, and a restarted operator keeps the same
 * moments. A reconcile for any other reason (a resync, a label change, the operator's start) reads
 * nothing: it only finds the next moment. The first time a resource is seen (the operator's start,
 * the end of a rollout) counts as read: the start of an operator with 10,000 Ready resources opens
 * no connection, and each database is read at its next moment.
 */
public final class DriftSchedule {
  /** Longer than the longest interval: a key not claimed for this long is a deleted resource. */
  private static final Duration FORGET_AFTER = Duration.ofHours(25);

  private final Map<String, Instant> claimed = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep = new AtomicLong();

  /** The resource's moment within every interval, from its key (its uid). */
  public static Duration offset(String key, Duration interval) {
    long hash = key.hashCode() * 0x9E3779B97F4A7C15L;
    hash ^= hash >>> 29;
    return Duration.ofMillis(Math.floorMod(hash, interval.toMillis()));
  }

  /** The latest of the resource's moments not after {@code now}. */
  public static Instant slot(String key, Duration interval, Instant now) {
    long period = interval.toMillis();
    long offset = offset(key, interval).toMillis();
    long index = Math.floorDiv(now.toEpochMilli() - offset, period);
    return Instant.ofEpochMilli(index * period + offset);
  }

  /** Time from {@code now} to the resource's next moment (never zero). */
  public static Duration untilNext(String key, Duration interval, Instant now) {
    return Duration.between(now, slot(key, interval, now).plus(interval));
  }

  /**
   * Whether the read of the slot at {@code now} is still to do; the caller then does it. False when
   * it was done, and at the first sight of the key (which marks the slot as done).
   */
  public boolean claim(String key, Duration interval, Instant now) {
    sweep(now);
    Instant slot = slot(key, interval, now);
    Instant previous = claimed.put(key, slot);
    return previous != null && previous.isBefore(slot);
  }

  public int size() {
    return claimed.size();
  }

  private void sweep(Instant now) {
    long due = nextSweep.get();
    if (now.toEpochMilli() < due
        || !nextSweep.compareAndSet(due, now.plus(Duration.ofHours(1)).toEpochMilli())) {
      return;
    }
    Instant horizon = now.minus(FORGET_AFTER);
    claimed.values().removeIf(slot -> slot.isBefore(horizon));
  }
}
