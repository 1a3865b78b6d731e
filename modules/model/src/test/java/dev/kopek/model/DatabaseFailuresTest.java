package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Database outages")
class DatabaseFailuresTest {

  /** What the PostgreSQL client fails with for a server error (PgException is one). */
  private static DatabaseException server(String sqlState) {
    return new DatabaseException("FATAL: something (" + sqlState + ")", 0, sqlState) {};
  }

  @Test
  @DisplayName(
      "a refused or closed connection, 57P01, 57P02, 57P03 and class 08 are outages, "
          + "from the Vert.x client or JDBC, however deep in the causes")
  void outages() {
    assertThat(DatabaseFailures.kind(new ConnectException("Connection refused")))
        .contains("connection refused");
    assertThat(
            DatabaseFailures.kind(
                new RuntimeException(
                    new IllegalStateException(new ConnectException("Connection refused")))))
        .contains("connection refused");
    assertThat(DatabaseFailures.kind(ClosedConnectionException.INSTANCE))
        .contains("connection closed");
    assertThat(DatabaseFailures.kind(new VertxException("Connection was closed", true)))
        .contains("connection closed");
    assertThat(
            DatabaseFailures.kind(
                new VertxException(
                    "Pending requests failed to be sent due to connection has been closed.", true)))
        .contains("connection closed");
    for (String state : new String[] {"57P01", "57P02", "57P03", "08006", "08001"}) {
      assertThat(DatabaseFailures.kind(server(state))).contains("SQLSTATE " + state);
      assertThat(DatabaseFailures.isTransient(new SQLException("down", state))).isTrue();
    }
    assertThat(Failure.from(server("57P01")).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(Failure.from(new ConnectException("Connection refused")))
        .isEqualTo(DatabaseFailures.unavailable());
  }

  @Test
  @DisplayName("constraint violations, deadlocks and bugs are not")
  void notOutages() {
    assertThat(DatabaseFailures.isTransient(server("23505"))).isFalse();
    assertThat(DatabaseFailures.isTransient(server("40P01"))).isFalse();
    assertThat(DatabaseFailures.isTransient(new SQLException("no such table", "42P01"))).isFalse();
    assertThat(DatabaseFailures.isTransient(new IllegalStateException("bug"))).isFalse();
    assertThat(DatabaseFailures.isTransient(new VertxException("Timeout", true))).isFalse();
    assertThat(Failure.from(new IllegalStateException("bug")).code()).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  @DisplayName("the rate-limited log writes one line per kind per interval")
  void rateLimited() {
    AtomicLong now = new AtomicLong(1_000_000);
    RateLimitedLog log =
        new RateLimitedLog(LoggerFactory.getLogger(DatabaseFailuresTest.class), 5_000, now::get);

    assertThat(log.warn("connection refused", "down")).isTrue();
    assertThat(log.warn("connection refused", "down")).isFalse();
    assertThat(log.warn("SQLSTATE 57P01", "terminated")).isTrue();
    now.addAndGet(4_999);
    assertThat(log.warn("connection refused", "down")).isFalse();
    now.addAndGet(1);
    assertThat(log.warn("connection refused", "down")).isTrue();
    assertThat(log.warn("connection refused", "down")).isFalse();
  }
}
