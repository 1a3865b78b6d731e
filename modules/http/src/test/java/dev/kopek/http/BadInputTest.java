package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of bad input gets a 4xx problem document naming what to fix, never a 500, and writes
 * nothing: the wallet keeps its balance and the log its single credit.
 */
@DisplayName("Bad input")
@Timeout(60)
class BadInputTest {

  private static ApiFixture api;
  private static final String USER = "alice";

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    api.credit(USER, 100_000, "USD");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** A raw request: method, path, headers as pairs, body text (null for none). */
  record Case(
      String name,
      HttpMethod method,
      String path,
      String contentType,
      String body,
      boolean withKey,
      int status,
      String code,
      String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case charge(String name, String body, String field) {
    return new Case(
        name,
        HttpMethod.POST,
        "/v1/charges",
        "application/json",
        body,
        true,
        400,
        "validation_failed",
        field);
  }

  static Stream<Arguments> cases() {
    String tooLong = "x".repeat(501);
    return Stream.of(
            charge(
                "amount as a string",
                "{\"amount_minor\":\"500\",\"currency\":\"USD\",\"reason\":\"r\"}",
                "amount_minor"),
            charge(
                "amount as a fraction",
                "{\"amount_minor\":5.5,\"currency\":\"USD\",\"reason\":\"r\"}",
                "amount_minor"),
            charge(
                "zero amount",
                "{\"amount_minor\":0,\"currency\":\"USD\",\"reason\":\"r\"}",
                "amount_minor"),
            charge(
                "negative amount",
                "{\"amount_minor\":-5,\"currency\":\"USD\",\"reason\":\"r\"}",
                "amount_minor"),
            charge(
                "amount above the maximum",
                "{\"amount_minor\":10000000000,\"currency\":\"USD\",\"reason\":\"r\"}",
                "amount_minor"),
            charge(
                "amount beyond long",
                "{\"amount_minor\":99999999999999999999999,\"currency\":\"USD\",\"reason\":\"r\"}",
                "amount_minor"),
            charge("missing amount", "{\"currency\":\"USD\",\"reason\":\"r\"}", "amount_minor"),
            charge("missing currency", "{\"amount_minor\":5,\"reason\":\"r\"}", "currency"),
            charge(
                "lower-case currency",
                "{\"amount_minor\":5,\"currency\":\"usd\",\"reason\":\"r\"}",
                "currency"),
            charge(
                "unknown currency",
                "{\"amount_minor\":5,\"currency\":\"ABC\",\"reason\":\"r\"}",
                "currency"),
            charge(
                "currency without minor unit",
                "{\"amount_minor\":5,\"currency\":\"XAU\",\"reason\":\"r\"}",
                "currency"),
            charge(
                "currency as a number",
                "{\"amount_minor\":5,\"currency\":840,\"reason\":\"r\"}",
                "currency"),
            charge("missing reason", "{\"amount_minor\":5,\"currency\":\"USD\"}", "reason"),
            charge(
                "empty reason",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"\"}",
                "reason"),
            charge(
                "reason too long",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"" + tooLong + "\"}",
                "reason"),
            charge(
                "unknown field",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"r\",\"user_id\":\"bob\"}",
                "user_id"),
            charge(
                "a duplicated key (the last would win)",
                "{\"amount_minor\":1,\"amount_minor\":2,\"currency\":\"USD\",\"reason\":\"r\"}",
                "amount_minor"),
            charge(
                "a duplicated key spelled with an escape",
                "{\"reason\":\"r\",\"amount_minor\":5,\"currency\":\"USD\",\"re\\u0061son\":\"s\"}",
                "reason"),
            charge(
                "a lone low surrogate escape",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"a\\udc00b\"}",
                "reason"),
            charge(
                "a high surrogate escape followed by a letter",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"a\\ud800b\"}",
                "reason"),
            charge(
                "a high surrogate escape ending the string",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"r\",\"reference\":\"x\\uD83D\"}",
                "reference"),
            charge(
                "two high surrogate escapes",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"\\ud83d\\ud83d\"}",
                "reason"),
            charge(
                "a lone surrogate escape in a key",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"r\",\"\\udc00\":\"x\"}",
                "body"),
            charge("body is an array", "[1,2]", "body"),
            charge("body is not JSON", "{\"amount_minor\":5,", "body"),
            charge("no body", null, "body"),
            new Case(
                "no idempotency key",
                HttpMethod.POST,
                "/v1/charges",
                "application/json",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"r\"}",
                false,
                400,
                "validation_failed",
                "Idempotency-Key"),
            new Case(
                "not JSON content",
                HttpMethod.POST,
                "/v1/charges",
                "text/plain",
                "hello",
                true,
                415,
                "unsupported_media_type",
                "body"),
            new Case(
                "body over the limit",
                HttpMethod.POST,
                "/v1/charges",
                "application/json",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\""
                    + "x".repeat(70_000)
                    + "\"}",
                true,
                413,
                "payload_too_large",
                null),
            new Case(
                "limit zero",
                HttpMethod.GET,
                "/v1/transactions?limit=0",
                null,
                null,
                false,
                400,
                "validation_failed",
                "limit"),
            new Case(
                "limit over 100",
                HttpMethod.GET,
                "/v1/transactions?limit=101",
                null,
                null,
                false,
                400,
                "validation_failed",
                "limit"),
            new Case(
                "limit not a number",
                HttpMethod.GET,
                "/v1/transactions?limit=ten",
                null,
                null,
                false,
                400,
                "validation_failed",
                "limit"),
            new Case(
                "unknown kind",
                HttpMethod.GET,
                "/v1/transactions?kind=gift",
                null,
                null,
                false,
                400,
                "validation_failed",
                "kind"),
            new Case(
                "from not a time",
                HttpMethod.GET,
                "/v1/transactions?from=yesterday",
                null,
                null,
                false,
                400,
                "validation_failed",
                "from"),
            new Case(
                "from after to",
                HttpMethod.GET,
                "/v1/transactions?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                null,
                null,
                false,
                400,
                "validation_failed",
                "from"),
            new Case(
                "cursor not a number",
                HttpMethod.GET,
                "/v1/transactions?starting_after=abc",
                null,
                null,
                false,
                400,
                "validation_failed",
                "starting_after"),
            new Case(
                "wallet of an unknown currency",
                HttpMethod.GET,
                "/v1/wallets/ZZZ",
                null,
                null,
                false,
                400,
                "validation_failed",
                "currency"),
            new Case(
                "unknown path",
                HttpMethod.GET,
                "/v1/nothing-here",
                null,
                null,
                false,
                404,
                "not_found",
                null),
            new Case(
                "wrong method",
                HttpMethod.DELETE,
                "/v1/wallets",
                null,
                null,
                false,
                405,
                "method_not_allowed",
                null),
            new Case(
                "admin route without the role",
                HttpMethod.POST,
                "/v1/admin/adjustments",
                "application/json",
                "{\"user_id\":\"alice\",\"amount_minor\":-100000,"
                    + "\"currency\":\"USD\",\"reason\":\"r\"}",
                true,
                403,
                "forbidden",
                null),
            subscription(
                "subscription with the plan twice",
                "{\"plan\":\"nothing\",\"plan\":\"pro\"}",
                "plan"),
            new Case(
                "unknown query parameter",
                HttpMethod.GET,
                "/v1/wallets?foo=1",
                null,
                null,
                false,
                400,
                "validation_failed",
                "foo"),
            new Case(
                "unknown query parameter beside known ones",
                HttpMethod.GET,
                "/v1/transactions?limit=5&currenci=USD",
                null,
                null,
                false,
                400,
                "validation_failed",
                "currenci"),
            new Case(
                "unknown query parameter without a value",
                HttpMethod.GET,
                "/v1/plans?debug",
                null,
                null,
                false,
                400,
                "validation_failed",
                "debug"),
            new Case(
                "unknown query parameter on a POST",
                HttpMethod.POST,
                "/v1/charges?amount_minor=1",
                "application/json",
                "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"r\"}",
                true,
                400,
                "validation_failed",
                "amount_minor"),
            subscription("subscription without a plan", "{}", "plan"),
            subscription(
                "subscription to a plan code that cannot exist", "{\"plan\":\"Pro Plan\"}", "plan"),
            subscription("subscription to an unknown plan", "{\"plan\":\"nothing\"}", "plan"),
            subscription(
                "subscription for another user",
                "{\"plan\":\"pro\",\"user_id\":\"bob\"}",
                "user_id"),
            new Case(
                "subscription without an idempotency key",
                HttpMethod.POST,
                "/v1/subscriptions",
                "application/json",
                "{\"plan\":\"pro\"}",
                false,
                400,
                "validation_failed",
                "Idempotency-Key"),
            new Case(
                "plan change without a body",
                HttpMethod.PATCH,
                "/v1/subscriptions/sub_x",
                "application/json",
                null,
                true,
                400,
                "validation_failed",
                "body"),
            new Case(
                "cancel of an unknown subscription",
                HttpMethod.DELETE,
                "/v1/subscriptions/sub_x",
                null,
                null,
                true,
                404,
                "not_found",
                null),
            new Case(
                "plan creation without the role",
                HttpMethod.POST,
                "/v1/admin/plans",
                "application/json",
                "{\"code\":\"pro\",\"name\":\"Pro\",\"price_minor\":1," + "\"currency\":\"USD\"}",
                false,
                403,
                "forbidden",
                null))
        .map(Arguments::of);
  }

  static Case subscription(String name, String body, String field) {
    return new Case(
        name,
        HttpMethod.POST,
        "/v1/subscriptions",
        "application/json",
        body,
        true,
        400,
        "validation_failed",
        field);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("is refused with problem+json naming the field, and writes nothing")
  void refused(Case c) throws Exception {
    HttpRequest<Buffer> request =
        api.client.request(c.method(), c.path()).bearerTokenAuthentication(api.tokens.user(USER));
    if (c.withKey()) {
      request.putHeader("Idempotency-Key", "bad-" + c.name());
    }
    if (c.contentType() != null) {
      request.putHeader("Content-Type", c.contentType());
    }
    HttpResponse<Buffer> response =
        (c.body() == null ? request.send() : request.sendBuffer(Buffer.buffer(c.body())))
            .await(60, TimeUnit.SECONDS);

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(c.status());
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("code")).isEqualTo(c.code());
    assertThat(problem.getInteger("status")).isEqualTo(c.status());
    assertThat(problem.getString("type")).isEqualTo("urn:kopek:problem:" + c.code());
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
    if (c.field() != null) {
      assertThat(problem.getString("field")).isEqualTo(c.field());
    }
    assertThat(api.entryCount()).isEqualTo(1);
    assertThat(
            api.get("/v1/wallets/USD", api.tokens.user(USER))
                .bodyAsJsonObject()
                .getLong("balance_minor"))
        .isEqualTo(100_000);
  }

  @Test
  @DisplayName(
      "a surrogate encoded as UTF-8 bytes (not valid UTF-8) is refused, not stored altered")
  void encodedSurrogateRefused() throws Exception {
    byte[] start =
        "{\"amount_minor\":5,\"currency\":\"USD\",\"reason\":\"a"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] surrogate = {(byte) 0xED, (byte) 0xB0, (byte) 0x80};
    byte[] end = "\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Buffer body = Buffer.buffer().appendBytes(start).appendBytes(surrogate).appendBytes(end);
    HttpResponse<Buffer> response =
        api.client
            .post("/v1/charges")
            .bearerTokenAuthentication(api.tokens.user(USER))
            .putHeader("Idempotency-Key", "bad-encoded-surrogate")
            .putHeader("Content-Type", "application/json")
            .sendBuffer(body)
            .await(60, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("validation_failed");
    assertThat(response.bodyAsJsonObject().getString("field")).isIn("reason", "body");
    assertThat(api.entryCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "adjustment with {0}")
  @MethodSource("adjustments")
  @DisplayName("admin adjustments are validated the same way")
  void adjustmentRefused(String name, String body, int status, String field) throws Exception {
    HttpResponse<Buffer> response =
        api.client
            .post("/v1/admin/adjustments")
            .bearerTokenAuthentication(api.tokens.admin("root"))
            .putHeader("Idempotency-Key", "adj-" + name)
            .putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(body))
            .await(60, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    if (field != null) {
      assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo(field);
    }
    assertThat(api.entryCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "plan with {0}")
  @MethodSource("plans")
  @DisplayName("new plans are validated, naming the field, and nothing is created")
  void planRefused(String name, String body, String field) throws Exception {
    HttpResponse<Buffer> response =
        api.client
            .post("/v1/admin/plans")
            .bearerTokenAuthentication(api.tokens.admin("root"))
            .putHeader("Content-Type", "application/json")
            .sendBuffer(Buffer.buffer(body))
            .await(60, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("validation_failed");
    assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo(field);
    assertThat(TestDatabase.queryLong(api.database, "SELECT count(*) FROM billing_plans")).isZero();
  }

  static Stream<Arguments> plans() {
    String valid = "\"code\":\"pro\",\"name\":\"Pro\",\"price_minor\":100,\"currency\":\"USD\"";
    return Stream.of(
        Arguments.of("a month as the period", "{" + valid + ",\"period\":\"P1M\"}", "period"),
        Arguments.of("a year as the period", "{" + valid + ",\"period\":\"P1Y\"}", "period"),
        Arguments.of("a period of zero", "{" + valid + ",\"period\":\"PT0S\"}", "period"),
        Arguments.of("a period under a second", "{" + valid + ",\"period\":\"PT0.5S\"}", "period"),
        Arguments.of("a period over 31 days", "{" + valid + ",\"period\":\"P32D\"}", "period"),
        Arguments.of(
            "a period that is not a duration", "{" + valid + ",\"period\":\"hourly\"}", "period"),
        Arguments.of(
            "a zero price",
            "{\"code\":\"pro\",\"name\":\"Pro\",\"price_minor\":0,\"currency\":\"USD\"}",
            "price_minor"),
        Arguments.of(
            "an unknown currency",
            "{\"code\":\"pro\",\"name\":\"Pro\",\"price_minor\":1,\"currency\":\"ABC\"}",
            "currency"),
        Arguments.of(
            "an upper-case code",
            "{\"code\":\"Pro\",\"name\":\"Pro\",\"price_minor\":1,\"currency\":\"USD\"}",
            "code"),
        Arguments.of(
            "a code of 65 characters",
            "{\"code\":\""
                + "p".repeat(65)
                + "\",\"name\":\"Pro\",\"price_minor\":1,\"currency\":\"USD\"}",
            "code"),
        Arguments.of(
            "an empty name",
            "{\"code\":\"pro\",\"name\":\"\",\"price_minor\":1,\"currency\":\"USD\"}",
            "name"),
        Arguments.of(
            "no name", "{\"code\":\"pro\",\"price_minor\":1,\"currency\":\"USD\"}", "name"),
        Arguments.of("an unknown field", "{" + valid + ",\"trial_days\":7}", "trial_days"));
  }

  static Stream<Arguments> adjustments() {
    return Stream.of(
        Arguments.of(
            "zero",
            "{\"user_id\":\"alice\",\"amount_minor\":0,\"currency\":\"USD\",\"reason\":\"r\"}",
            400,
            "amount_minor"),
        Arguments.of(
            "no user",
            "{\"amount_minor\":10,\"currency\":\"USD\",\"reason\":\"r\"}",
            400,
            "user_id"),
        Arguments.of(
            "overdraw",
            "{\"user_id\":\"alice\",\"amount_minor\":-100001,\"currency\":\"USD\",\"reason\":\"r\"}",
            402,
            null),
        Arguments.of(
            "user id too long",
            "{\"user_id\":\""
                + "u".repeat(129)
                + "\",\"amount_minor\":10,\"currency\":\"USD\",\"reason\":\"r\"}",
            400,
            "user_id"));
  }
}
