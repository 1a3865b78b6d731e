package dev.kopek.events;

import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * When a delivery is tried: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each
 * failure (eight attempts over about 28 hours), each wait spread by up to 10 % either way so that
 * the retries of many events do not arrive together. After the eighth failure the delivery has
 * failed for good and its endpoint is disabled.
 */
final class RetrySchedule {

  /** The wait after failed attempt {@code n} (1-based) is {@code WAITS_MS.get(n - 1)}. */
  static final List<Long> WAITS_MS =
      List.of(
          5_000L,
          5 * 60_000L,
          30 * 60_000L,
          2 * 3600_000L,
          5 * 3600_000L,
          10 * 3600_000L,
          10 * 3600_000L);

  static final int ATTEMPTS_MAX = WAITS_MS.size() + 1;

  private RetrySchedule() {}

  /**
   * The wait after failed attempt {@code attempt}, jittered by {@code jitter} (given the wait,
   * returns the jittered one), or -1 when it was the last.
   */
  static long waitAfter(int attempt, LongUnaryOperator jitter) {
    if (attempt >= ATTEMPTS_MAX) {
      return -1;
    }
    return jitter.applyAsLong(WAITS_MS.get(attempt - 1));
  }

  /** Up to 10 % either way, from a random draw in [0, 1). */
  static long jitter(long waitMs, double draw) {
    long spread = waitMs / 10;
    return waitMs - spread + (long) (draw * (2 * spread + 1));
  }
}
