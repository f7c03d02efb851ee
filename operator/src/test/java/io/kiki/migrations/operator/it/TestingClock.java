package io.kiki.migrations.operator.it;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock a test sets; the system clock until it does. */
final class TestingClock extends Clock {
  private final AtomicReference<Instant> fixed = new AtomicReference<>();

  void set(Instant instant) {
    fixed.set(instant);
  }

  @Override
  public Instant instant() {
    Instant instant = fixed.get();
    return instant == null ? Instant.now() : instant;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the operator reads instants only");
  }
}
