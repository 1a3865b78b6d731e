package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the HTTP layer answers around the API proper: requests too large to be read, the headers
 * every API reply carries, and checkout links that cannot be a checkout.
 */
@DisplayName("HTTP hygiene")
@Timeout(60)
class HttpHygieneTest {

  private static ApiFixture api;

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    api.credit("alice", 10_000, "USD");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("code")).isEqualTo(code);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
  }

  @Test
  @DisplayName("request headers over the limit get 431 with a problem document")
  void headersTooLarge() throws Exception {
    HttpResponse<Buffer> response =
        api.client
            .get("/v1/wallets")
            .bearerTokenAuthentication(api.tokens.user("alice"))
            .putHeader("X-Padding", "x".repeat(10_000))
            .send()
            .await(60, TimeUnit.SECONDS);
    assertProblem(response, 431, "request_header_fields_too_large");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  @DisplayName("a request line over the limit gets 414 with a problem document")
  void requestLineTooLong() throws Exception {
    // The server answers before it has read the whole line and then closes the connection; on a
    // busy machine the close can reach the client first (a reset drops the unread answer), so
    // that transport race is tried again. The answer, when it is read, must be the 414.
    HttpResponse<Buffer> response = null;
    for (int attempt = 1; response == null; attempt++) {
      try {
        response = api.get("/v1/transactions?kind=" + "x".repeat(8_000), api.tokens.user("alice"));
      } catch (io.vertx.core.http.HttpClosedException reset) {
        if (attempt == 5) {
          throw reset;
        }
      }
    }
    assertProblem(response, 414, "uri_too_long");
  }

  @Test
  @DisplayName("every /v1 reply and every problem document is marked no-store and nosniff")
  void apiRepliesAreNotCachedOrSniffed() throws Exception {
    String alice = api.tokens.user("alice");
    List<HttpResponse<Buffer>> responses =
        List.of(
            api.get("/v1/wallets", alice),
            api.get("/v1/wallets/USD", alice),
            api.get("/v1/transactions.csv", alice),
            api.get("/v1/wallets", null),
            api.get("/v1/wallets/usd", alice),
            api.get("/v1/nothing", alice),
            api.get("/nothing", null),
            api.post("/v1/charges", alice, "hygiene-charge", ApiFixture.charge(1, "USD", "test")),
            api.post(
                "/v1/charges",
                alice,
                "hygiene-overdraw",
                ApiFixture.charge(1_000_000, "USD", "test")),
            api.send(HttpMethod.DELETE, "/v1/wallets", alice, null, null)
                .await(60, TimeUnit.SECONDS));
    assertThat(responses)
        .extracting(HttpResponse::statusCode)
        .containsExactly(200, 200, 200, 401, 400, 404, 404, 201, 402, 405);
    for (HttpResponse<Buffer> response : responses) {
      assertThat(response.getHeader("Cache-Control"))
          .as(response.bodyAsString())
          .isEqualTo("no-store");
      assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    }
  }

  @ParameterizedTest(name = "/checkout/{0}")
  @ValueSource(
      strings = {
        "abc",
        "abc/complete",
        "aaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaa%3Cscript%3E",
        "aaaaaaaaaaaaaaaaaaaaaaaaa.b",
        "%E2%82%AC%E2%82%AC%E2%82%AC",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaa/complete%00"
      })
  @DisplayName("a truncated or malformed checkout link shows the page for an unknown checkout")
  void malformedCheckoutLink(String token) throws Exception {
    HttpResponse<Buffer> unknown = api.get("/checkout/" + "a".repeat(30), null);
    HttpResponse<Buffer> malformed = api.get("/checkout/" + token, null);

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(malformed.statusCode()).as(malformed.bodyAsString()).isEqualTo(404);
    assertThat(malformed.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(malformed.bodyAsString()).contains("<h1>No such checkout</h1>");
    for (String header :
        List.of(
            "Content-Security-Policy",
            "Referrer-Policy",
            "Cache-Control",
            "X-Content-Type-Options")) {
      assertThat(malformed.getHeader(header)).as(header).isNotNull();
      assertThat(malformed.getHeader(header).replaceAll("'nonce-[^']+'", ""))
          .isEqualTo(unknown.getHeader(header).replaceAll("'nonce-[^']+'", ""));
    }
  }

  @Test
  @DisplayName("the checkout form's post refuses a duplicated key, naming it, and pays nothing")
  void checkoutSubmitDuplicateKey() throws Exception {
    String alice = api.tokens.user("alice");
    JsonObject topup =
        api.post(
                "/v1/topups",
                alice,
                "hygiene-topup",
                new JsonObject().put("amount_minor", 500).put("currency", "USD"))
            .bodyAsJsonObject();
    String url = topup.getString("checkout_url");
    String token = url.substring(url.lastIndexOf('/') + 1);

    HttpResponse<Buffer> response =
        api.client
            .post("/checkout/" + token + "/submit")
            .putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer("{\"outcome\":\"decline\",\"outcome\":\"succeed\"}"))
            .await(60, TimeUnit.SECONDS);

    assertProblem(response, 400, "validation_failed");
    assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("outcome");
    assertThat(
            api.get("/v1/topups/" + topup.getString("id"), alice)
                .bodyAsJsonObject()
                .getString("status"))
        .isEqualTo("pending");
  }
}
