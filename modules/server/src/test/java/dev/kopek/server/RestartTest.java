package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Kopek on its embedded database")
class RestartTest {

  @TempDir Path dataDir;

  private Kopek kopek;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.stop();
    }
  }

  @Test
  @Timeout(120)
  @DisplayName(
      "keeps balances, the transaction log, idempotency keys, plans and its token secret across a restart, on a durable server")
  void restartKeepsEverything() throws Exception {
    Map<String, String> env = Map.of("KOPEK_DATA_DIR", dataDir.toString(), "KOPEK_HTTP_PORT", "0");
    kopek = Kopek.start(Main.loadConfig(null, env));

    PostgresEndpoint database = embeddedDatabase();
    assertThat(show(database, "fsync")).isEqualTo("on");
    assertThat(show(database, "synchronous_commit")).isEqualTo("on");
    assertThat(show(database, "full_page_writes")).isEqualTo("on");

    String secret = Files.readString(dataDir.resolve("jwt-secret"), StandardCharsets.US_ASCII);
    Cli.Result minted = Cli.run(env, "token", "--user", "alice");
    assertThat(minted.code()).isEqualTo(0);
    String alice = minted.out().trim();
    JsonObject charge =
        new JsonObject()
            .put("amount_minor", 2500)
            .put("currency", "USD")
            .put("reason", "coffee beans")
            .put("reference", "order-1");

    String admin;
    JsonObject credited;
    JsonObject charged;
    JsonObject verified;
    try (ApiClient api = new ApiClient(kopek.httpPort())) {
      admin = Tokens.signedWith(api.vertx(), secret).admin("ops");
      HttpResponse<Buffer> credit =
          api.post(
              "/v1/admin/adjustments",
              admin,
              "credit-1",
              new JsonObject()
                  .put("user_id", "alice")
                  .put("amount_minor", 10_000)
                  .put("currency", "USD")
                  .put("reason", "opening credit"));
      assertThat(credit.statusCode()).isEqualTo(201);
      credited = credit.bodyAsJsonObject();
      assertThat(credited.getString("user_id")).isEqualTo("alice");
      assertThat(credited.getLong("amount_minor")).isEqualTo(10_000);
      assertThat(credited.getLong("balance_after_minor")).isEqualTo(10_000);
      assertThat(credited.getString("kind")).isEqualTo("adjustment");

      HttpResponse<Buffer> paid = api.post("/v1/charges", alice, "order-1", charge);
      assertThat(paid.statusCode()).isEqualTo(201);
      assertThat(paid.getHeader("Idempotent-Replayed")).isNull();
      charged = paid.bodyAsJsonObject();
      assertThat(charged.getString("user_id")).isEqualTo("alice");
      assertThat(charged.getLong("amount_minor")).isEqualTo(-2500);
      assertThat(charged.getLong("balance_after_minor")).isEqualTo(7500);
      assertThat(charged.getString("kind")).isEqualTo("charge");
      assertThat(charged.getLong("id")).isGreaterThan(credited.getLong("id"));

      assertThat(wallets(api, alice)).isEqualTo(usd(7500));
      assertThat(log(api, alice)).isEqualTo(new JsonArray().add(charged).add(credited));
      verified = verify(api, admin);
      assertThat(verified)
          .isEqualTo(
              new JsonObject().put("ok", true).put("wallets_checked", 1).put("entries_checked", 2));

      // Billing runs too, on the system clock: the test clock is off by default.
      HttpResponse<Buffer> plan =
          api.post(
              "/v1/admin/plans",
              admin,
              "plan-pro",
              new JsonObject()
                  .put("code", "pro")
                  .put("name", "Pro")
                  .put("price_minor", 120)
                  .put("currency", "USD")
                  .put("period", "P30D"));
      assertThat(plan.statusCode()).as(plan.bodyAsString()).isEqualTo(201);
      assertThat(api.get("/v1/admin/clock", admin).statusCode()).isEqualTo(404);
    }

    kopek.stop();
    kopek = null;
    assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();

    Map<String, String> testClock = new HashMap<>(env);
    testClock.put("KOPEK_BILLING_TEST_CLOCK", "true");
    kopek = Kopek.start(Main.loadConfig(null, testClock));
    assertThat(Files.readString(dataDir.resolve("jwt-secret"), StandardCharsets.US_ASCII))
        .isEqualTo(secret);
    assertThat(show(embeddedDatabase(), "fsync")).isEqualTo("on");
    try (ApiClient api = new ApiClient(kopek.httpPort())) {
      // Tokens minted before the restart, by the CLI and with the file's secret, still work.
      assertThat(wallets(api, alice)).isEqualTo(usd(7500));
      assertThat(log(api, alice)).isEqualTo(new JsonArray().add(charged).add(credited));
      assertThat(verify(api, admin)).isEqualTo(verified);
      HttpResponse<Buffer> plans = api.get("/v1/plans", alice);
      assertThat(plans.statusCode()).isEqualTo(200);
      assertThat(plans.bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("code"))
          .isEqualTo("pro");
      // KOPEK_BILLING_TEST_CLOCK=true turned the administrators' test clock on.
      HttpResponse<Buffer> clock = api.get("/v1/admin/clock", admin);
      assertThat(clock.statusCode()).as(clock.bodyAsString()).isEqualTo(200);
      assertThat(clock.bodyAsJsonObject().getBoolean("test_clock")).isTrue();

      HttpResponse<Buffer> replay = api.post("/v1/charges", alice, "order-1", charge);
      assertThat(replay.statusCode()).isEqualTo(201);
      assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(replay.bodyAsJsonObject()).isEqualTo(charged);
      assertThat(wallets(api, alice)).isEqualTo(usd(7500));

      HttpResponse<Buffer> next =
          api.post(
              "/v1/charges",
              alice,
              "order-2",
              charge.copy().put("amount_minor", 500).put("reference", "order-2"));
      assertThat(next.statusCode()).isEqualTo(201);
      assertThat(next.bodyAsJsonObject().getLong("balance_after_minor")).isEqualTo(7000);
      assertThat(next.bodyAsJsonObject().getLong("id")).isGreaterThan(charged.getLong("id"));
      assertThat(verify(api, admin))
          .isEqualTo(
              new JsonObject().put("ok", true).put("wallets_checked", 1).put("entries_checked", 3));
    }
  }

  private static JsonObject usd(long balance) {
    return new JsonObject()
        .put(
            "data",
            new JsonArray()
                .add(new JsonObject().put("currency", "USD").put("balance_minor", balance)));
  }

  private static JsonObject wallets(ApiClient api, String token) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/wallets", token);
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  /** The caller's whole transaction log, newest first. */
  private static JsonArray log(ApiClient api, String token) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/transactions", token);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getBoolean("has_more")).isFalse();
    return response.bodyAsJsonObject().getJsonArray("data");
  }

  private static JsonObject verify(ApiClient api, String adminToken) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/admin/ledger/verify", adminToken);
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  /** The embedded server's {@code kopek} database: its port is line 4 of postmaster.pid. */
  private PostgresEndpoint embeddedDatabase() throws Exception {
    List<String> pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
    return new PostgresEndpoint(
        "127.0.0.1", Integer.parseInt(pid.get(3).trim()), Kopek.EMBEDDED_DATABASE, "postgres", "");
  }

  private static String show(PostgresEndpoint endpoint, String setting) throws Exception {
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW " + setting)) {
      assertThat(result.next()).isTrue();
      return result.getString(1);
    }
  }
}
