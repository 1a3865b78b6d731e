package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /v1/charges} through {@link ChargeLane} and through the general chain: the same
 * answers, byte for byte, and the lane declines what it must leave to the chain. A token is
 * verified by the chain on its first request; its next request takes the lane.
 */
@DisplayName("The charge lane answers as the general chain does")
@Timeout(120)
class ChargeLaneTest {

  private static final AtomicInteger TOKENS = new AtomicInteger();

  private ApiFixture api;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.start();
    api.credit("alice", 1_000, "USD");
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
  }

  /** A token for alice no request has carried yet. */
  private String freshToken() {
    return api.tokens.custom(
        new JsonObject().put("user_id", "alice").put("n", TOKENS.incrementAndGet()),
        new JWTOptions().setExpiresInMinutes(60));
  }

  private HttpResponse<Buffer> post(
      String path, String token, String key, String contentType, String body) throws Exception {
    HttpRequest<Buffer> request = api.client.request(HttpMethod.POST, path);
    request.putHeader("Authorization", "Bearer " + token);
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    request.putHeader("Content-Type", contentType);
    return request.sendBuffer(Buffer.buffer(body)).await(60, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          valid, then replayed          | k1 | {"amount_minor":100,"currency":"USD","reason":"coffee"}
          no Idempotency-Key            |    | {"amount_minor":100,"currency":"USD","reason":"coffee"}
          amount as a string            | k2 | {"amount_minor":"100","currency":"USD","reason":"coffee"}
          a field the contract lacks    | k3 | {"amount_minor":1,"currency":"USD","reason":"x","tip":5}
          a key twice                   | k4 | {"amount_minor":1,"amount_minor":2,"currency":"USD","reason":"x"}
          not JSON                      | k5 | {"amount_minor":
          a lower-case currency         | k6 | {"amount_minor":1,"currency":"usd","reason":"x"}
          not ISO 4217                  | k7 | {"amount_minor":1,"currency":"XYZ","reason":"x"}
          more than the balance         | k8 | {"amount_minor":5000,"currency":"USD","reason":"x"}
          zero                          | k9 | {"amount_minor":0,"currency":"USD","reason":"x"}
          an array                      | ka | [1,2]
          an over-long idempotency key  | kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk | {"amount_minor":1,"currency":"USD","reason":"x"}
          """)
  @DisplayName("the same request through the chain, then the lane: the same answer")
  void sameAnswers(String name, String key, String body) throws Exception {
    String token = freshToken();
    long before = ChargeLane.taken();
    HttpResponse<Buffer> chain = post("/v1/charges", token, key, "application/json", body);
    assertThat(ChargeLane.taken()).as("the first request of a token").isEqualTo(before);
    HttpResponse<Buffer> lane = post("/v1/charges", token, key, "application/json", body);
    assertThat(ChargeLane.taken()).as("its second request").isEqualTo(before + 1);

    assertThat(lane.statusCode()).isEqualTo(chain.statusCode());
    assertThat(lane.getHeader("Content-Type")).isEqualTo(chain.getHeader("Content-Type"));
    assertThat(lane.getHeader("Cache-Control")).isEqualTo(chain.getHeader("Cache-Control"));
    assertThat(lane.getHeader("X-Request-Id")).isNotBlank();
    assertThat(lane.bodyAsString()).isEqualTo(chain.bodyAsString());
    if (chain.statusCode() == 201) {
      // The chain posted; the lane replayed the same entry.
      assertThat(chain.getHeader("Idempotent-Replayed")).isNull();
      assertThat(lane.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(api.entryCount()).isEqualTo(2); // the credit and the charge
    } else {
      assertThat(chain.statusCode()).isBetween(400, 499);
      assertThat(api.entryCount()).isEqualTo(1); // the credit only
    }
  }

  @Test
  @DisplayName("a request id sent is echoed by the lane")
  void requestIdEchoed() throws Exception {
    String token = freshToken();
    api.get("/v1/wallets", token);
    long before = ChargeLane.taken();
    HttpResponse<Buffer> response =
        api.client
            .request(HttpMethod.POST, "/v1/charges")
            .putHeader("Authorization", "Bearer " + token)
            .putHeader("Idempotency-Key", "rid-1")
            .putHeader("X-Request-Id", "trace-42")
            .sendJsonObject(ApiFixture.charge(5, "USD", "tea"))
            .await(60, TimeUnit.SECONDS);
    assertThat(ChargeLane.taken()).isEqualTo(before + 1);
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("trace-42");
    assertThat(response.bodyAsJsonObject().getLong("balance_after_minor")).isEqualTo(995);
  }

  @Test
  @DisplayName("a query string, another content type and an unverified token go to the chain")
  void declined() throws Exception {
    String token = freshToken();
    api.get("/v1/wallets", token); // verified: the lane could take its charges
    String body = "{\"amount_minor\":1,\"currency\":\"USD\",\"reason\":\"x\"}";
    long before = ChargeLane.taken();

    HttpResponse<Buffer> query = post("/v1/charges?x=1", token, "q1", "application/json", body);
    assertThat(query.statusCode()).isEqualTo(400);
    assertThat(query.bodyAsJsonObject().getString("field")).isEqualTo("x");

    HttpResponse<Buffer> charset =
        post("/v1/charges", token, "c1", "application/json; charset=utf-8", body);
    assertThat(charset.statusCode()).isEqualTo(201);

    HttpResponse<Buffer> text = post("/v1/charges", token, "t1", "text/plain", body);
    assertThat(text.statusCode()).isEqualTo(415);

    HttpResponse<Buffer> unknown =
        post("/v1/charges", "not.a.token", "u1", "application/json", body);
    assertThat(unknown.statusCode()).isEqualTo(401);

    assertThat(ChargeLane.taken()).isEqualTo(before);
    assertThat(api.entryCount()).isEqualTo(2);
  }
}
