package dev.kopek.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock tests move by hand; it never moves by itself and never goes backwards. */
public final class TestClock extends Clock {

  private final AtomicReference<Instant> now;

  private TestClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  /** A clock standing at {@code start}. */
  public static TestClock at(Instant start) {
    return new TestClock(start);
  }

  /** A clock standing at the current time. */
  public static TestClock now() {
    return new TestClock(Instant.now());
  }

  /** Moves the clock forward. */
  public Instant advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("the clock never goes backwards");
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("Kopek's clocks are UTC");
  }
}
