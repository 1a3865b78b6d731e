package dev.kopek.billing;

import dev.kopek.ledger.LedgerVerticle;
import dev.kopek.model.Bus;
import dev.kopek.model.billing.BillingAddresses;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestClock;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The ledger and billing verticles on a fresh database, billing on a clock the test drives. */
final class BillingFixture implements AutoCloseable {

  static final long HOUR = 3_600_000;

  final Vertx vertx = Vertx.vertx();
  final PostgresEndpoint database = TestDatabase.create();
  final TestClock clock = TestClock.at(Instant.parse("2026-03-01T00:00:00Z"));
  final List<JsonObject> charged = new CopyOnWriteArrayList<>();
  final List<JsonObject> suspended = new CopyOnWriteArrayList<>();
  final List<JsonObject> resumed = new CopyOnWriteArrayList<>();
  final DeploymentOptions options;
  String ledgerDeployment;
  final BillingVerticle billingVerticle;

  BillingFixture() throws Exception {
    this(new JsonObject());
  }

  /** With {@code billing} settings over the fixture's (a 20-ms poll, 1-s leases). */
  BillingFixture(JsonObject billing) throws Exception {
    options =
        new DeploymentOptions()
            .setConfig(
                new JsonObject()
                    .put("db", new JsonObject().put("url", TestDatabase.url(database)))
                    .put("ledger", new JsonObject().put("send_timeout_ms", 1000))
                    .put(
                        "billing",
                        new JsonObject()
                            .put("poll_interval_ms", 20)
                            .put("lease_ms", 1000)
                            .mergeIn(billing)));
    ledgerDeployment =
        vertx.deployVerticle(new LedgerVerticle(), options).await(30, TimeUnit.SECONDS);
    billingVerticle = new BillingVerticle(clock);
    vertx.deployVerticle(billingVerticle, options).await(30, TimeUnit.SECONDS);
    vertx.eventBus().<JsonObject>consumer(BillingAddresses.CHARGED, m -> charged.add(m.body()));
    vertx.eventBus().<JsonObject>consumer(BillingAddresses.SUSPENDED, m -> suspended.add(m.body()));
    vertx.eventBus().<JsonObject>consumer(BillingAddresses.RESUMED, m -> resumed.add(m.body()));
  }

  JsonObject request(String address, JsonObject body) throws Exception {
    return Bus.request(vertx, address, body, 10_000).await(30, TimeUnit.SECONDS);
  }

  void plan(String code, long price, String currency, String period) throws Exception {
    request(
        BillingAddresses.PLAN_CREATE,
        new JsonObject()
            .put("code", code)
            .put("name", code)
            .put("price_minor", price)
            .put("currency", currency)
            .put("period", period));
  }

  JsonObject subscribe(String user, String plan, String key) throws Exception {
    return request(
        BillingAddresses.SUBSCRIPTION_CREATE,
        new JsonObject().put("user_id", user).put("plan", plan).put("idempotency_key", key));
  }

  /**
   * Credits each user {@code credit} minor units in {@code currency} and subscribes them to {@code
   * plan} (idempotency key {@code s-<user>}).
   */
  void subscribeAll(List<String> users, String plan, long credit, String currency)
      throws Exception {
    for (String user : users) {
      credit(user, credit, currency);
      subscribe(user, plan, "s-" + user);
    }
  }

  void credit(String user, long amount, String currency) throws Exception {
    request(
        LedgerAddresses.POST,
        new PostingRequest(
                "credit-" + System.nanoTime(),
                user,
                currency,
                amount,
                EntryKind.TOPUP,
                "top-up",
                null,
                "gateway:test")
            .toJson());
  }

  void debit(String user, long amount, String currency) throws Exception {
    request(
        LedgerAddresses.POST,
        new PostingRequest(
                "debit-" + System.nanoTime(),
                user,
                currency,
                -amount,
                EntryKind.CHARGE,
                "one-off",
                null,
                "revenue")
            .toJson());
  }

  long balance(String user, String currency) {
    return TestDatabase.queryLong(
        database,
        "SELECT COALESCE(SUM(balance_minor), 0) FROM "
            + "ledger_accounts WHERE account_kind = 'wallet' AND name = '"
            + user
            + "' AND currency = '"
            + currency
            + "'");
  }

  long billingEntries(String user) {
    return TestDatabase.queryLong(
        database,
        "SELECT count(*) FROM ledger_entries WHERE kind = "
            + "'billing' AND user_id = '"
            + user
            + "'");
  }

  long billed(String user) {
    return -TestDatabase.queryLong(
        database,
        "SELECT COALESCE(SUM(amount_minor), 0) FROM "
            + "ledger_entries WHERE kind = 'billing' AND user_id = '"
            + user
            + "'");
  }

  Instant nextChargeAt(String user, String currency) {
    long epochMs =
        TestDatabase.queryLong(
            database,
            "SELECT COALESCE((EXTRACT(EPOCH FROM "
                + "next_charge_at) * 1000)::bigint, -1) FROM billing_wallets WHERE user_id = '"
                + user
                + "' AND currency = '"
                + currency
                + "'");
    return epochMs < 0 ? null : Instant.ofEpochMilli(epochMs);
  }

  /**
   * Moves the clock, once billing has reacted to every entry posted so far, and waits until no
   * wallet is due or half-run any more.
   */
  void advance(Duration duration) throws Exception {
    waitFor(
        () -> {
          try {
            return billingVerticle.reactedToPosted().await(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    clock.advance(duration);
    settle();
  }

  void settle() throws Exception {
    waitFor(
        () ->
            TestDatabase.queryLong(
                    database,
                    "SELECT count(*) FROM billing_wallets WHERE "
                        + "pending_run IS NOT NULL OR next_charge_at <= '"
                        + clock.instant()
                        + "'")
                == 0);
  }

  static void waitFor(BooleanSupplier condition) throws Exception {
    Poll.until(Duration.ofSeconds(20), "billing's condition", condition);
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
