package dev.kopek.payments;

import dev.kopek.ledger.LedgerVerticle;
import dev.kopek.model.Bus;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.ScriptedProvider;
import dev.kopek.testkit.TestClock;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** The ledger and payments verticles on a fresh database, with the scripted provider enabled. */
final class PaymentsFixture implements AutoCloseable {

  static final String SECRET = "scripted-secret-for-tests";

  final Vertx vertx = Vertx.vertx();
  final PostgresEndpoint database = TestDatabase.create();
  final TestClock clock = TestClock.now();

  static JsonObject config(PostgresEndpoint database, JsonObject payments) {
    return new JsonObject()
        .put("db", new JsonObject().put("url", TestDatabase.url(database)))
        .put(
            "payments",
            new JsonObject()
                .put("default_gateway", "scripted")
                .put("public_url", "http://127.0.0.1:9")
                .put("poll_after_ms", 1000)
                .put("poll_interval_max_ms", 2000)
                .put("janitor_interval_ms", 100)
                .put("gateway_timeout_ms", 2000)
                .put(
                    "gateways",
                    new JsonObject().put("scripted", new JsonObject().put("secret", SECRET)))
                .mergeIn(payments, true));
  }

  PaymentsFixture() throws Exception {
    this(new JsonObject());
  }

  PaymentsFixture(JsonObject payments) throws Exception {
    ScriptedProvider.reset();
    DeploymentOptions options = new DeploymentOptions().setConfig(config(database, payments));
    vertx.deployVerticle(new LedgerVerticle(), options).await(30, TimeUnit.SECONDS);
    vertx.deployVerticle(new PaymentsVerticle(clock), options).await(30, TimeUnit.SECONDS);
  }

  JsonObject request(String address, JsonObject body) throws Exception {
    return Bus.request(vertx, address, body, 10_000).await(30, TimeUnit.SECONDS);
  }

  Future<JsonObject> send(String address, JsonObject body) {
    return Bus.request(vertx, address, body, 10_000);
  }

  static JsonObject webhookRequest(String body, String signature) {
    return new JsonObject()
        .put("gateway", "scripted")
        .put("body_base64", java.util.Base64.getEncoder().encodeToString(body.getBytes()))
        .put("headers", new JsonObject().put("Scripted-Signature", new JsonArray().add(signature)))
        .put("content_type", "application/json");
  }

  long balance(String userId) {
    return TestDatabase.queryLong(
        database,
        "SELECT COALESCE(SUM(balance_minor), 0) FROM "
            + "ledger_accounts WHERE account_kind = 'wallet' AND name = '"
            + userId
            + "'");
  }

  long entries(String kind) {
    return TestDatabase.queryLong(
        database, "SELECT count(*) FROM ledger_entries WHERE kind = '" + kind + "'");
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
