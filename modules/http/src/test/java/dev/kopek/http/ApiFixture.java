package dev.kopek.http;

import dev.kopek.access.AccessVerticle;
import dev.kopek.billing.BillingVerticle;
import dev.kopek.events.EventLog;
import dev.kopek.events.EventsVerticle;
import dev.kopek.ledger.LedgerVerticle;
import dev.kopek.model.events.Event;
import dev.kopek.payments.PaymentsVerticle;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The production ledger, payments, billing, events and HTTP verticles on a fresh real database, and
 * a client for them. Billing runs on the test clock unless a test asks otherwise. Calls block
 * (tests read as scripts); concurrency tests fire futures and join them.
 */
final class ApiFixture implements AutoCloseable {

  final Vertx vertx;
  final PostgresEndpoint database;
  final WebClient client;
  final Tokens tokens;
  final HttpVerticle http;

  /** The scripted provider's webhook secret in these tests. */
  static final String SCRIPTED_SECRET = "scripted-secret-for-http-tests";

  private ApiFixture(Vertx vertx, PostgresEndpoint database, HttpVerticle http) {
    this.vertx = vertx;
    this.database = database;
    this.http = http;
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(http.actualPort()),
            new PoolOptions().setHttp1MaxSize(250));
    this.tokens = Tokens.standard(vertx);
  }

  static JsonObject config(PostgresEndpoint database) {
    return config(database, true);
  }

  static JsonObject config(PostgresEndpoint database, boolean testClock) {
    return new JsonObject()
        .put("db", new JsonObject().put("url", TestDatabase.url(database)))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("auth", new JsonObject().put("jwt_secret", Tokens.SECRET).put("leeway_s", 0))
        .put(
            "payments",
            new JsonObject()
                .put("default_gateway", "scripted")
                .put("public_url", "http://127.0.0.1:9")
                .put(
                    "gateways",
                    new JsonObject()
                        .put("scripted", new JsonObject().put("secret", SCRIPTED_SECRET))))
        .put("billing", new JsonObject().put("test_clock", testClock).put("poll_interval_ms", 20))
        // Limits that the concurrency tests' bursts (a thousand requests of one user at once) fit
        // in; RateLimitsApiTest sets its own.
        .put(
            "rate_limits",
            new JsonObject().put("user_per_second", 10_000).put("user_burst", 10_000));
  }

  /** Both verticles on a Vert.x with Prometheus metrics on, as the server runs them. */
  static ApiFixture start() throws Exception {
    return start(metricsEnabledVertx(), true);
  }

  static Vertx metricsEnabledVertx() {
    return Vertx.builder()
        .with(
            new VertxOptions()
                .setMetricsOptions(
                    new MicrometerMetricsOptions()
                        .setEnabled(true)
                        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
        .build();
  }

  /** With {@code withLedger} false, only the HTTP verticle runs (the ledger is "down"). */
  static ApiFixture start(Vertx vertx, boolean withLedger) throws Exception {
    return start(vertx, withLedger, true);
  }

  /** Every verticle, with billing on the system clock as in production (no test clock). */
  static ApiFixture startWithoutTestClock() throws Exception {
    return start(metricsEnabledVertx(), true, false);
  }

  /** Every verticle, with the configuration {@code configure} changed as it likes. */
  static ApiFixture start(java.util.function.Consumer<JsonObject> configure) throws Exception {
    return start(metricsEnabledVertx(), true, true, configure);
  }

  private static ApiFixture start(Vertx vertx, boolean withLedger, boolean testClock)
      throws Exception {
    return start(vertx, withLedger, testClock, config -> {});
  }

  private static ApiFixture start(
      Vertx vertx,
      boolean withLedger,
      boolean testClock,
      java.util.function.Consumer<JsonObject> configure)
      throws Exception {
    PostgresEndpoint database = TestDatabase.create();
    JsonObject config = config(database, testClock);
    configure.accept(config);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    if (withLedger) {
      vertx.deployVerticle(new LedgerVerticle(), options).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(new PaymentsVerticle(), options).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(new BillingVerticle(), options).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(new EventsVerticle(), options).await(60, TimeUnit.SECONDS);
      vertx.deployVerticle(new AccessVerticle(), options).await(60, TimeUnit.SECONDS);
    }
    HttpVerticle http = new HttpVerticle();
    vertx.deployVerticle(http, options).await(60, TimeUnit.SECONDS);
    return new ApiFixture(vertx, database, http);
  }

  Future<HttpResponse<Buffer>> send(
      HttpMethod method, String path, String token, String key, JsonObject body) {
    HttpRequest<Buffer> request = client.request(method, path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  HttpResponse<Buffer> get(String path, String token) throws Exception {
    return send(HttpMethod.GET, path, token, null, null).await(60, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> post(String path, String token, String key, JsonObject body)
      throws Exception {
    return send(HttpMethod.POST, path, token, key, body).await(60, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> patch(String path, String token, String key, JsonObject body)
      throws Exception {
    return send(HttpMethod.PATCH, path, token, key, body).await(60, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> put(String path, String token, JsonObject body) throws Exception {
    return send(HttpMethod.PUT, path, token, null, body).await(60, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> delete(String path, String token, String key) throws Exception {
    return send(HttpMethod.DELETE, path, token, key, null).await(60, TimeUnit.SECONDS);
  }

  /** Credits {@code userId} through the admin API and checks it worked. */
  void credit(String userId, long amountMinor, String currency) throws Exception {
    HttpResponse<Buffer> response =
        post(
            "/v1/admin/adjustments",
            tokens.admin("root"),
            "credit-" + userId + "-" + System.nanoTime(),
            new JsonObject()
                .put("user_id", userId)
                .put("amount_minor", amountMinor)
                .put("currency", currency)
                .put("reason", "test credit"));
    if (response.statusCode() != 201) {
      throw new AssertionError("credit failed: " + response.bodyAsString());
    }
  }

  static JsonObject charge(long amountMinor, String currency, String reason) {
    return new JsonObject()
        .put("amount_minor", amountMinor)
        .put("currency", currency)
        .put("reason", reason);
  }

  /**
   * Records {@code events} as the ledger, payments and billing do: in one transaction of their own
   * (committed when this returns), through {@link EventLog}.
   */
  void appendEvents(Event... events) throws Exception {
    Pool pool =
        PgBuilder.pool()
            .connectingTo(PgConnectOptions.fromUri(TestDatabase.url(database)))
            .using(vertx)
            .build();
    try {
      pool.withTransaction(conn -> EventLog.append(conn, List.of(events)))
          .await(60, TimeUnit.SECONDS);
    } finally {
      pool.close().await(60, TimeUnit.SECONDS);
    }
  }

  long entryCount() {
    return TestDatabase.queryLong(database, "SELECT count(*) FROM ledger_entries");
  }

  @Override
  public void close() throws Exception {
    client.close();
    vertx.close().await(60, TimeUnit.SECONDS);
  }
}
