package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.ScriptedProvider;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route waits as long as what it waits on: a top-up through a provider slower than the ledger's
 * timeout answers what the provider said, not a 504 while the payment goes on being created.
 */
@DisplayName("Waiting for a slow provider")
@Timeout(60)
class SlowProviderTest {

  private static final long LEDGER_TIMEOUT_MS = 500;
  private static final long GATEWAY_TIMEOUT_MS = 2_000;

  private static ApiFixture api;

  @BeforeAll
  static void start() throws Exception {
    ScriptedProvider.reset();
    api =
        ApiFixture.start(
            config -> {
              config.put("ledger", new JsonObject().put("send_timeout_ms", LEDGER_TIMEOUT_MS));
              config.getJsonObject("payments").put("gateway_timeout_ms", GATEWAY_TIMEOUT_MS);
            });
  }

  @AfterEach
  void fastAgain() {
    ScriptedProvider.startDelayMs = 0;
  }

  @AfterAll
  static void stop() throws Exception {
    ScriptedProvider.reset();
    api.close();
  }

  @Test
  @DisplayName("a top-up through a provider slower than ledger.send_timeout_ms answers 201, once")
  void slowerThanTheLedgerTimeout() throws Exception {
    ScriptedProvider.startDelayMs = 3 * LEDGER_TIMEOUT_MS;
    String alice = api.tokens.user("alice");
    long started = System.currentTimeMillis();

    HttpResponse<Buffer> response =
        api.post(
            "/v1/topups",
            alice,
            "slow-topup",
            new JsonObject().put("amount_minor", 700).put("currency", "USD"));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    assertThat(System.currentTimeMillis() - started).isGreaterThanOrEqualTo(3 * LEDGER_TIMEOUT_MS);
    JsonObject topup = response.bodyAsJsonObject();
    assertThat(topup.getString("status")).isEqualTo("pending");
    ScriptedProvider.startDelayMs = 0;
    HttpResponse<Buffer> replay =
        api.post(
            "/v1/topups",
            alice,
            "slow-topup",
            new JsonObject().put("amount_minor", 700).put("currency", "USD"));
    assertThat(replay.statusCode()).isEqualTo(201);
    assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.bodyAsJsonObject().getString("id")).isEqualTo(topup.getString("id"));
    assertThat(api.get("/v1/topups", alice).bodyAsJsonObject().getJsonArray("data")).hasSize(1);
  }

  @Test
  @DisplayName(
      "a provider slower than payments.gateway_timeout_ms gets the documented 504 from payments, at that timeout")
  void slowerThanTheGatewayTimeout() throws Exception {
    ScriptedProvider.startDelayMs = GATEWAY_TIMEOUT_MS + 1_500;
    String bob = api.tokens.user("bob");
    long started = System.currentTimeMillis();

    HttpResponse<Buffer> response =
        api.post(
            "/v1/topups",
            bob,
            "too-slow-topup",
            new JsonObject().put("amount_minor", 700).put("currency", "USD"));

    long waited = System.currentTimeMillis() - started;
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(504);
    assertThat(response.bodyAsJsonObject().getString("detail")).contains("payment provider");
    assertThat(waited)
        .isGreaterThanOrEqualTo(GATEWAY_TIMEOUT_MS)
        .isLessThan(GATEWAY_TIMEOUT_MS + HttpConfig.PAYMENTS_MARGIN_MS);
  }
}
