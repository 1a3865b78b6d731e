package dev.kopek.http;

import static dev.kopek.http.WebhookEndpointsApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A wallet's {@code wallet.balance_low} threshold over HTTP: read, set, dropped. The ledger serves
 * the settings; where it does not yet, {@link WalletAlertsStub} does, by the same contract. No
 * threshold is configured here, so the default is null.
 */
@DisplayName("Wallet alert settings")
@Timeout(120)
class WalletAlertsApiTest {

  private static ApiFixture api;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    WalletAlertsStub.ensure(api.vertx);
    admin = api.tokens.admin("root");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static String alerts(String user, String currency) {
    return "/v1/admin/wallets/" + user + "/" + currency + "/alerts";
  }

  private static JsonObject settings(String user, String currency, Long own) {
    return new JsonObject()
        .put("user_id", user)
        .put("currency", currency)
        .put("balance_low_minor", own)
        .put("default_balance_low_minor", null);
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    return response.bodyAsJsonObject();
  }

  @Test
  @DisplayName("a wallet's own threshold is read, set, changed and dropped with null, per currency")
  void setAndClear() throws Exception {
    assertThat(ok(api.get(alerts("frank", "USD"), admin)))
        .isEqualTo(settings("frank", "USD", null));

    JsonObject set =
        ok(api.put(alerts("frank", "USD"), admin, new JsonObject().put("balance_low_minor", 1000)));
    assertThat(set).isEqualTo(settings("frank", "USD", 1000L));
    assertThat(ok(api.get(alerts("frank", "USD"), admin)))
        .isEqualTo(settings("frank", "USD", 1000L));
    // Another currency's wallet, and another user's, keep theirs.
    assertThat(ok(api.get(alerts("frank", "EUR"), admin)))
        .isEqualTo(settings("frank", "EUR", null));
    assertThat(ok(api.get(alerts("grace", "USD"), admin)))
        .isEqualTo(settings("grace", "USD", null));

    assertThat(
            ok(
                api.put(
                    alerts("frank", "USD"), admin, new JsonObject().put("balance_low_minor", 0))))
        .isEqualTo(settings("frank", "USD", 0L));
    JsonObject cleared =
        ok(
            api.put(
                alerts("frank", "USD"),
                admin,
                new JsonObject().put("balance_low_minor", (Object) null)));
    assertThat(cleared).isEqualTo(settings("frank", "USD", null));
    assertThat(ok(api.get(alerts("frank", "USD"), admin)))
        .isEqualTo(settings("frank", "USD", null));
  }

  @Test
  @DisplayName("a user id is taken from the path as sent, URL-decoded")
  void userIdFromThePath() throws Exception {
    JsonObject set =
        ok(
            api.put(
                alerts("auth0%7Cuser%40example.com", "JPY"),
                admin,
                new JsonObject().put("balance_low_minor", 300)));
    assertThat(set).isEqualTo(settings("auth0|user@example.com", "JPY", 300L));
    assertThat(ok(api.get(alerts("1.5", "JPY"), admin))).isEqualTo(settings("1.5", "JPY", null));
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "USD | {\"balance_low_minor\":-1} | 400 | balance_low_minor",
        "USD | {\"balance_low_minor\":\"500\"} | 400 | balance_low_minor",
        "USD | {\"balance_low_minor\":1.5} | 400 | balance_low_minor",
        "USD | {\"balance_low_minor\":1e40} | 400 | balance_low_minor",
        "USD | {} | 400 | balance_low_minor",
        "USD | {\"balance_low_minor\":1,\"balance_low_minor\":2} | 400 | balance_low_minor",
        "USD | {\"balance_low_minor\":1,\"runway_low_ms\":5} | 400 | runway_low_ms",
        "usd | {\"balance_low_minor\":1} | 400 | currency",
        "XXX | {\"balance_low_minor\":1} | 400 | currency",
        "US | {\"balance_low_minor\":1} | 400 | currency"
      })
  @DisplayName("bad settings, currencies and bodies are 400 naming the field; nothing changes")
  void badInput(String currency, String body, int status, String field) throws Exception {
    HttpResponse<Buffer> response =
        api.client
            .put(alerts("henry", currency))
            .bearerTokenAuthentication(admin)
            .putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(body))
            .await(60, java.util.concurrent.TimeUnit.SECONDS);
    assertProblem(response, status, "validation_failed", field);
    assertThat(ok(api.get(alerts("henry", "USD"), admin)))
        .isEqualTo(settings("henry", "USD", null));
  }

  @Test
  @DisplayName(
      "reading with a bad currency is 400 naming it; a user id over 128 characters, user_id")
  void badPaths() throws Exception {
    assertProblem(api.get(alerts("henry", "usd"), admin), 400, "validation_failed", "currency");
    assertProblem(
        api.get(alerts("h".repeat(129), "USD"), admin), 400, "validation_failed", "user_id");
  }
}
