package dev.kopek.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.Failure;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link LedgerVerticle} deployed on a test database, driven the way other modules drive it: over
 * the event bus. The blocking helpers are for the test thread only, never an event loop.
 */
final class LedgerFixture {

  /** Longest a single event-bus exchange may take before the test fails. */
  static final long WAIT_SECONDS = 30;

  final Vertx vertx;
  final PostgresEndpoint database;
  private final String deploymentId;

  private LedgerFixture(Vertx vertx, PostgresEndpoint database, String deploymentId) {
    this.vertx = vertx;
    this.database = database;
    this.deploymentId = deploymentId;
  }

  /** The verticle configuration for {@code database}. */
  static JsonObject config(PostgresEndpoint database) {
    return new JsonObject()
        .put("db", new JsonObject().put("url", TestDatabase.url(database)))
        .put("ledger", new JsonObject().put("pool_size", 4).put("batch_max", 512));
  }

  /** Deploys a ledger stamping entries with the system clock. */
  static Future<LedgerFixture> deploy(Vertx vertx, PostgresEndpoint database) {
    return deploy(vertx, database, Clock.systemUTC());
  }

  /** Deploys a ledger stamping entries with {@code clock}. */
  static Future<LedgerFixture> deploy(Vertx vertx, PostgresEndpoint database, Clock clock) {
    return vertx
        .deployVerticle(
            new LedgerVerticle(clock), new DeploymentOptions().setConfig(config(database)))
        .map(id -> new LedgerFixture(vertx, database, id));
  }

  /** A fixture for a ledger deployed by the test itself (with configuration of its own). */
  static LedgerFixture attach(Vertx vertx, PostgresEndpoint database, String deploymentId) {
    return new LedgerFixture(vertx, database, deploymentId);
  }

  Future<Void> undeploy() {
    return vertx.undeploy(deploymentId);
  }

  // ---- commands ------------------------------------------------------------------------------

  /** A top-up through the sandbox gateway: credits the wallet. */
  static PostingRequest credit(String key, String user, String currency, long amountMinor) {
    return new PostingRequest(
        key,
        user,
        currency,
        amountMinor,
        EntryKind.TOPUP,
        "Top-up",
        "payment-" + key,
        "gateway:sandbox");
  }

  /** A charge to revenue: debits the wallet by {@code amountMinor}. */
  static PostingRequest debit(String key, String user, String currency, long amountMinor) {
    return new PostingRequest(
        key, user, currency, -amountMinor, EntryKind.CHARGE, "Charge", null, "revenue");
  }

  // ---- event bus -----------------------------------------------------------------------------

  Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body).map(Message::body);
  }

  Future<JsonObject> postAsync(PostingRequest posting) {
    return request(LedgerAddresses.POST, posting.toJson());
  }

  /** Posts and returns the entry replied, failing the test if the ledger refuses. */
  JsonObject post(PostingRequest posting) {
    return await(postAsync(posting));
  }

  /** Posts a command the ledger must refuse and returns why. */
  Failure refused(PostingRequest posting) {
    return failureOf(postAsync(posting));
  }

  JsonObject call(String address, JsonObject body) {
    return await(request(address, body));
  }

  Failure callRefused(String address, JsonObject body) {
    return failureOf(request(address, body));
  }

  long balance(String user, String currency) {
    return call(
            LedgerAddresses.WALLET_GET,
            new JsonObject().put("user_id", user).put("currency", currency))
        .getLong("balance_minor");
  }

  JsonObject verify() {
    return call(LedgerAddresses.VERIFY, new JsonObject());
  }

  // ---- database, past the ledger -------------------------------------------------------------

  long queryLong(String sql) {
    return TestDatabase.queryLong(database, sql);
  }

  void execute(String sql) {
    TestDatabase.execute(database, sql);
  }

  /** Every row of a query, each as column label to value (JDBC types: Long, String, ...). */
  List<Map<String, Object>> rows(String sql) {
    try (Connection connection =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= columns; i++) {
          row.put(result.getMetaData().getColumnLabel(i), result.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql, e);
    }
  }

  /** How many entries carry {@code idempotencyKey}. */
  long entriesWithKey(String idempotencyKey) {
    return queryLong(
        "SELECT COUNT(*) FROM ledger_entries WHERE idempotency_key = '"
            + idempotencyKey.replace("'", "''")
            + "'");
  }

  /** The sum of all account balances per currency: double entry makes every one zero. */
  Map<String, Long> accountSumsByCurrency() {
    Map<String, Long> sums = new LinkedHashMap<>();
    rows("SELECT currency, SUM(balance_minor) AS total FROM ledger_accounts GROUP BY currency"
            + " ORDER BY currency")
        .forEach(
            row -> sums.put((String) row.get("currency"), ((Number) row.get("total")).longValue()));
    return sums;
  }

  /** Asserts that every currency's accounts sum to zero and {@code kopek.ledger.verify} is ok. */
  void assertConsistent(long entriesExpected) {
    assertThat(accountSumsByCurrency())
        .allSatisfy(
            (currency, sum) -> assertThat(sum).as("sum of the %s accounts", currency).isZero());
    JsonObject report = verify();
    assertThat(report.getBoolean("ok")).as("verify report %s", report).isTrue();
    assertThat(report.getLong("entries_checked")).isEqualTo(entriesExpected);
    assertThat(report.containsKey("broken")).isFalse();
  }

  // ---- waiting -------------------------------------------------------------------------------

  /** Waits for {@code future} on the test thread and returns its value. */
  static <T> T await(Future<T> future) {
    try {
      return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Throwable thrown) {
      Throwable failure = failureOf(future, thrown);
      throw new AssertionError(
          "expected success but got " + Failure.from(failure) + " (" + failure + ")", failure);
    }
  }

  /** Waits for {@code future}, which must fail, and reads its failure. */
  static Failure failureOf(Future<?> future) {
    Object value;
    try {
      value = future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Throwable thrown) {
      return Failure.from(failureOf(future, thrown));
    }
    throw new AssertionError("expected a failure but got " + value);
  }

  /**
   * What {@link Future#await(long, TimeUnit)} threw, when it is {@code future}'s own failure;
   * anything else (no answer in time, an interruption) fails the test.
   */
  private static Throwable failureOf(Future<?> future, Throwable thrown) {
    if (thrown == future.cause()) {
      return thrown;
    }
    if (thrown instanceof TimeoutException) {
      throw new AssertionError("no answer within " + WAIT_SECONDS + " s", thrown);
    }
    if (thrown instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", thrown);
    }
    throw new AssertionError("waiting failed", thrown);
  }

  /** Waits until every future has completed, successfully or not. */
  static <T> List<Future<T>> settle(List<Future<T>> futures) {
    await(Future.join(futures).transform(done -> Future.succeededFuture()));
    return futures;
  }
}
