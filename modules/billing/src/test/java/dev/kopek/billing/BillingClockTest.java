package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared test clock only moves forward, whatever order readings come back in. */
@DisplayName("BillingClock (test clock)")
@Timeout(60)
class BillingClockTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "a stale reading (taken before a move, answered after it) does not set the clock back")
  void staleReadingIsIgnored() throws Exception {
    PostgresEndpoint database = TestDatabase.create();
    Pool pool =
        PgBuilder.pool()
            .connectingTo(PgConnectOptions.fromUri(TestDatabase.url(database)))
            .using(vertx)
            .build();
    Instant start = Instant.parse("2026-03-01T00:00:00Z");
    BillingClock clock =
        BillingClock.shared(Clock.fixed(start, ZoneOffset.UTC), pool).await(30, TimeUnit.SECONDS);
    assertThat(clock.instant()).isEqualTo(start);

    Instant moved = clock.moveTo(start.plus(Duration.ofMinutes(30))).await(30, TimeUnit.SECONDS);
    assertThat(moved).isEqualTo(start.plus(Duration.ofMinutes(30)));

    // What a refresh that read the row before the move would report when it answers late.
    assertThat(clock.observe(start)).isEqualTo(moved);
    assertThat(clock.instant()).isEqualTo(moved);

    // Another process moves the clock further: a refresh sees it.
    TestDatabase.execute(
        database, "UPDATE billing_test_clock SET now = now + interval '1 hour' WHERE id = 1");
    assertThat(clock.refresh().await(30, TimeUnit.SECONDS))
        .isEqualTo(moved.plus(Duration.ofHours(1)));
    assertThat(clock.instant()).isEqualTo(moved.plus(Duration.ofHours(1)));
  }
}
