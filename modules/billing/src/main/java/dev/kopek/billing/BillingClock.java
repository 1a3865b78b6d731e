package dev.kopek.billing;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Billing's one clock. Normally the system clock (or one a test injects). With {@code
 * billing.test_clock: true} it is the shared test clock kept in the database, so every Kopek
 * process on it bills by the same simulated time; administrators move it forward, never back, and
 * the timers react on their next poll.
 */
final class BillingClock extends Clock {

  private final Clock base;
  private final Pool pool;
  private volatile Instant shared;

  private BillingClock(Clock base, Pool pool) {
    this.base = base;
    this.pool = pool;
  }

  static BillingClock of(Clock clock) {
    return new BillingClock(clock, null);
  }

  /** The shared test clock, starting at the base clock's time the first time it is used. */
  static Future<BillingClock> shared(Clock base, Pool pool) {
    BillingClock clock = new BillingClock(base, pool);
    return pool.preparedQuery(BillingSql.INSERT_TEST_CLOCK)
        .execute(Tuple.of(base.instant().truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC)))
        .compose(v -> clock.refresh())
        .map(clock);
  }

  boolean isTest() {
    return pool != null;
  }

  /** Reads the shared time again; other processes may have moved it. */
  Future<Instant> refresh() {
    if (pool == null) {
      return Future.succeededFuture(instant());
    }
    return pool.query(BillingSql.SELECT_TEST_CLOCK)
        .execute()
        .map(rows -> observe(rows.iterator().next().getOffsetDateTime("now").toInstant()));
  }

  /** Moves the shared test clock to {@code target}, or keeps it where it is if that is later. */
  Future<Instant> moveTo(Instant target) {
    return pool.preparedQuery(BillingSql.UPDATE_TEST_CLOCK)
        .execute(Tuple.of(target.truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC)))
        .map(rows -> observe(rows.iterator().next().getOffsetDateTime("now").toInstant()));
  }

  /**
   * Takes a reading of the shared clock, which only moves forward: a reading older than one already
   * taken is stale (a refresh that read the row just before a move here, and answered after it) and
   * must not set the clock back, or a command arriving then (a plan change) would be run at the
   * earlier time.
   */
  Instant observe(Instant reading) {
    if (shared == null || reading.isAfter(shared)) {
      shared = reading;
    }
    return shared;
  }

  /** Billing computes in whole milliseconds; the shared clock is kept at that precision too. */
  @Override
  public Instant instant() {
    return pool == null
        ? base.instant().truncatedTo(ChronoUnit.MILLIS)
        : shared.truncatedTo(ChronoUnit.MILLIS);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("billing runs on UTC");
  }
}
