package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two batches in flight: the next one reads, locks and plans while the one before waits for its
 * writes and commit, and writes after it. Held up deliberately here: another connection holds the
 * revenue account's row, so the first batch's update of it waits until the test lets it go.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Pipelined batches")
class PipelinedBatchesTest {

  private LedgerFixture ledger;
  private Pool holder;
  private SqlConnection holding;
  private Transaction held;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    LedgerFixture.deploy(vertx, TestDatabase.create())
        .onComplete(
            context.succeeding(
                deployed -> {
                  ledger = deployed;
                  holder =
                      PgBuilder.pool()
                          .with(new PoolOptions().setMaxSize(1))
                          .connectingTo(PgConnectOptions.fromUri(TestDatabase.url(ledger.database)))
                          .using(vertx)
                          .build();
                  context.completeNow();
                }));
  }

  @AfterEach
  void close() {
    if (held != null) {
      LedgerFixture.await(held.rollback().recover(e -> Future.succeededFuture()));
    }
    LedgerFixture.await(holder.close());
  }

  /** Holds the revenue account's row (USD) until {@link #release()}. */
  private void holdRevenue() {
    holding = LedgerFixture.await(holder.getConnection());
    held = LedgerFixture.await(holding.begin());
    LedgerFixture.await(
        holding
            .query(
                "SELECT id FROM ledger_accounts WHERE account_kind = 'system'"
                    + " AND name = 'revenue' AND currency = 'USD' FOR UPDATE")
            .execute());
  }

  private void release() {
    LedgerFixture.await(held.commit());
    held = null;
    LedgerFixture.await(holding.close());
  }

  /** Backends other than the holder's with a lock on a ledger account row or relation. */
  private long writersHoldingAccounts() {
    return ledger.queryLong(
        "SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.relation = 'ledger_accounts'::regclass AND l.pid <> pg_backend_pid()"
            + " AND a.query NOT LIKE 'SELECT id FROM ledger_accounts%'");
  }

  private void waitFor(String what, java.util.function.BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  @DisplayName(
      "the next batch locks its wallets while the one before waits to write, and writes after it")
  void nextBatchOverlaps() throws Exception {
    ledger.post(credit("t-a", "alice", "USD", 1_000));
    ledger.post(credit("t-b", "bob", "USD", 1_000));
    ledger.post(debit("warm", "alice", "USD", 1)); // opens revenue:USD
    holdRevenue();

    Future<JsonObject> first = ledger.postAsync(debit("c-a", "alice", "USD", 100));
    // The first batch has planned and waits on the revenue row: the next one starts.
    waitFor("the first batch to wait on the revenue row", () -> writersHoldingAccounts() >= 1);
    Thread.sleep(100);
    Future<JsonObject> second = ledger.postAsync(debit("c-b", "bob", "USD", 200));
    waitFor("a second writer holding bob's wallet", () -> writersHoldingAccounts() >= 2);
    assertThat(first.isComplete()).isFalse();
    assertThat(second.isComplete()).isFalse();

    release();
    JsonObject a = LedgerFixture.await(first);
    JsonObject b = LedgerFixture.await(second);
    assertThat(a.getLong("balance_after_minor")).isEqualTo(899);
    assertThat(b.getLong("balance_after_minor")).isEqualTo(800);
    // Written in the order the batches began.
    assertThat(b.getLong("id")).isGreaterThan(a.getLong("id"));
    assertThat(ledger.balance("alice", "USD")).isEqualTo(899);
    assertThat(ledger.balance("bob", "USD")).isEqualTo(800);
    ledger.assertConsistent(5);
  }

  @Test
  @DisplayName(
      "a command repeating a key of the batch in flight waits for it and replays its entry, "
          + "and a wallet both batches move is read after the first committed")
  void sameKeyAndSameWalletWait() throws Exception {
    ledger.post(credit("t-a", "alice", "USD", 1_000));
    ledger.post(debit("warm", "alice", "USD", 1));
    holdRevenue();

    Future<JsonObject> first = ledger.postAsync(debit("c-1", "alice", "USD", 100));
    waitFor("the first batch to wait on the revenue row", () -> writersHoldingAccounts() >= 1);
    Thread.sleep(100);
    // The next batch takes the debit of the same wallet (its lock waits for the first batch's
    // commit) and stops before the repeated key, which waits for the batch after.
    Future<JsonObject> more = ledger.postAsync(debit("c-2", "alice", "USD", 899));
    Future<JsonObject> repeat = ledger.postAsync(debit("c-1", "alice", "USD", 100));
    waitFor("a second writer waiting for alice's wallet", () -> writersHoldingAccounts() >= 2);
    Thread.sleep(300);
    assertThat(repeat.isComplete()).isFalse();
    assertThat(more.isComplete()).isFalse();

    release();
    JsonObject posted = LedgerFixture.await(first);
    JsonObject replayed = LedgerFixture.await(repeat);
    assertThat(posted.getBoolean("replayed")).isFalse();
    assertThat(replayed.getBoolean("replayed")).isTrue();
    assertThat(replayed.getLong("id")).isEqualTo(posted.getLong("id"));
    // 999 - 100 = 899 left: the last debit takes it all, from the state the first committed.
    assertThat(LedgerFixture.await(more).getLong("balance_after_minor")).isZero();
    assertThat(ledger.entriesWithKey("c-1")).isEqualTo(1);
    ledger.assertConsistent(4);
  }
}
