package dev.kopek.http;

import static dev.kopek.http.WebhookEndpointsApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Administrators' views of users: the list of users with wallets (currency, balance bounds, three
 * orders, cursor paging), one user at a glance with each wallet's runway, and one user's
 * transactions, subscriptions and top-ups.
 */
@DisplayName("Admin views of users")
@Timeout(120)
class AdminUsersApiTest {

  private static final long HOUR_MS = 3_600_000;
  private static final Duration CHARGE_WAIT = Duration.ofSeconds(10);

  /**
   * The USD balances of the list's users: ties at 300, 100 and 700 put page boundaries inside
   * groups of equal balances; u04's wallet has had entries and is back to zero. Ids are lower-case
   * letters and digits of one length, so that they sort alike in every collation.
   */
  private static final Map<String, Long> USD = new LinkedHashMap<>();

  /** EUR balances: u03 has both currencies; e01 and e02 have EUR only. */
  private static final Map<String, Long> EUR = new LinkedHashMap<>();

  static {
    long[] usd = {300, 100, 300, 0, 300, 700, 100, 300, 50, 700, 300};
    for (int i = 0; i < usd.length; i++) {
      USD.put(String.format("u%02d", i + 1), usd[i]);
    }
    EUR.put("e01", 40L);
    EUR.put("e02", 60L);
    EUR.put("u03", 10L);
  }

