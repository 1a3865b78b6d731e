package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kopek.testkit.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Plans, subscriptions and the test clock over HTTP, with billing on the test clock: time moves
 * only when a test moves it, so every charge is exact.
 */
@DisplayName("Plans, subscriptions and the test clock")
@Timeout(120)
class SubscriptionsApiTest {

  private static final long HOUR_MS = 3_600_000;

  /** How long a charge may take to appear after the clock moved (a few billing polls). */
  private static final Duration CHARGE_WAIT = Duration.ofSeconds(5);

  private ApiFixture api;
  private String admin;
  private String alice;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.start();
    admin = api.tokens.admin("root");
    alice = api.tokens.user("alice");
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
  }

  @Test
  @DisplayName(
      "a subscription's life: charged per period, prorated on a plan change and on "
          + "cancelling, with replays and the test clock")
  void subscriptionLifecycle() throws Exception {
    HttpResponse<Buffer> created = createPlan("pro", "Pro", 120, "PT1H");
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject().getLong("period_ms")).isEqualTo(HOUR_MS);
    assertThat(created.bodyAsJsonObject().getString("status")).isEqualTo("active");
    assertThat(codes(api.get("/v1/plans", alice))).containsExactly("pro");

    HttpResponse<Buffer> empty = subscribe(alice, "first", "pro");
    assertProblem(empty, 402, "insufficient_funds");
    assertThat(api.get("/v1/subscriptions", alice).bodyAsJsonObject().getJsonArray("data"))
        .isEmpty();

    api.credit("alice", 1000, "USD");
    HttpResponse<Buffer> subscribed = subscribe(alice, "subscribe-1", "pro");
    assertThat(subscribed.statusCode()).as(subscribed.bodyAsString()).isEqualTo(201);
    assertThat(subscribed.getHeader("Idempotent-Replayed")).isNull();
    JsonObject subscription = subscribed.bodyAsJsonObject();
    String id = subscription.getString("id");
    assertThat(id).startsWith("sub_");
    assertThat(subscription.getString("user_id")).isEqualTo("alice");
    assertThat(subscription.getString("plan")).isEqualTo("pro");
    assertThat(subscription.getString("status")).isEqualTo("active");
    assertThat(subscription.getInteger("segment")).isEqualTo(1);
    Instant createdAt = Instant.parse(subscription.getString("created_at"));
    assertThat(Instant.parse(subscription.getString("next_charge_at")))
        .isEqualTo(createdAt.plusMillis(HOUR_MS));
    // 1000 at 120 an hour lasts 8 h 20 min.
    assertThat(subscription.getLong("runway_ms")).isCloseTo(1000 * HOUR_MS / 120, within(60_000L));

    HttpResponse<Buffer> replayed = subscribe(alice, "subscribe-1", "pro");
    assertThat(replayed.statusCode()).isEqualTo(201);
    assertThat(replayed.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replayed.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertThat(replayed.bodyAsJsonObject().containsKey("replayed")).isFalse();

    // The first period ends: charged in full, once.
    advance(HOUR_MS);
    awaitBalance(alice, 880);
    JsonArray billing =
        api.get("/v1/transactions?kind=billing", alice).bodyAsJsonObject().getJsonArray("data");
    assertThat(billing).hasSize(1);
    assertThat(billing.getJsonObject(0).getLong("amount_minor")).isEqualTo(-120);
    assertThat(billing.getJsonObject(0).getString("reference")).isEqualTo("billing:" + id + ":1:1");

    // Half an hour into the second period, a change to basic settles pro's half: 60.
    assertThat(createPlan("basic", "Basic", 60, "PT1H").statusCode()).isEqualTo(201);
    advance(HOUR_MS / 2);
    HttpResponse<Buffer> changed =
        api.patch(
            "/v1/subscriptions/" + id, alice, "change-1", new JsonObject().put("plan", "basic"));
    assertThat(changed.statusCode()).as(changed.bodyAsString()).isEqualTo(200);
    assertThat(changed.bodyAsJsonObject().getString("plan")).isEqualTo("basic");
    assertThat(changed.bodyAsJsonObject().getInteger("segment")).isEqualTo(2);
    assertThat(changed.bodyAsJsonObject().getLong("price_minor")).isEqualTo(60);
    awaitBalance(alice, 820);
    HttpResponse<Buffer> changeReplayed =
        api.patch(
            "/v1/subscriptions/" + id, alice, "change-1", new JsonObject().put("plan", "basic"));
    assertThat(changeReplayed.statusCode()).isEqualTo(200);
    assertThat(changeReplayed.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(balance(alice)).isEqualTo(820);

    // A quarter of an hour on basic, then cancelled: 15 more.
    advance(HOUR_MS / 4);
    HttpResponse<Buffer> cancelled = api.delete("/v1/subscriptions/" + id, alice, "cancel-1");
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.bodyAsJsonObject().getString("cancelled_at")).isNotNull();
    assertThat(cancelled.bodyAsJsonObject().getValue("next_charge_at")).isNull();
    awaitBalance(alice, 805);
    JsonArray listed = api.get("/v1/subscriptions", alice).bodyAsJsonObject().getJsonArray("data");
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getString("status")).isEqualTo("cancelled");
    assertThat(
            api
                .get("/v1/transactions?kind=billing", alice)
                .bodyAsJsonObject()
                .getJsonArray("data")
                .stream()
                .map(e -> ((JsonObject) e).getLong("amount_minor")))
        .containsExactly(-15L, -60L, -120L);

    HttpResponse<Buffer> clock = api.get("/v1/admin/clock", admin);
    assertThat(clock.statusCode()).isEqualTo(200);
    assertThat(clock.bodyAsJsonObject().getBoolean("test_clock")).isTrue();
    HttpResponse<Buffer> backwards =
        api.post(
            "/v1/admin/clock",
            admin,
            null,
            new JsonObject().put("now", createdAt.minusSeconds(1).toString()));
    assertProblem(backwards, 400, "validation_failed");
    assertThat(backwards.bodyAsJsonObject().getString("field")).isEqualTo("now");
    assertThat(api.get("/v1/admin/clock", admin).bodyAsJsonObject().getString("now"))
        .isEqualTo(clock.bodyAsJsonObject().getString("now"));
  }

  @Test
  @DisplayName(
      "plans: admins create them once (409 on a duplicate code), fixed-length periods "
          + "only, users list the active ones, retired plans cannot be subscribed to")
  void plans() throws Exception {
    assertThat(createPlan("pro", "Pro", 120, "PT1H").statusCode()).isEqualTo(201);

    HttpResponse<Buffer> duplicate = createPlan("pro", "Pro again", 99, "PT1H");
    assertProblem(duplicate, 409, "already_exists");

    HttpResponse<Buffer> month = createPlan("monthly", "Monthly", 999, "P1M");
    assertProblem(month, 400, "validation_failed");
    assertThat(month.bodyAsJsonObject().getString("field")).isEqualTo("period");
    HttpResponse<Buffer> tooLong = createPlan("quarterly", "Quarterly", 999, "P90D");
    assertProblem(tooLong, 400, "validation_failed");
    assertThat(tooLong.bodyAsJsonObject().getString("field")).isEqualTo("period");
    HttpResponse<Buffer> badCode = createPlan("Pro Plan", "Pro", 120, "PT1H");
    assertProblem(badCode, 400, "validation_failed");
    assertThat(badCode.bodyAsJsonObject().getString("field")).isEqualTo("code");

    HttpResponse<Buffer> notAdmin =
        api.post("/v1/admin/plans", alice, null, plan("cheap", "Cheap", 1, "PT1H"));
    assertProblem(notAdmin, 403, "forbidden");

    // The period defaults to an hour.
    HttpResponse<Buffer> hourly =
        api.post(
            "/v1/admin/plans",
            admin,
            null,
            new JsonObject()
                .put("code", "yen")
                .put("name", "Yen")
                .put("price_minor", 500)
                .put("currency", "JPY"));
    assertThat(hourly.statusCode()).as(hourly.bodyAsString()).isEqualTo(201);
    assertThat(hourly.bodyAsJsonObject().getString("period")).isEqualTo("PT1H");

    assertThat(codes(api.get("/v1/plans", alice))).containsExactlyInAnyOrder("pro", "yen");
    HttpResponse<Buffer> retired = api.post("/v1/admin/plans/pro/retire", admin, null, null);
    assertThat(retired.statusCode()).as(retired.bodyAsString()).isEqualTo(200);
    assertThat(retired.bodyAsJsonObject().getString("status")).isEqualTo("retired");
    assertThat(retired.bodyAsJsonObject().getString("retired_at")).isNotNull();
    assertProblem(api.post("/v1/admin/plans/nothing/retire", admin, null, null), 404, "not_found");

    assertThat(codes(api.get("/v1/plans", alice))).containsExactly("yen");
    assertThat(codes(api.get("/v1/admin/plans", admin))).containsExactly("yen");
    assertThat(codes(api.get("/v1/admin/plans?include_retired=true", admin)))
        .containsExactlyInAnyOrder("pro", "yen");
    assertProblem(api.get("/v1/admin/plans", alice), 403, "forbidden");

    api.credit("alice", 1000, "USD");
    HttpResponse<Buffer> onRetired = subscribe(alice, "retired", "pro");
    assertProblem(onRetired, 400, "validation_failed");
    assertThat(onRetired.bodyAsJsonObject().getString("field")).isEqualTo("plan");
  }

  @Test
  @DisplayName(
      "the subscriber is the token's user: the body cannot name another, and another "
          + "user's subscription is not found")
  void subscriptionsBelongToTheCaller() throws Exception {
    assertThat(createPlan("pro", "Pro", 120, "PT1H").statusCode()).isEqualTo(201);
    assertThat(createPlan("basic", "Basic", 60, "PT1H").statusCode()).isEqualTo(201);
    api.credit("alice", 1000, "USD");
    api.credit("bob", 1000, "USD");
    String bob = api.tokens.user("bob");

    HttpResponse<Buffer> forOther =
        api.post(
            "/v1/subscriptions",
            bob,
            "for-alice",
            new JsonObject().put("plan", "pro").put("user_id", "alice"));
    assertProblem(forOther, 400, "validation_failed");
    assertThat(forOther.bodyAsJsonObject().getString("field")).isEqualTo("user_id");

    String id = subscribe(alice, "mine", "pro").bodyAsJsonObject().getString("id");
    assertThat(api.get("/v1/subscriptions", bob).bodyAsJsonObject().getJsonArray("data")).isEmpty();
    assertProblem(
        api.patch("/v1/subscriptions/" + id, bob, "steal", new JsonObject().put("plan", "basic")),
        404,
        "not_found");
    assertProblem(api.delete("/v1/subscriptions/" + id, bob, "steal"), 404, "not_found");
    assertProblem(api.delete("/v1/subscriptions/sub_nothing", alice, "nothing"), 404, "not_found");

    HttpResponse<Buffer> noKey = api.delete("/v1/subscriptions/" + id, alice, null);
    assertProblem(noKey, 400, "validation_failed");
    assertThat(noKey.bodyAsJsonObject().getString("field")).isEqualTo("Idempotency-Key");
    assertThat(
            api.patch(
                    "/v1/subscriptions/" + id,
                    alice,
                    "switch",
                    new JsonObject().put("plan", "basic"))
                .statusCode())
        .isEqualTo(200);
    HttpResponse<Buffer> otherRequest =
        api.patch("/v1/subscriptions/" + id, alice, "switch", new JsonObject().put("plan", "pro"));
    assertProblem(otherRequest, 409, "idempotency_conflict");

    JsonArray mine = api.get("/v1/subscriptions", alice).bodyAsJsonObject().getJsonArray("data");
    assertThat(mine).hasSize(1);
    assertThat(mine.getJsonObject(0).getString("status")).isEqualTo("active");
    assertThat(mine.getJsonObject(0).getString("plan")).isEqualTo("basic");
  }

  @Test
  @DisplayName("the clock takes exactly one of advance_ms (not negative) and now")
  void clockRequests() throws Exception {
    String before = api.get("/v1/admin/clock", admin).bodyAsJsonObject().getString("now");
    for (JsonObject bad :
        List.of(
            new JsonObject(),
            new JsonObject().put("advance_ms", -1),
            new JsonObject().put("advance_ms", 1).put("now", "2030-01-01T00:00:00Z"),
            new JsonObject().put("now", "tomorrow"),
            new JsonObject().put("later", 5))) {
      HttpResponse<Buffer> response = api.post("/v1/admin/clock", admin, null, bad);
      assertProblem(response, 400, "validation_failed");
    }
    assertThat(api.get("/v1/admin/clock", admin).bodyAsJsonObject().getString("now"))
        .isEqualTo(before);

    Instant later = Instant.parse(before).plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.MILLIS);
    HttpResponse<Buffer> moved =
        api.post("/v1/admin/clock", admin, null, new JsonObject().put("now", later.toString()));
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    assertThat(Instant.parse(moved.bodyAsJsonObject().getString("now"))).isEqualTo(later);
    assertProblem(
        api.post("/v1/admin/clock", alice, null, new JsonObject().put("advance_ms", 1)),
        403,
        "forbidden");
    assertProblem(api.get("/v1/admin/clock", alice), 403, "forbidden");
  }

  @Test
  @DisplayName("without billing.test_clock the clock endpoints answer 404, as in production")
  void clockIsAbsentWithoutTheTestClock() throws Exception {
    try (ApiFixture production = ApiFixture.startWithoutTestClock()) {
      String root = production.tokens.admin("root");
      assertProblem(production.get("/v1/admin/clock", root), 404, "not_found");
      assertProblem(
          production.post(
              "/v1/admin/clock", root, null, new JsonObject().put("advance_ms", HOUR_MS)),
          404,
          "not_found");
    }
  }

  private HttpResponse<Buffer> createPlan(String code, String name, long priceMinor, String period)
      throws Exception {
    return api.post("/v1/admin/plans", admin, null, plan(code, name, priceMinor, period));
  }

  private static JsonObject plan(String code, String name, long priceMinor, String period) {
    return new JsonObject()
        .put("code", code)
        .put("name", name)
        .put("price_minor", priceMinor)
        .put("currency", "USD")
        .put("period", period);
  }

  private HttpResponse<Buffer> subscribe(String token, String key, String plan) throws Exception {
    return api.post("/v1/subscriptions", token, key, new JsonObject().put("plan", plan));
  }

  private void advance(long ms) throws Exception {
    HttpResponse<Buffer> moved =
        api.post("/v1/admin/clock", admin, null, new JsonObject().put("advance_ms", ms));
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
  }

  private long balance(String token) throws Exception {
    return api.get("/v1/wallets/USD", token).bodyAsJsonObject().getLong("balance_minor");
  }

  /** Waits, a few billing polls at most, for the balance billing's timers should leave. */
  private void awaitBalance(String token, long expected) throws Exception {
    long last = Poll.value(CHARGE_WAIT, () -> balance(token), b -> b == expected);
    assertThat(last).as("balance after waiting " + CHARGE_WAIT).isEqualTo(expected);
  }

  private static List<String> codes(HttpResponse<Buffer> plans) {
    assertThat(plans.statusCode()).as(plans.bodyAsString()).isEqualTo(200);
    return plans.bodyAsJsonObject().getJsonArray("data").stream()
        .map(p -> ((JsonObject) p).getString("code"))
        .toList();
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo(code);
  }
}
