package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.RestartableDatabase;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL restarted under the ledger: whatever was in flight, and whatever arrives while it is
 * down, is answered 503 {@code unavailable} (retry with the same key), never 500; afterwards the
 * same commands post once and the ledger verifies.
 */
@Timeout(120)
@DisplayName("The ledger during a database outage")
class DatabaseOutageTest {

  private Vertx vertx;
  private RestartableDatabase server;
  private PostgresEndpoint database;
  private LedgerFixture ledger;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = RestartableDatabase.start();
    database = server.migrated();
    ledger = LedgerFixture.await(LedgerFixture.deploy(vertx, database));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      LedgerFixture.await(vertx.close());
    } finally {
      server.close();
    }
  }

  private List<PostingRequest> batch() {
    return List.of(
        debit("outage-1", "alice", "USD", 100),
        debit("outage-2", "alice", "USD", 200),
        credit("outage-3", "alice", "USD", 50),
        debit("outage-4", "alice", "USD", 300));
  }

  private Future<JsonObject> postBatch(List<PostingRequest> postings) {
    return ledger.request(
        LedgerAddresses.POST_BATCH,
        new JsonObject()
            .put(
                "postings",
                new JsonArray(postings.stream().map(p -> (Object) p.toJson()).toList())));
  }

  @Test
  @DisplayName(
      "a batch of several commands cut off by a restart answers each of them 503, and so "
          + "does every command and read while the database is down; afterwards they post once")
  void restartUnderABatch() throws Exception {
    ledger.post(credit("opening", "alice", "USD", 10_000));

    // The server restarts: the ledger's sessions are terminated (57P01), and while it shuts
    // down new connections are refused with 57P03. (A session of the test's own keeps it in that
    // state.) The writer used to write a batch that failed with a PgException one command at a
    // time, and each one failed again, answered 500 internal.
    TestDatabase.queryLong(
        database,
        "SELECT count(pg_terminate_backend(pid)) FROM "
            + "pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
    Connection session =
        DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    server.beginShutdown();
    awaitRefusingConnections();
    Future<JsonObject> cutOff = postBatch(batch());

    JsonArray results = LedgerFixture.await(cutOff).getJsonArray("results");
    assertThat(results).hasSize(4);
    for (Object result : results) {
      JsonObject error = ((JsonObject) result).getJsonObject("error");
      assertThat(error).as("result %s", result).isNotNull();
      assertThat(error.getString("code")).isEqualTo(ErrorCode.UNAVAILABLE.wireName());
    }

    // While it is down: a batch, a single command, a read.
    JsonArray down = LedgerFixture.await(postBatch(batch())).getJsonArray("results");
    assertThat(down)
        .allSatisfy(
            result ->
                assertThat(((JsonObject) result).getJsonObject("error").getString("code"))
                    .isEqualTo("unavailable"));
    assertThat(ledger.refused(debit("outage-5", "alice", "USD", 1)).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(
            ledger
                .callRefused(
                    LedgerAddresses.WALLET_GET,
                    new JsonObject().put("user_id", "alice").put("currency", "USD"))
                .code())
        .isEqualTo(ErrorCode.UNAVAILABLE);

    // Down altogether: connections are refused.
    session.close();
    server.awaitStopped(Duration.ofSeconds(30));
    JsonArray refused = LedgerFixture.await(postBatch(batch())).getJsonArray("results");
    assertThat(refused)
        .allSatisfy(
            result ->
                assertThat(((JsonObject) result).getJsonObject("error").getString("code"))
                    .isEqualTo("unavailable"));
    assertThat(ledger.refused(debit("outage-5", "alice", "USD", 1)).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);

    server.startServer();

    JsonArray after = LedgerFixture.await(postBatch(batch())).getJsonArray("results");
    assertThat(after)
        .allSatisfy(
            result ->
                assertThat(((JsonObject) result).containsKey("entry"))
                    .as("result %s", result)
                    .isTrue());
    assertThat(ledger.balance("alice", "USD")).isEqualTo(10_000 - 100 - 200 + 50 - 300);
    ledger.assertConsistent(5);
  }

  /** Waits until the server refuses new connections (it is shutting down). */
  private void awaitRefusingConnections() throws Exception {
    SQLException refused = Poll.value(Duration.ofSeconds(20), this::refusal, Objects::nonNull);
    assertThat((Throwable) refused).as("the server still accepts connections").isNotNull();
    assertThat(refused.getSQLState()).isEqualTo("57P03");
  }

  /** Why the server refused a new connection, or null when it accepted it. */
  private SQLException refusal() {
    try (Connection probe =
        DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      return null;
    } catch (SQLException refused) {
      return refused;
    }
  }
}
