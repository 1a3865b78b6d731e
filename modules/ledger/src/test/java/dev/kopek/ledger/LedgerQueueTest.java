package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.await;
import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's queue is bounded ({@code ledger.queue_max}): here a writer with room for three
 * waiting commands, whose batch in flight is held up by a row lock of the test's own.
 */
@Timeout(60)
@DisplayName("The writer's queue bound (ledger.queue_max)")
class LedgerQueueTest {

  private static final int QUEUE_MAX = 3;

  private Vertx vertx;
  private PostgresEndpoint database;
  private Context context;
  private LedgerWriter writer;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    database = TestDatabase.create();
    Pool pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(2))
            .connectingTo(
                LedgerVerticle.writerOptions(
                    LedgerConfig.from(LedgerFixture.config(database)).connectOptions()))
            .using(vertx)
            .build();
    context = vertx.getOrCreateContext();
    writer =
        onContext(
            () ->
                new LedgerWriter(
                    pool, Clock.systemUTC(), 512, QUEUE_MAX, BalanceAlerts.none(), entry -> {}));
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  /**
   * Runs {@code action} on the writer's event loop, as the verticle does, and returns its value.
   */
  private <T> T onContext(Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            result.complete(action.get());
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result.get(LedgerFixture.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static void assertPosted(Future<Outcome> outcome) {
    assertThat(await(outcome)).as("outcome").isInstanceOf(Outcome.Posted.class);
  }

  /** Completed already, when the command was submitted: refused, 503, nothing queued. */
  private static void assertRefusedAtOnce(Future<Outcome> outcome) {
    assertThat(outcome.isComplete()).as("answered at once").isTrue();
    Outcome refused = outcome.result();
    assertThat(refused).isInstanceOf(Outcome.Rejected.class);
    ErrorCode code = ((Outcome.Rejected) refused).failure().code();
    assertThat(code).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(code.failureCode()).isEqualTo(503);
  }

  private record Submitted(
      Future<Outcome> inFlight,
      Future<Outcome> queued,
      Future<List<Outcome>> groupTooLarge,
      Future<List<Outcome>> groupFitting,
      Future<Outcome> overflowing,
      boolean queuedWaiting) {}

  @Test
  @DisplayName(
      "a command that finds the queue full is answered unavailable at once and never "
          + "queued; an atomic group that does not fit is refused whole; once the queue drains, "
          + "commands are taken again")
  void boundedQueue() throws Exception {
    assertPosted(onContext(() -> writer.submit(credit("open", "alice", "USD", 1000))));
    try (Connection session =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = session.createStatement()) {
      session.setAutoCommit(false);
      statement.execute(
          "SELECT 1 FROM ledger_accounts WHERE account_kind = 'wallet'"
              + " AND name = 'alice' FOR UPDATE");

      // The first command's batch waits for the lock; the others queue behind it. All of it
      // happens in one turn of the event loop, so no batch can end in between.
      Submitted submitted =
          onContext(
              () -> {
                Future<Outcome> inFlight = writer.submit(debit("in-flight", "alice", "USD", 1));
                Future<Outcome> queued = writer.submit(debit("queued", "alice", "USD", 1));
                Future<List<Outcome>> tooLarge =
                    writer.submitAtomic(
                        List.of(
                            debit("g-1", "alice", "USD", 1),
                            debit("g-2", "alice", "USD", 1),
                            debit("g-3", "alice", "USD", 1)));
                Future<List<Outcome>> fitting =
                    writer.submitAtomic(
                        List.of(debit("h-1", "alice", "USD", 1), debit("h-2", "alice", "USD", 1)));
                Future<Outcome> overflowing =
                    writer.submit(debit("overflowing", "alice", "USD", 1));
                return new Submitted(
                    inFlight,
                    queued,
                    tooLarge,
                    fitting,
                    overflowing,
                    !queued.isComplete() && !fitting.isComplete());
              });

      assertThat(submitted.queuedWaiting()).as("queued commands wait for their batch").isTrue();
      assertRefusedAtOnce(submitted.overflowing());
      assertThat(submitted.groupTooLarge().isComplete()).isTrue();
      assertThat(submitted.groupTooLarge().result())
          .hasSize(3)
          .allSatisfy(outcome -> assertRefusedAtOnce(Future.succeededFuture(outcome)));
      assertThat(submitted.inFlight().isComplete()).as("the batch in flight is held up").isFalse();

      session.rollback();

      assertPosted(submitted.inFlight());
      assertPosted(submitted.queued());
      assertThat(await(submitted.groupFitting()))
          .hasSize(2)
          .allSatisfy(outcome -> assertThat(outcome).isInstanceOf(Outcome.Posted.class));
    }
    for (String refused : List.of("g-1", "g-2", "g-3", "overflowing")) {
      assertThat(
              TestDatabase.queryLong(
                  database,
                  "SELECT COUNT(*) FROM ledger_entries"
                      + " WHERE idempotency_key = '"
                      + refused
                      + "'"))
          .as(refused)
          .isZero();
    }

    assertPosted(onContext(() -> writer.submit(debit("overflowing", "alice", "USD", 1))));
    assertThat(
            TestDatabase.queryLong(
                database,
                "SELECT balance_minor FROM ledger_accounts"
                    + " WHERE account_kind = 'wallet' AND name = 'alice'"))
        .isEqualTo(1000 - 5);
  }
}
