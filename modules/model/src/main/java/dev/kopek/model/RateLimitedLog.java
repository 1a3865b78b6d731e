package dev.kopek.model;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warning that repeats (a database outage fails every request until it ends) logged at most once
 * per kind per interval, without a stack trace, with the count of the ones left out: an outage of a
 * minute under load takes a dozen lines, not thousands of stack traces.
 */
public final class RateLimitedLog {

  /** The interval Kopek uses: one line per kind every five seconds. */
  public static final long INTERVAL_MS = 5_000;

  private final Logger log;
  private final long intervalMs;
  private final LongSupplier clockMs;

  /** Per kind: when it was last logged, and how many were left out since. */
  private final Map<String, long[]> kinds = new HashMap<>();

  /**
   * Logs to {@code log} at most once per kind per interval.
   *
   * @param log where the lines go
   * @param intervalMs the interval; Kopek uses {@link #INTERVAL_MS}
   * @param clockMs the time in milliseconds; Kopek uses {@code System::currentTimeMillis}
   */
  public RateLimitedLog(Logger log, long intervalMs, LongSupplier clockMs) {
    this.log = log;
    this.intervalMs = intervalMs;
    this.clockMs = clockMs;
  }

  /**
   * Logs {@code message} as a warning unless a warning of {@code kind} was logged less than the
   * interval ago; then it only counts, and the next line of the kind says how many were left out.
   *
   * @return whether the line was logged
   */
  public boolean warn(String kind, String message) {
    long now = clockMs.getAsLong();
    long suppressed;
    synchronized (kinds) {
      long[] state = kinds.get(kind);
      if (state != null && now - state[0] < intervalMs) {
        state[1]++;
        return false;
      }
      suppressed = state == null ? 0 : state[1];
      kinds.put(kind, new long[] {now, 0});
    }
    if (suppressed > 0) {
      log.warn("{} ({} more like it since the last such line)", message, suppressed);
    } else {
      log.warn(message);
    }
    return true;
  }
}
