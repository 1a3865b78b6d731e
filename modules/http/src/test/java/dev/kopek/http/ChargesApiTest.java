package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("POST /v1/charges")
@Timeout(120)
class ChargesApiTest {

  private ApiFixture api;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.start();
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
  }

  @Test
  @DisplayName(
      "200 concurrent charges of 1.00 against 50.00: exactly 50 succeed, 150 get 402, "
          + "the balance ends at zero and the ledger still balances")
  void concurrentChargesNeverOverdraw() throws Exception {
    api.credit("alice", 5000, "USD");
    String token = api.tokens.user("alice");
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      responses.add(
          api.send(
              HttpMethod.POST,
              "/v1/charges",
              token,
              "charge-" + i,
              ApiFixture.charge(100, "USD", "coffee " + i)));
    }
    Future.join(responses).await(60, TimeUnit.SECONDS);

    Map<Integer, Long> byStatus =
        responses.stream()
            .collect(Collectors.groupingBy(f -> f.result().statusCode(), Collectors.counting()));
    assertThat(byStatus).containsExactlyInAnyOrderEntriesOf(Map.of(201, 50L, 402, 150L));
    responses.stream()
        .map(Future::result)
        .filter(r -> r.statusCode() == 402)
        .forEach(
            r -> {
              assertThat(r.getHeader("Content-Type")).isEqualTo("application/problem+json");
              assertThat(r.bodyAsJsonObject().getString("code")).isEqualTo("insufficient_funds");
            });
    assertThat(api.get("/v1/wallets/USD", token).bodyAsJsonObject().getLong("balance_minor"))
        .isZero();
    assertThat(
            TestDatabase.queryLong(
                api.database, "SELECT count(*) FROM ledger_entries WHERE kind = 'charge'"))
        .isEqualTo(50);
    assertThat(
            TestDatabase.queryLong(
                api.database,
                "SELECT count(*) FROM ledger_accounts GROUP BY currency HAVING sum(balance_minor) <> 0"
                    + " UNION ALL SELECT 0"))
        .isZero();
    assertThat(
            TestDatabase.queryLong(
                api.database,
                "SELECT sum(balance_minor) FROM ledger_accounts WHERE name = 'revenue'"))
        .isEqualTo(5000);
    JsonObject verify =
        api.get("/v1/admin/ledger/verify", api.tokens.admin("root")).bodyAsJsonObject();
    assertThat(verify.getBoolean("ok")).isTrue();
    assertThat(verify.getLong("entries_checked")).isEqualTo(51);
  }

  @Test
  @DisplayName("a charge returns the entry: negative amount, balance after, reason, time")
  void chargeReturnsTheEntry() throws Exception {
    api.credit("alice", 1000, "USD");
    HttpResponse<Buffer> response =
        api.post(
            "/v1/charges",
            api.tokens.user("alice"),
            "k1",
            ApiFixture.charge(250, "USD", "Pro plan, March").put("reference", "order-7"));
    assertThat(response.statusCode()).isEqualTo(201);
    JsonObject entry = response.bodyAsJsonObject();
    assertThat(entry.getLong("id")).isPositive();
    assertThat(entry.getLong("amount_minor")).isEqualTo(-250);
    assertThat(entry.getLong("balance_after_minor")).isEqualTo(750);
    assertThat(entry.getString("reason")).isEqualTo("Pro plan, March");
    assertThat(entry.getString("reference")).isEqualTo("order-7");
    assertThat(entry.getString("kind")).isEqualTo("charge");
    assertThat(entry.getString("created_at")).endsWith("Z");
    assertThat(response.getHeader("Idempotent-Replayed")).isNull();
  }

  @Test
  @DisplayName("a retry with the same key and body gets the first reply; another body gets 409")
  void idempotentRetries() throws Exception {
    api.credit("alice", 1000, "USD");
    String token = api.tokens.user("alice");
    JsonObject body = ApiFixture.charge(300, "USD", "book");
    HttpResponse<Buffer> first = api.post("/v1/charges", token, "same-key", body);
    HttpResponse<Buffer> again = api.post("/v1/charges", token, "same-key", body);
    HttpResponse<Buffer> other =
        api.post("/v1/charges", token, "same-key", ApiFixture.charge(301, "USD", "book"));

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(other.bodyAsJsonObject().getString("code")).isEqualTo("idempotency_conflict");
    assertThat(api.get("/v1/wallets/USD", token).bodyAsJsonObject().getLong("balance_minor"))
        .isEqualTo(700);
  }

  @Test
  @DisplayName("50 concurrent duplicates of one request post once and all get the same entry")
  void concurrentDuplicatesPostOnce() throws Exception {
    api.credit("alice", 1000, "USD");
    String token = api.tokens.user("alice");
    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      responses.add(
          api.send(
              HttpMethod.POST, "/v1/charges", token, "dup", ApiFixture.charge(100, "USD", "once")));
    }
    Future.join(responses).await(60, TimeUnit.SECONDS);
    assertThat(responses).allSatisfy(f -> assertThat(f.result().statusCode()).isEqualTo(201));
    assertThat(responses.stream().map(f -> f.result().bodyAsJsonObject().getLong("id")).distinct())
        .hasSize(1);
    assertThat(api.entryCount()).isEqualTo(2);
    assertThat(api.get("/v1/wallets/USD", token).bodyAsJsonObject().getLong("balance_minor"))
        .isEqualTo(900);
  }

  @Test
  @DisplayName("two users may use the same idempotency key without colliding")
  void keysAreScopedToTheCaller() throws Exception {
    api.credit("alice", 1000, "USD");
    api.credit("bob", 1000, "USD");
    JsonObject body = ApiFixture.charge(100, "USD", "same");
    assertThat(api.post("/v1/charges", api.tokens.user("alice"), "k", body).statusCode())
        .isEqualTo(201);
    HttpResponse<Buffer> bob = api.post("/v1/charges", api.tokens.user("bob"), "k", body);
    assertThat(bob.statusCode()).isEqualTo(201);
    assertThat(bob.getHeader("Idempotent-Replayed")).isNull();
    assertThat(bob.bodyAsJsonObject().getString("user_id")).isEqualTo("bob");
  }

  @Test
  @DisplayName("a refused charge writes nothing, so the same key succeeds after a top-up")
  void refusedChargeCanBeRetried() throws Exception {
    String token = api.tokens.user("alice");
    JsonObject body = ApiFixture.charge(500, "USD", "later");
    HttpResponse<Buffer> refused = api.post("/v1/charges", token, "retry-me", body);
    assertThat(refused.statusCode()).isEqualTo(402);
    assertThat(refused.bodyAsJsonObject().getLong("balance_minor")).isZero();
    assertThat(api.entryCount()).isZero();
    api.credit("alice", 500, "USD");
    assertThat(api.post("/v1/charges", token, "retry-me", body).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("currencies are separate wallets; zero-decimal and three-decimal currencies work")
  void currenciesAreSeparate() throws Exception {
    api.credit("alice", 1000, "JPY");
    api.credit("alice", 1500, "KWD");
    String token = api.tokens.user("alice");
    assertThat(api.post("/v1/charges", token, "u", ApiFixture.charge(1, "USD", "x")).statusCode())
        .isEqualTo(402);
    assertThat(
            api.post("/v1/charges", token, "j", ApiFixture.charge(999, "JPY", "x"))
                .bodyAsJsonObject()
                .getLong("balance_after_minor"))
        .isEqualTo(1);
    JsonObject wallets = api.get("/v1/wallets", token).bodyAsJsonObject();
    Map<String, Long> balances =
        wallets.getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .collect(
                Collectors.toMap(w -> w.getString("currency"), w -> w.getLong("balance_minor")));
    assertThat(balances).containsExactlyInAnyOrderEntriesOf(Map.of("JPY", 1L, "KWD", 1500L));
    assertThat(wallets.getJsonArray("data").getJsonObject(0).containsKey("user_id")).isFalse();
  }

  @Test
  @DisplayName(
      "an Idempotency-Key that reads as a number (1.5, -7, 1e3) is taken as the text sent, and replays")
  void numericLookingKeysAreText() throws Exception {
    api.credit("alice", 1000, "USD");
    String token = api.tokens.user("alice");
    for (String key : new String[] {"1.5", "-7", "1e3", "\"quoted\""}) {
      HttpResponse<Buffer> first =
          api.post("/v1/charges", token, key, ApiFixture.charge(10, "USD", "key " + key));
      assertThat(first.statusCode()).as(key + " -> " + first.bodyAsString()).isEqualTo(201);
      HttpResponse<Buffer> again =
          api.post("/v1/charges", token, key, ApiFixture.charge(10, "USD", "key " + key));
      assertThat(again.getHeader("Idempotent-Replayed")).as(key).isEqualTo("true");
      assertThat(again.bodyAsJsonObject().getLong("id"))
          .isEqualTo(first.bodyAsJsonObject().getLong("id"));
    }
    assertThat(api.entryCount()).isEqualTo(5);
  }
}
