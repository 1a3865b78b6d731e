package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The customer portal over HTTP: CSRF on every form, double submits acting once, the CSV download
 * equal to the API's, paging, the chart's data, another user's things out of reach, and bad input
 * answered with a page and a 4xx, never a 500.
 */
@DisplayName("Portal pages over HTTP")
@Timeout(180)
class PortalPagesTest {

  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  private static ApiFixture api;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    admin = api.tokens.admin("root");
    for (String[] plan : new String[][] {{"p-pro", "Pro", "120"}, {"p-basic", "Basic", "60"}}) {
      HttpResponse<Buffer> created =
          api.post(
              "/v1/admin/plans",
              admin,
              null,
              new JsonObject()
                  .put("code", plan[0])
                  .put("name", plan[1])
                  .put("price_minor", Long.parseLong(plan[2]))
                  .put("currency", "USD")
                  .put("period", "PT1H"));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** A signed-in portal session: its cookie and CSRF token. */
  private record Session(String cookie, String csrf) {}

  private static Session signIn(String userId) throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/portal_sessions",
            admin,
            null,
            new JsonObject()
                .put("user_id", userId)
                .put("return_url", "https://shop.example.com/account"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String path = URI.create(created.bodyAsJsonObject().getString("url")).getRawPath();
    HttpResponse<Buffer> signedIn = api.client.get(path).send().await(60, TimeUnit.SECONDS);
    String set =
        signedIn.cookies().stream()
            .filter(c -> c.startsWith("kopek_portal="))
            .findFirst()
            .orElseThrow();
    String cookie = set.substring(0, set.indexOf(';'));
    HttpResponse<Buffer> home = page("/portal", cookie);
    assertThat(home.statusCode()).as(home.bodyAsString()).isEqualTo(200);
    Matcher csrf = CSRF.matcher(home.bodyAsString());
    assertThat(csrf.find()).isTrue();
    return new Session(cookie, csrf.group(1));
  }

  private static HttpResponse<Buffer> page(String path, String cookie) throws Exception {
    return page(path, cookie, Map.of());
  }

  private static HttpResponse<Buffer> page(String path, String cookie, Map<String, String> headers)
      throws Exception {
    HttpRequest<Buffer> request = api.client.request(HttpMethod.GET, path);
    request.putHeader("Cookie", cookie);
    headers.forEach(request::putHeader);
    return request.send().await(60, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> form(String path, Session session, Map<String, String> fields)
      throws Exception {
    String body =
        fields.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return api.client
        .request(HttpMethod.POST, path)
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Cookie", session.cookie())
        .putHeader("Sec-Fetch-Site", "same-origin")
        .followRedirects(false)
        .sendBuffer(Buffer.buffer(body))
        .await(60, TimeUnit.SECONDS);
  }

  private static Map<String, String> withCsrf(Session session, String... pairs) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("csrf", session.csrf());
    for (int i = 0; i < pairs.length; i += 2) {
      fields.put(pairs[i], pairs[i + 1]);
    }
    return fields;
  }

  /** The idempotency key rendered into the form posting to {@code action}. */
  private static String keyOf(String html, String action) {
    Matcher m =
        Pattern.compile(
                "action=\""
                    + Pattern.quote(action)
                    + "\">.*?name=\"idempotency_key\" value=\"([^\"]+)\"",
                Pattern.DOTALL)
            .matcher(html);
    assertThat(m.find()).as("a form posting to " + action).isTrue();
    return m.group(1);
  }

  private static JsonObject subscribe(String userId, String plan) throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/subscriptions",
            api.tokens.user(userId),
            "sub-" + userId + "-" + System.nanoTime(),
            new JsonObject().put("plan", plan));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private static JsonObject subscription(String userId, String id) throws Exception {
    JsonArray all =
        api.get("/v1/subscriptions", api.tokens.user(userId))
            .bodyAsJsonObject()
            .getJsonArray("data");
    return all.stream()
        .map(JsonObject.class::cast)
        .filter(s -> id.equals(s.getString("id")))
        .findFirst()
        .orElseThrow();
  }

  private static void assertProblemPage(HttpResponse<Buffer> response, int status) {
    String body = response.bodyAsString();
    int at = body == null ? -1 : body.indexOf("<main");
    assertThat(response.statusCode())
        .as(at < 0 ? String.valueOf(body) : body.substring(at))
        .isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("text/html");
    assertThat(response.bodyAsString()).contains("id=\"problem\"");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  @DisplayName("every form is refused (403) without the session's CSRF token, and does nothing")
  void csrfOnEveryForm() throws Exception {
    api.credit("p-csrf", 10_000, "USD");
    JsonObject sub = subscribe("p-csrf", "p-pro");
    Session session = signIn("p-csrf");
    String id = sub.getString("id");
    for (String path :
        List.of(
            "/portal/topups",
            "/portal/subscriptions/" + id + "/change",
            "/portal/subscriptions/" + id + "/cancel",
            "/portal/signout")) {
      Map<String, String> fields =
          Map.of(
              "idempotency_key",
              "k-" + path.hashCode(),
              "plan",
              "p-basic",
              "amount",
              "5",
              "currency",
              "USD");
      Map<String, String> wrong = new java.util.HashMap<>(fields);
      wrong.put("csrf", "not-the-token");
      assertThat(form(path, session, fields).statusCode()).as(path).isEqualTo(403);
      assertThat(form(path, session, wrong).statusCode()).as(path).isEqualTo(403);
    }
    assertThat(subscription("p-csrf", id).getString("status")).isEqualTo("active");
    assertThat(subscription("p-csrf", id).getString("plan")).isEqualTo("p-pro");
    assertThat(
            api.get("/v1/topups", api.tokens.user("p-csrf"))
                .bodyAsJsonObject()
                .getJsonArray("data"))
        .isEmpty();
    assertThat(page("/portal", session.cookie()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a double submit of a plan change, a cancel and a top-up acts once")
  void doubleSubmitsActOnce() throws Exception {
    api.credit("p-twice", 10_000, "USD");
    String id = subscribe("p-twice", "p-pro").getString("id");
    Session session = signIn("p-twice");
    String html = page("/portal/subscriptions", session.cookie()).bodyAsString();
    assertThat(html).contains("Pro").contains("1.20 USD every hour");
    String changeKey = keyOf(html, "/portal/subscriptions/" + id + "/change");
    String cancelKey = keyOf(html, "/portal/subscriptions/" + id + "/cancel");

    long segment = subscription("p-twice", id).getLong("segment");
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> changed =
          form(
              "/portal/subscriptions/" + id + "/change",
              session,
              withCsrf(session, "idempotency_key", changeKey, "plan", "p-basic"));
      assertThat(changed.statusCode()).as(changed.bodyAsString()).isEqualTo(303);
      assertThat(changed.getHeader("Location")).isEqualTo("/portal/subscriptions?done=changed");
    }
    JsonObject after = subscription("p-twice", id);
    assertThat(after.getString("plan")).isEqualTo("p-basic");
    assertThat(after.getLong("segment")).isEqualTo(segment + 1);
    assertThat(page("/portal/subscriptions?done=changed", session.cookie()).bodyAsString())
        .contains("Your plan was changed.");

    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> cancelled =
          form(
              "/portal/subscriptions/" + id + "/cancel",
              session,
              withCsrf(session, "idempotency_key", cancelKey));
      assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(303);
    }
    assertThat(subscription("p-twice", id).getString("status")).isEqualTo("cancelled");

    String topupKey = keyOf(page("/portal", session.cookie()).bodyAsString(), "/portal/topups");
    String first = null;
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> started =
          form(
              "/portal/topups",
              session,
              withCsrf(session, "idempotency_key", topupKey, "amount", "20.00", "currency", "USD"));
      assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(303);
      assertThat(started.getHeader("Location")).contains("/checkout/");
      if (first == null) {
        first = started.getHeader("Location");
      } else {
        assertThat(started.getHeader("Location")).isEqualTo(first);
      }
    }
    JsonArray topups =
        api.get("/v1/topups", api.tokens.user("p-twice")).bodyAsJsonObject().getJsonArray("data");
    assertThat(topups).hasSize(1);
    assertThat(topups.getJsonObject(0).getLong("amount_minor")).isEqualTo(2000);
    assertThat(topups.getJsonObject(0).getString("checkout_url")).isEqualTo(first);
  }

  @Test
  @DisplayName("the CSV download is the API's CSV, with the same filters")
  void csvIsTheApis() throws Exception {
    api.credit("p-csv", 1_000, "USD");
    api.credit("p-csv", 2_000, "EUR");
    api.post(
        "/v1/charges",
        api.tokens.user("p-csv"),
        "csv-charge",
        ApiFixture.charge(250, "USD", "=SUM(A1), \"quoted\""));
    Session session = signIn("p-csv");
    String token = api.tokens.user("p-csv");
    for (String query :
        List.of("", "?currency=USD", "?kind=charge", "?currency=EUR&kind=adjustment")) {
      HttpResponse<Buffer> portal = page("/portal/transactions.csv" + query, session.cookie());
      HttpResponse<Buffer> apiCsv = api.get("/v1/transactions.csv" + query, token);
      assertThat(portal.statusCode()).isEqualTo(200);
      assertThat(portal.getHeader("Content-Type")).isEqualTo(apiCsv.getHeader("Content-Type"));
      assertThat(portal.getHeader("Content-Disposition"))
          .isEqualTo(apiCsv.getHeader("Content-Disposition"));
      assertThat(portal.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(portal.bodyAsString()).as(query).isEqualTo(apiCsv.bodyAsString());
    }
    // Dates: both days included.
    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    HttpResponse<Buffer> dated =
        page("/portal/transactions.csv?from=" + today + "&to=" + today, session.cookie());
    assertThat(dated.bodyAsString().lines().count()).isEqualTo(4);
  }

  @Test
  @DisplayName(
      "the history pages with the ledger's cursor; htmx gets the table alone; the chart has one"
          + " point per entry")
  void historyAndChart() throws Exception {
    for (int i = 0; i < 30; i++) {
      api.credit("p-pages", 100 + i, "USD");
    }
    Session session = signIn("p-pages");
    HttpResponse<Buffer> first = page("/portal/transactions", session.cookie());
    assertThat(first.statusCode()).isEqualTo(200);
    String html = first.bodyAsString();
    assertThat(count(html, "<tr data-entry-id=")).isEqualTo(PortalHistory.PAGE_SIZE);
    Matcher older = Pattern.compile("id=\"page-older\" href=\"([^\"]+)\"").matcher(html);
    assertThat(older.find()).isTrue();
    String next = older.group(1).replace("&amp;", "&");
    HttpResponse<Buffer> fragment = page(next, session.cookie(), Map.of("HX-Request", "true"));
    assertThat(fragment.statusCode()).isEqualTo(200);
    assertThat(fragment.bodyAsString()).doesNotContain("<html").contains("id=\"page-first\"");
    assertThat(count(fragment.bodyAsString(), "<tr data-entry-id=")).isEqualTo(5);
    assertThat(fragment.bodyAsString()).doesNotContain("id=\"page-older\"");
    // Without htmx the same link is a whole page.
    assertThat(page(next, session.cookie()).bodyAsString())
        .contains("<html")
        .contains("Transactions");

    HttpResponse<Buffer> home = page("/portal?range=all", session.cookie());
    Matcher data =
        Pattern.compile(
                "<script type=\"application/json\" data-chart=\"USD\" id=\"chart-data-USD\">(.*?)</script>")
            .matcher(home.bodyAsString());
    assertThat(data.find()).isTrue();
    JsonObject chart = new JsonObject(data.group(1));
    assertThat(chart.getJsonArray("x")).hasSize(30);
    assertThat(chart.getJsonArray("y")).hasSize(30);
    long total = 0;
    for (int i = 0; i < 30; i++) {
      total += 100 + i;
    }
    assertThat(chart.getJsonArray("y").getValue(29).toString())
        .isEqualTo(java.math.BigDecimal.valueOf(total, 2).toPlainString());
    assertThat(home.bodyAsString()).contains("data-balance-minor=\"" + total + "\"");
    assertThat(home.bodyAsString()).contains("No subscriptions");
  }

  @Test
  @DisplayName("one user's session never shows or changes another user's things")
  void anotherUsersThings() throws Exception {
    api.credit("p-alice", 5_000, "USD");
    String aliceSub = subscribe("p-alice", "p-pro").getString("id");
    api.credit("p-bob", 700, "USD");
    Session bob = signIn("p-bob");
    HttpResponse<Buffer> cancel =
        form(
            "/portal/subscriptions/" + aliceSub + "/cancel",
            bob,
            withCsrf(bob, "idempotency_key", "bob-1"));
    assertProblemPage(cancel, 404);
    HttpResponse<Buffer> change =
        form(
            "/portal/subscriptions/" + aliceSub + "/change",
            bob,
            withCsrf(bob, "idempotency_key", "bob-2", "plan", "p-basic"));
    assertProblemPage(change, 404);
    assertThat(subscription("p-alice", aliceSub).getString("status")).isEqualTo("active");
    for (String path : List.of("/portal", "/portal/transactions", "/portal/subscriptions")) {
      String html = page(path, bob.cookie()).bodyAsString();
      assertThat(html).doesNotContain(aliceSub).doesNotContain("50.00 USD");
    }
    assertThat(page("/portal/transactions.csv", bob.cookie()).bodyAsString())
        .doesNotContain(",5000,");
  }

  @Test
  @DisplayName("bad input gets a page saying what is wrong, with a 4xx, never a 500")
  void badInput() throws Exception {
    api.credit("p-bad", 1_000, "USD");
    String id = subscribe("p-bad", "p-pro").getString("id");
    Session session = signIn("p-bad");
    for (String[] topup :
        new String[][] {
          {"abc", "USD"},
          {"1.234", "USD"},
          {"0", "USD"},
          {"-5", "USD"},
          {"", "USD"},
          {"99999999999", "USD"},
          {"5", "ZZZ"},
          {"5", ""},
          {"1.5", "JPY"}
        }) {
      assertProblemPage(
          form(
              "/portal/topups",
              session,
              withCsrf(
                  session,
                  "idempotency_key",
                  "bad-" + topup[0],
                  "amount",
                  topup[0],
                  "currency",
                  topup[1])),
          400);
    }
    assertProblemPage(
        form("/portal/topups", session, withCsrf(session, "amount", "5", "currency", "USD")), 400);
    assertProblemPage(
        form(
            "/portal/subscriptions/" + id + "/change",
            session,
            withCsrf(session, "idempotency_key", "bad-plan", "plan", "no-such-plan")),
        400);
    assertProblemPage(
        form(
            "/portal/subscriptions/" + id + "/change",
            session,
            withCsrf(session, "idempotency_key", "x")),
        400);
    assertProblemPage(
        form(
            "/portal/subscriptions/sub_nope/cancel",
            session,
            withCsrf(session, "idempotency_key", "bad-cancel")),
        404);
    for (String query :
        List.of(
            "?currency=usd",
            "?currency=ZZZ",
            "?kind=bogus",
            "?from=yesterday",
            "?from=2026-02-30",
            "?from=2026-03-02&to=2026-03-01",
            "?starting_after=-1",
            "?starting_after=abc")) {
      assertProblemPage(page("/portal/transactions" + query, session.cookie()), 400);
      assertProblemPage(page("/portal/transactions.csv" + query, session.cookie()), 400);
    }
    assertProblemPage(page("/portal?range=forever", session.cookie()), 400);
    // The same key with another body: the first request stands.
    String key = "conflict-key";
    assertThat(
            form(
                    "/portal/topups",
                    session,
                    withCsrf(session, "idempotency_key", key, "amount", "5", "currency", "USD"))
                .statusCode())
        .isEqualTo(303);
    assertProblemPage(
        form(
            "/portal/topups",
            session,
            withCsrf(session, "idempotency_key", key, "amount", "6", "currency", "USD")),
        409);
  }

  @Test
  @DisplayName(
      "checkout retry: refused from another site, an unknown checkout is the not-found page, a"
          + " payment not declined goes back to its page")
  void checkoutRetryGuards() throws Exception {
    HttpResponse<Buffer> crossSite =
        api.client
            .request(HttpMethod.POST, "/checkout/" + "a".repeat(30) + "/retry")
            .putHeader("Sec-Fetch-Site", "cross-site")
            .send()
            .await(60, TimeUnit.SECONDS);
    assertThat(crossSite.statusCode()).isEqualTo(403);
    HttpResponse<Buffer> unknown =
        api.client
            .request(HttpMethod.POST, "/checkout/" + "a".repeat(30) + "/retry")
            .send()
            .await(60, TimeUnit.SECONDS);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsString()).contains("No such checkout");

    HttpResponse<Buffer> created =
        api.post(
            "/v1/topups",
            api.tokens.user("p-retry"),
            "retry-topup",
            new JsonObject().put("amount_minor", 500).put("currency", "USD"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String path = URI.create(created.bodyAsJsonObject().getString("checkout_url")).getRawPath();
    HttpResponse<Buffer> pending =
        api.client
            .request(HttpMethod.POST, path + "/retry")
            .followRedirects(false)
            .send()
            .await(60, TimeUnit.SECONDS);
    assertThat(pending.statusCode()).isEqualTo(303);
    assertThat(pending.getHeader("Location")).isEqualTo(path);
    assertThat(
            api.get("/v1/topups", api.tokens.user("p-retry"))
                .bodyAsJsonObject()
                .getJsonArray("data"))
        .hasSize(1);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }
}