  private ApiFixture api;
  private String admin;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.start();
    admin = api.tokens.admin("root");
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
  }

  private void seedList() throws Exception {
    for (var user : USD.entrySet()) {
      api.credit(user.getKey(), user.getValue() == 0 ? 25 : user.getValue(), "USD");
      if (user.getValue() == 0) {
        adjust(user.getKey(), -25, "USD");
      }
    }
    for (var user : EUR.entrySet()) {
      api.credit(user.getKey(), user.getValue(), "EUR");
    }
    // A wallet opened for its alert threshold only has had no entry: its owner is not listed.
    assertThat(
            api.put(
                    "/v1/admin/wallets/alerts-only/USD/alerts",
                    admin,
                    new JsonObject().put("balance_low_minor", 5))
                .statusCode())
        .isEqualTo(200);
  }

  private void adjust(String user, long amountMinor, String currency) throws Exception {
    HttpResponse<Buffer> adjusted =
        api.post(
            "/v1/admin/adjustments",
            admin,
            "adjust-" + user + "-" + System.nanoTime(),
            ApiFixture.charge(1, currency, "test adjustment")
                .put("user_id", user)
                .put("amount_minor", amountMinor));
    assertThat(adjusted.statusCode()).as(adjusted.bodyAsString()).isEqualTo(201);
  }

  /** Every page of {@code query} (without {@code limit}), following the cursor. */
  private List<JsonObject> allPages(String query, int limit) throws Exception {
    List<JsonObject> rows = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 100; pages++) {
      String url =
          "/v1/admin/users?limit="
              + limit
              + (query.isEmpty() ? "" : "&" + query)
              + (cursor == null ? "" : "&starting_after=" + cursor);
      HttpResponse<Buffer> response = api.get(url, admin);
      assertThat(response.statusCode()).as(url + " -> " + response.bodyAsString()).isEqualTo(200);
      JsonObject page = response.bodyAsJsonObject();
      JsonArray data = page.getJsonArray("data");
      data.forEach(row -> rows.add((JsonObject) row));
      if (!page.getBoolean("has_more")) {
        assertThat(page.getValue("next_cursor")).as(url).isNull();
        assertThat(page.containsKey("next_cursor")).isTrue();
        return rows;
      }
      assertThat(data.size()).as(url).isEqualTo(limit);
      cursor = page.getString("next_cursor");
      assertThat(cursor).as(url).isNotBlank();
    }
    throw new AssertionError("more than 100 pages of " + query);
  }

  private static List<String> ids(List<JsonObject> rows) {
    return rows.stream().map(row -> row.getString("user_id")).toList();
  }

  /** The users of {@code balances}, by balance (ascending or not), ties by id. */
  private static List<String> byBalance(Map<String, Long> balances, boolean ascending) {
    Comparator<Map.Entry<String, Long>> byBalance = Map.Entry.comparingByValue();
    if (!ascending) {
      byBalance = byBalance.reversed();
    }
    return balances.entrySet().stream()
        .sorted(byBalance.thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .toList();
  }

  @Test
  @DisplayName(
      "paging with the cursor returns every user exactly once, in each order, page boundaries"
          + " falling inside ties on balance")
  void pagingReturnsEachUserOnce() throws Exception {
    seedList();
    Set<String> everybody = new HashSet<>(USD.keySet());
    everybody.addAll(EUR.keySet());
    List<String> everybodyById = everybody.stream().sorted().toList();
    List<String> usdById = USD.keySet().stream().sorted().toList();
    for (int limit : new int[] {1, 2, 3, 100}) {
      assertThat(ids(allPages("", limit))).as("limit " + limit).isEqualTo(everybodyById);
      assertThat(ids(allPages("sort=user_id&currency=USD", limit)))
          .as("limit " + limit)
          .isEqualTo(usdById);
      assertThat(ids(allPages("sort=balance&currency=USD", limit)))
          .as("limit " + limit)
          .isEqualTo(byBalance(USD, true))
          .doesNotHaveDuplicates();
      assertThat(ids(allPages("sort=-balance&currency=USD", limit)))
          .as("limit " + limit)
          .isEqualTo(byBalance(USD, false))
          .doesNotHaveDuplicates();
    }
    // The orders are what they say, ties by user id (not just a permutation of the users).
    assertThat(byBalance(USD, true))
        .startsWith("u04", "u09", "u02", "u07", "u01", "u03", "u05", "u08", "u11", "u06", "u10");
    assertThat(byBalance(USD, false)).startsWith("u06", "u10", "u01", "u03");

    // Each row carries every wallet of its user, by currency, whatever the filter.
    Map<String, JsonObject> rows = new LinkedHashMap<>();
    allPages("currency=USD&sort=-balance", 4)
        .forEach(row -> rows.put(row.getString("user_id"), row));
    assertThat(rows.get("u03").getJsonArray("wallets"))
        .containsExactly(
            new JsonObject().put("currency", "EUR").put("balance_minor", 10L),
            new JsonObject().put("currency", "USD").put("balance_minor", 300L));
    assertThat(rows.get("u04").getJsonArray("wallets"))
        .containsExactly(new JsonObject().put("currency", "USD").put("balance_minor", 0L));
    for (var user : USD.entrySet()) {
      JsonArray wallets = rows.get(user.getKey()).getJsonArray("wallets");
      JsonObject usd =
          wallets.stream()
              .map(JsonObject.class::cast)
              .filter(w -> w.getString("currency").equals("USD"))
              .findFirst()
              .orElseThrow();
      assertThat(usd.getLong("balance_minor")).as(user.getKey()).isEqualTo(user.getValue());
    }
  }

  @Test
  @DisplayName("the balance bounds are inclusive, need a currency, and combine with every order")
  void balanceBounds() throws Exception {
    seedList();
    assertThat(ids(allPages("currency=USD&balance_min_minor=100&balance_max_minor=300", 2)))
        .containsExactly("u01", "u02", "u03", "u05", "u07", "u08", "u11");
    assertThat(
            ids(
                allPages(
                    "currency=USD&balance_min_minor=300&balance_max_minor=300&sort=balance", 2)))
        .containsExactly("u01", "u03", "u05", "u08", "u11");
    assertThat(ids(allPages("currency=USD&balance_min_minor=301&sort=-balance", 1)))
        .containsExactly("u06", "u10");
    assertThat(ids(allPages("currency=USD&balance_max_minor=50&sort=-balance", 5)))
        .containsExactly("u09", "u04");
    assertThat(ids(allPages("currency=USD&balance_max_minor=0", 5))).containsExactly("u04");
    assertThat(ids(allPages("currency=USD&balance_min_minor=701", 5))).isEmpty();
    assertThat(ids(allPages("currency=EUR&balance_min_minor=40&sort=balance", 5)))
        .containsExactly("e01", "e02");
  }

  @Test
  @DisplayName("the currency filter lists the users with a wallet in that currency only")
  void currencyFilter() throws Exception {
    seedList();
    assertThat(ids(allPages("currency=EUR", 2))).containsExactly("e01", "e02", "u03");
    assertThat(ids(allPages("currency=JPY", 2))).isEmpty();
    assertThat(ids(allPages("currency=EUR&sort=-balance", 2))).containsExactly("e02", "e01", "u03");
  }

  @Test
  @DisplayName(
      "filters and orders that do not fit together, and foreign cursors, get 400 naming the field")
  void badCombinations() throws Exception {
    seedList();
    Map<String, String> fieldOf = new LinkedHashMap<>();
    fieldOf.put("sort=balance", "sort");
    fieldOf.put("sort=-balance", "sort");
    fieldOf.put("sort=richest&currency=USD", "sort");
    fieldOf.put("balance_min_minor=10", "balance_min_minor");
    fieldOf.put("balance_max_minor=10&sort=user_id", "balance_max_minor");
    fieldOf.put("currency=USD&balance_min_minor=20&balance_max_minor=10", "balance_min_minor");
    fieldOf.put("currency=USD&balance_min_minor=-1", "balance_min_minor");
    fieldOf.put("currency=usd", "currency");
    fieldOf.put("currency=XAU&sort=balance", "currency");
    fieldOf.put("currency=USD&limit=101", "limit");
    fieldOf.put("starting_after=bm90IGEgY3Vyc29y", "starting_after");
    fieldOf.put("starting_after=not.base64!", "starting_after");
    for (var bad : fieldOf.entrySet()) {
      assertProblem(
          api.get("/v1/admin/users?" + bad.getKey(), admin),
          400,
          "validation_failed",
          bad.getValue());
    }
    // A cursor belongs to its order and, for a balance order, its currency.
    String byId =
        api.get("/v1/admin/users?limit=2", admin).bodyAsJsonObject().getString("next_cursor");
    String byUsd =
        api.get("/v1/admin/users?limit=2&currency=USD&sort=balance", admin)
            .bodyAsJsonObject()
            .getString("next_cursor");
    assertThat(byId).isNotNull();
    assertThat(byUsd).isNotNull();
    assertProblem(
        api.get("/v1/admin/users?currency=USD&sort=balance&starting_after=" + byId, admin),
        400,
        "validation_failed",
        "starting_after");
    assertProblem(
        api.get("/v1/admin/users?currency=EUR&sort=balance&starting_after=" + byUsd, admin),
        400,
        "validation_failed",
        "starting_after");
    assertProblem(
        api.get("/v1/admin/users?currency=USD&sort=-balance&starting_after=" + byUsd, admin),
        400,
        "validation_failed",
        "starting_after");
    assertThat(
            api.get("/v1/admin/users?currency=USD&sort=balance&starting_after=" + byUsd, admin)
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  @DisplayName("users that are not administrators, and API keys without admin:read, get 403")
  void onlyAdministrators() throws Exception {
    api.credit("alice", 100, "USD");
    String alice = api.tokens.user("alice");
    for (String path :
        List.of(
            "/v1/admin/users",
            "/v1/admin/users/alice",
            "/v1/admin/users/alice/transactions",
            "/v1/admin/users/alice/subscriptions",
            "/v1/admin/users/alice/topups")) {
      assertProblem(api.get(path, alice), 403, "forbidden", null);
      assertThat(api.get(path, admin).statusCode()).as(path).isEqualTo(200);
      for (String scope : List.of("users:read", "users:write", "events:read", "admin:write")) {
        String key = apiKey(scope);
        HttpResponse<Buffer> refused =
            api.client
                .get(path)
                .bearerTokenAuthentication(key)
                .putHeader(ApiKeyAuthentication.USER_HEADER, "alice")
                .send()
                .await(60, TimeUnit.SECONDS);
        assertProblem(refused, 403, "forbidden", null);
      }
      HttpResponse<Buffer> reader =
          api.client
              .get(path)
              .bearerTokenAuthentication(apiKey("admin:read"))
              .send()
              .await(60, TimeUnit.SECONDS);
      assertThat(reader.statusCode()).as(path + " " + reader.bodyAsString()).isEqualTo(200);
    }
  }

  private final Map<String, String> keys = new LinkedHashMap<>();

  private String apiKey(String scope) throws Exception {
    if (!keys.containsKey(scope)) {
      HttpResponse<Buffer> created =
          api.post(
              "/v1/admin/api_keys",
              admin,
              null,
              new JsonObject().put("name", scope).put("scopes", new JsonArray().add(scope)));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      keys.put(scope, created.bodyAsJsonObject().getString("key"));
    }
    return keys.get(scope);
  }

  private void createPlan(String code, long priceMinor, String currency, String period)
      throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/plans",
            admin,
            null,
            new JsonObject()
                .put("code", code)
                .put("name", code)
                .put("price_minor", priceMinor)
                .put("currency", currency)
                .put("period", period));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
  }

  private JsonObject subscribe(String token, String plan) throws Exception {
    HttpResponse<Buffer> subscribed =
        api.post("/v1/subscriptions", token, "sub-" + plan, new JsonObject().put("plan", plan));
    assertThat(subscribed.statusCode()).as(subscribed.bodyAsString()).isEqualTo(201);
    return subscribed.bodyAsJsonObject();
  }

  private Instant billingNow() throws Exception {
    return Instant.parse(api.get("/v1/admin/clock", admin).bodyAsJsonObject().getString("now"));
  }

  /** floor(price × elapsed / period): what a segment owes for its usage (docs/BILLING.md). */
  private static long owed(long priceMinor, long periodMs, long elapsedMs) {
    return Math.multiplyExact(priceMinor, elapsedMs) / periodMs;
  }

  private JsonObject user(String userId) throws Exception {
    HttpResponse<Buffer> response =
        api.get("/v1/admin/users/" + URLEncoder.encode(userId, StandardCharsets.UTF_8), admin);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject wallet(JsonObject user, String currency) {
    return user.getJsonArray("wallets").stream()
        .map(JsonObject.class::cast)
        .filter(w -> w.getString("currency").equals(currency))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + currency + " wallet in " + user.encode()));
  }

  @Test
  @DisplayName(
      "one user: wallets with billing's runway (exact to the millisecond), the subscriptions"
          + " not cancelled, the 10 newest entries; 404 for a user with neither wallet nor"
          + " subscription")
  void oneUser() throws Exception {
    String id = "ann+ops@example.com";
    String ann = api.tokens.user(id);
    createPlan("pro7", 7, "USD", "PT1H");
    createPlan("spare", 1, "USD", "PT1H");
    createPlan("eur-a", 5, "EUR", "PT1H");
    createPlan("eur-b", 2, "EUR", "PT10M");
    createPlan("yen", 10, "JPY", "PT1H");
    api.credit(id, 1234, "USD");
    api.credit(id, 500, "EUR");
    api.credit(id, 10, "JPY");
    JsonObject pro = subscribe(ann, "pro7");
    JsonObject spare = subscribe(ann, "spare");
    subscribe(ann, "eur-a");
    subscribe(ann, "eur-b");
    JsonObject yen = subscribe(ann, "yen");
    // Cancelled at once, on the test clock that has not moved: nothing owed, nothing charged.
    HttpResponse<Buffer> cancelled =
        api.delete("/v1/subscriptions/" + spare.getString("id"), ann, "cancel-spare");
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    long anchor = Instant.parse(pro.getString("segment_started_at")).toEpochMilli();

    // An hour and a half: pro7 charged its first hour (7), eur-a its first (5), eur-b nine
    // periods of ten minutes (18); yen charged its hour (10) and, its wallet empty, suspended.
    HttpResponse<Buffer> moved =
        api.post("/v1/admin/clock", admin, null, new JsonObject().put("advance_ms", 90 * 60_000));
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    // Settled when the ledger has the charges and billing has recorded them.
    String hourBilled = Instant.ofEpochMilli(anchor + HOUR_MS).toString();
    String nowBilled = Instant.ofEpochMilli(anchor + 90 * 60_000).toString();
    JsonObject view =
        Poll.value(
            CHARGE_WAIT,
            () -> user(id),
            u ->
                wallet(u, "USD").getLong("balance_minor") == 1234 - 7
                    && wallet(u, "EUR").getLong("balance_minor") == 500 - 5 - 18
                    && wallet(u, "JPY").getLong("balance_minor") == 0
                    && u.getJsonArray("subscriptions").stream()
                        .map(JsonObject.class::cast)
                        .allMatch(
                            s ->
                                switch (s.getString("plan")) {
                                  case "pro7", "eur-a" ->
                                      hourBilled.equals(s.getString("billed_through"));
                                  case "eur-b" -> nowBilled.equals(s.getString("billed_through"));
                                  default -> "suspended".equals(s.getString("status"));
                                }));
    long now = billingNow().toEpochMilli();
    assertThat(now).isEqualTo(anchor + 90 * 60_000);

    assertThat(view.getString("user_id")).isEqualTo(id);
    assertThat(
            view.getJsonArray("wallets").stream().map(w -> ((JsonObject) w).getString("currency")))
        .containsExactly("EUR", "JPY", "USD");

    // USD: 1234 at 7 an hour from the anchor. The runway ends at the last millisecond d whose
    // usage floor(7 d / 1 h) the credit covers: d = ceil(1235 h / 7) - 1 ms. The hour charged
    // since changes nothing: the balance fell by what the usage counts already.
    long usdEnd = anchor + (1235 * HOUR_MS + 6) / 7 - 1;
    assertThat(owed(7, HOUR_MS, usdEnd - anchor)).isEqualTo(1234);
    assertThat(owed(7, HOUR_MS, usdEnd + 1 - anchor)).isEqualTo(1235);
    JsonObject usd = wallet(view, "USD");
    assertThat(usd.getLong("balance_minor")).isEqualTo(1227);
    assertThat(Instant.parse(usd.getString("runs_out_at")).toEpochMilli()).isEqualTo(usdEnd);
    assertThat(usd.getLong("runway_ms")).isEqualTo(usdEnd - now);
    assertThat(usd.getLong("runway_ms")).isEqualTo(635_142_857L - 90 * 60_000);

    // EUR: two subscriptions from the same anchor, 5 an hour and 2 per ten minutes; the runway
    // is the last millisecond whose usage of both the 500 covers.
    JsonObject eur = wallet(view, "EUR");
    long eurEnd = Instant.parse(eur.getString("runs_out_at")).toEpochMilli();
    long d = eurEnd - anchor;
    assertThat(owed(5, HOUR_MS, d) + owed(2, 600_000, d)).isLessThanOrEqualTo(500);
    assertThat(owed(5, HOUR_MS, d + 1) + owed(2, 600_000, d + 1)).isGreaterThan(500);
    assertThat(eur.getLong("runway_ms")).isEqualTo(eurEnd - now);

    // JPY: empty and suspended, so nothing runs out.
    JsonObject jpy = wallet(view, "JPY");
    assertThat(jpy.getLong("balance_minor")).isZero();
    assertThat(jpy.getValue("runway_ms")).isNull();
    assertThat(jpy.getValue("runs_out_at")).isNull();
    assertThat(jpy.containsKey("runs_out_at")).isTrue();

    // The subscriptions not cancelled, each with its plan, price and the wallet's runway.
    JsonArray subscriptions = view.getJsonArray("subscriptions");
    // All made on the same instant of the test clock: listed in the order of their random ids.
    assertThat(subscriptions.stream().map(s -> ((JsonObject) s).getString("plan")))
        .containsExactlyInAnyOrder("pro7", "eur-a", "eur-b", "yen");
    for (Object item : subscriptions) {
      JsonObject subscription = (JsonObject) item;
      switch (subscription.getString("plan")) {
        case "pro7" -> {
          assertThat(subscription.getString("status")).isEqualTo("active");
          assertThat(subscription.getLong("price_minor")).isEqualTo(7);
          assertThat(subscription.getLong("period_ms")).isEqualTo(HOUR_MS);
          assertThat(subscription.getString("runs_out_at")).isEqualTo(usd.getString("runs_out_at"));
          assertThat(subscription.getLong("runway_ms")).isEqualTo(usdEnd - now);
        }
        case "eur-a", "eur-b" ->
            assertThat(subscription.getString("runs_out_at"))
                .isEqualTo(eur.getString("runs_out_at"));
        case "yen" -> {
          assertThat(subscription.getString("id")).isEqualTo(yen.getString("id"));
          assertThat(subscription.getString("status")).isEqualTo("suspended");
          assertThat(subscription.getValue("runway_ms")).isNull();
        }
        default -> throw new AssertionError(subscription.encode());
      }
    }

    // The 10 newest of the log's 15 entries (3 credits, 1 + 1 + 9 + 1 charges), newest first.
    JsonArray last = view.getJsonArray("last_entries");
    JsonArray log =
        api.get(
                "/v1/admin/users/"
                    + URLEncoder.encode(id, StandardCharsets.UTF_8)
                    + "/transactions?limit=100",
                admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(log).hasSize(15);
    assertThat(last).hasSize(10);
    assertThat(last.getList()).isEqualTo(new JsonArray(log.getList().subList(0, 10)).getList());

    // Nobody: no wallet, no subscription.
    HttpResponse<Buffer> nobody = api.get("/v1/admin/users/nobody", admin);
    assertProblem(nobody, 404, "not_found", null);
    assertThat(nobody.bodyAsJsonObject().getString("detail")).contains("nobody");
  }

  @Test
  @DisplayName(
      "one user's transactions (filters and paging of /v1/admin/transactions), subscriptions"
          + " (cancelled too) and top-ups (paged); another user's never show")
  void oneUsersLists() throws Exception {
    String bea = api.tokens.user("bea");
    String cal = api.tokens.user("cal");
    for (int i = 1; i <= 5; i++) {
      api.credit("bea", 100 * i, i % 2 == 0 ? "EUR" : "USD");
    }
    adjust("bea", -50, "USD");
    api.credit("cal", 999, "USD");

    // Transactions: every page of 2 together is the user's log of /v1/admin/transactions.
    JsonArray expected =
        api.get("/v1/admin/transactions?user_id=bea&limit=100", admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(expected).hasSize(6);
    List<Object> paged = new ArrayList<>();
    String after = null;
    boolean more = true;
    while (more) {
      JsonObject page =
          api.get(
                  "/v1/admin/users/bea/transactions?limit=2"
                      + (after == null ? "" : "&starting_after=" + after),
                  admin)
              .bodyAsJsonObject();
      JsonArray data = page.getJsonArray("data");
      paged.addAll(data.getList());
      more = page.getBoolean("has_more");
      after =
          data.isEmpty() ? null : String.valueOf(data.getJsonObject(data.size() - 1).getLong("id"));
    }
    assertThat(paged).isEqualTo(expected.getList());
    JsonArray eurOnly =
        api.get("/v1/admin/users/bea/transactions?currency=EUR", admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(eurOnly.stream().map(e -> ((JsonObject) e).getLong("amount_minor")))
        .containsExactly(400L, 200L);
    JsonArray adjustments =
        api.get("/v1/admin/users/bea/transactions?kind=adjustment&currency=USD&limit=1", admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(adjustments.getJsonObject(0).getLong("amount_minor")).isEqualTo(-50L);
    assertProblem(
        api.get("/v1/admin/users/bea/transactions?kind=gift", admin),
        400,
        "validation_failed",
        "kind");
    assertThat(
            api.get("/v1/admin/users/nobody/transactions", admin)
                .bodyAsJsonObject()
                .getJsonArray("data"))
        .isEmpty();

    // Subscriptions: all of them, as the user's own list shows them.
    createPlan("basic", 10, "USD", "PT1H");
    createPlan("plus", 20, "USD", "PT1H");
    String first = subscribe(bea, "basic").getString("id");
    subscribe(bea, "plus");
    subscribe(cal, "basic");
    assertThat(api.delete("/v1/subscriptions/" + first, bea, "cancel-1").statusCode())
        .isEqualTo(200);
    JsonObject own = api.get("/v1/subscriptions", bea).bodyAsJsonObject();
    JsonObject seen = api.get("/v1/admin/users/bea/subscriptions", admin).bodyAsJsonObject();
    assertThat(seen).isEqualTo(own);
    // Both made on the same instant of the test clock: their order is by their random ids.
    assertThat(seen.getJsonArray("data").stream().map(s -> ((JsonObject) s).getString("status")))
        .containsExactlyInAnyOrder("cancelled", "active");
    assertThat(
            api.get("/v1/admin/users/nobody/subscriptions", admin)
                .bodyAsJsonObject()
                .getJsonArray("data"))
        .isEmpty();

    // Top-ups: newest first, paged by id as the user's own list.
    List<String> created = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      HttpResponse<Buffer> topup =
          api.post(
              "/v1/topups",
              bea,
              "topup-" + i,
              new JsonObject().put("amount_minor", 1000 * i).put("currency", "USD"));
      assertThat(topup.statusCode()).as(topup.bodyAsString()).isEqualTo(201);
      created.add(0, topup.bodyAsJsonObject().getString("id"));
    }
    assertThat(
            api.post(
                    "/v1/topups",
                    cal,
                    "topup-cal",
                    new JsonObject().put("amount_minor", 500).put("currency", "USD"))
                .statusCode())
        .isEqualTo(201);
    JsonObject firstPage = api.get("/v1/admin/users/bea/topups?limit=2", admin).bodyAsJsonObject();
    assertThat(firstPage.getBoolean("has_more")).isTrue();
    JsonArray firstData = firstPage.getJsonArray("data");
    assertThat(firstData.stream().map(t -> ((JsonObject) t).getString("id")))
        .containsExactly(created.get(0), created.get(1));
    assertThat(firstData.getJsonObject(0).getString("user_id")).isEqualTo("bea");
    assertThat(firstData.getJsonObject(0).getLong("amount_minor")).isEqualTo(3000L);
    JsonObject secondPage =
        api.get("/v1/admin/users/bea/topups?limit=2&starting_after=" + created.get(1), admin)
            .bodyAsJsonObject();
    assertThat(secondPage.getBoolean("has_more")).isFalse();
    assertThat(secondPage.getJsonArray("data").stream().map(t -> ((JsonObject) t).getString("id")))
        .containsExactly(created.get(2));
    assertThat(api.get("/v1/admin/users/bea/topups?limit=10", admin).bodyAsJsonObject())
        .isEqualTo(api.get("/v1/topups?limit=10", bea).bodyAsJsonObject());
    assertThat(
            api.get("/v1/admin/users/nobody/topups", admin).bodyAsJsonObject().getJsonArray("data"))
        .isEmpty();
  }
}
