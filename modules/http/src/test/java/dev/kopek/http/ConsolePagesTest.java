package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.client.BillingClient;
import dev.kopek.client.LedgerClient;
import dev.kopek.client.PaymentsClient;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console's event-bus reads and its pages over HTTP, without a browser. */
@DisplayName("Console: the overview's reads and the pages over HTTP")
@Timeout(120)
class ConsolePagesTest {

  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  private static ApiFixture api;
  private static String admin;
  private static String cookie;
  private static String csrf;
  private static io.vertx.core.http.HttpServer receiver;

  @BeforeAll
  static void start() throws Exception {
    api =
        ApiFixture.start(
            config -> config.put("webhooks", new JsonObject().put("allow_private_targets", true)));
    receiver =
        api.vertx
            .createHttpServer()
            .requestHandler(request -> request.body().onSuccess(b -> request.response().end("ok")))
            .listen(0, "127.0.0.1")
            .await(60, TimeUnit.SECONDS);
    admin = api.tokens.admin("root");
    JsonObject link =
        api.post("/v1/admin/console_links", admin, null, new JsonObject()).bodyAsJsonObject();
    HttpResponse<Buffer> signedIn =
        page(HttpMethod.GET, URI.create(link.getString("url")).getRawPath());
    String set =
        signedIn.cookies().stream()
            .filter(c -> c.startsWith("kopek_console="))
            .findFirst()
            .orElseThrow();
    cookie = set.substring(0, set.indexOf(';'));
    Matcher token = CSRF.matcher(page(HttpMethod.GET, "/console").bodyAsString());
    assertThat(token.find()).isTrue();
    csrf = token.group(1);
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static HttpResponse<Buffer> page(HttpMethod method, String path) throws Exception {
    HttpRequest<Buffer> request = api.client.request(method, path);
    if (cookie != null) {
      request.putHeader("Cookie", cookie);
    }
    return request.send().await(60, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> form(String path, String body) throws Exception {
    return api.client
        .request(HttpMethod.POST, path)
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Cookie", cookie)
        .putHeader("Sec-Fetch-Site", "same-origin")
        .sendBuffer(Buffer.buffer(body + "&csrf=" + enc(csrf)))
        .await(60, TimeUnit.SECONDS);
  }

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName(
      "kopek.ledger.daily_sums sums entries per day, currency and kind; verify runs are recorded"
          + " and kopek.ledger.verify.last reads the newest")
  void ledgerReads() throws Exception {
    LedgerClient ledger = LedgerClient.create(api.vertx, 10_000);
    Instant from = Instant.now().minus(Duration.ofDays(1));
    Instant to = Instant.now().plus(Duration.ofDays(1));
    JsonArray before = ledger.dailySums(from, to).await(30, TimeUnit.SECONDS).getJsonArray("data");
    api.credit("sums-user", 10_000, "JPY");
    assertThat(
            api.post(
                    "/v1/charges",
                    api.tokens.user("sums-user"),
                    UUID.randomUUID().toString(),
                    ApiFixture.charge(300, "JPY", "Order"))
                .statusCode())
        .isEqualTo(201);
    JsonArray after = ledger.dailySums(from, to).await(30, TimeUnit.SECONDS).getJsonArray("data");
    assertThat(sum(after, "JPY", "charge") - sum(before, "JPY", "charge")).isEqualTo(-300);
    assertThat(sum(after, "JPY", "adjustment") - sum(before, "JPY", "adjustment"))
        .isEqualTo(10_000);

    assertThatThrownBy(() -> ledger.dailySums(to, from).await(30, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(Failure.from(e).code()).isEqualTo(ErrorCode.VALIDATION_FAILED));

    JsonObject verified = api.get("/v1/admin/ledger/verify", admin).bodyAsJsonObject();
    JsonObject last = ledger.lastVerify().await(30, TimeUnit.SECONDS).getJsonObject("last");
    assertThat(last.getBoolean("ok")).isTrue();
    assertThat(last.getLong("entries_checked")).isEqualTo(verified.getLong("entries_checked"));
    assertThat(Instant.parse(last.getString("ran_at")))
        .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
  }

  private static long sum(JsonArray rows, String currency, String kind) {
    return rows.stream()
        .map(JsonObject.class::cast)
        .filter(r -> currency.equals(r.getString("currency")) && kind.equals(r.getString("kind")))
        .mapToLong(r -> r.getLong("amount_minor"))
        .sum();
  }

  @Test
  @DisplayName(
      "payments' and billing's reads answer for the overview, and refuse what they cannot read")
  void paymentsAndBillingReads() throws Exception {
    PaymentsClient payments = PaymentsClient.create(api.vertx, 10_000);
    BillingClient billing = BillingClient.create(api.vertx, 10_000);
    Instant now = Instant.now();
    assertThat(
            payments
                .dailyTopups(now.minus(Duration.ofDays(30)), now)
                .await(30, TimeUnit.SECONDS)
                .getJsonArray("data"))
        .isNotNull();
    JsonObject flagged =
        payments.topupsNeedingAttention("flagged", null, 10).await(30, TimeUnit.SECONDS);
    assertThat(flagged.getLong("count")).isNotNull();
    assertThat(flagged.getJsonArray("data").size()).isLessThanOrEqualTo(10);
    assertThatThrownBy(
            () -> payments.topupsNeedingAttention("lost", null, 10).await(30, TimeUnit.SECONDS))
        .satisfies(
            e -> {
              assertThat(Failure.from(e).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
              assertThat(Failure.from(e).extras().getString("field")).isEqualTo("status");
            });
    JsonObject failed =
        payments
            .topupsNeedingAttention("failed", null, now.minus(Duration.ofDays(30)), 5)
            .await(30, TimeUnit.SECONDS);
    assertThat(failed.getLong("count")).isGreaterThanOrEqualTo(failed.getJsonArray("data").size());
    assertThatThrownBy(
            () -> payments.topupsNeedingAttention("failed", null, 0).await(30, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(Failure.from(e).extras().getString("field")).isEqualTo("limit"));
    JsonObject counts = billing.subscriptionCounts().await(30, TimeUnit.SECONDS);
    assertThat(counts.getLong("active")).isNotNull();
    assertThat(counts.getLong("suspended")).isNotNull();
  }

  @Test
  @DisplayName("every console page answers 200 with the strict policy, no caching and the nav")
  void pages() throws Exception {
    api.credit("page-user", 5_000, "USD");
    for (String path :
        new String[] {
          "/console",
          "/console/users",
          "/console/users?currency=USD&sort=-balance",
          "/console/users/page-user",
          "/console/plans",
          "/console/payments",
          "/console/webhooks",
          "/console/audit",
          "/console/audit?actor=root&from=2026-01-01"
        }) {
      HttpResponse<Buffer> response = page(HttpMethod.GET, path);
      assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(200);
      assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(response.getHeader("Content-Security-Policy")).contains("script-src 'nonce-");
      assertThat(response.bodyAsString()).contains("aria-label=\"Console\"");
    }
    assertThat(page(HttpMethod.GET, "/console/users?currency=USD&sort=-balance").bodyAsString())
        .contains("data-user=\"page-user\"");
    api.credit("other-user", 100, "USD");
    assertThat(page(HttpMethod.GET, "/console/users?prefix=page-").bodyAsString())
        .contains("data-user=\"page-user\"")
        .doesNotContain("data-user=\"other-user\"");
    assertThat(page(HttpMethod.GET, "/console/users?prefix=%25").bodyAsString())
        .doesNotContain("data-user=");
  }

  @Test
  @DisplayName(
      "an adjustment: the first post only asks for confirmation; the confirmation posts once,"
          + " a repeat replays it, the audit log names the console's administrator")
  void adjustment() throws Exception {
    String key = UUID.randomUUID().toString();
    String body = "idempotency_key=" + key + "&amount=12.50&currency=usd&reason=" + enc("Goodwill");
    long entries = api.entryCount();

    HttpResponse<Buffer> review = form("/console/users/adj-user/adjustment", body);
    assertThat(review.statusCode()).isEqualTo(200);
    assertThat(review.bodyAsString())
        .contains("Confirm the adjustment")
        .contains("data-confirm-amount=\"1250\"")
        .contains("12.50 USD");
    assertThat(api.entryCount()).isEqualTo(entries);

    HttpResponse<Buffer> done = form("/console/users/adj-user/adjustment/confirm", body);
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    assertThat(done.bodyAsString()).contains("data-outcome=\"ok\"");
    HttpResponse<Buffer> again = form("/console/users/adj-user/adjustment/confirm", body);
    assertThat(again.bodyAsString()).contains("had been posted already");
    assertThat(api.entryCount()).isEqualTo(entries + 1);
    assertThat(
            api.get("/v1/wallets/USD", api.tokens.user("adj-user"))
                .bodyAsJsonObject()
                .getLong("balance_minor"))
        .isEqualTo(1250);

    JsonArray audit =
        api.get("/v1/admin/audit?actor=root&action=" + enc("POST /v1/admin/adjustments"), admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(audit)
        .anySatisfy(
            e -> {
              JsonObject targets = ((JsonObject) e).getJsonObject("targets");
              assertThat(targets.getString("user_id")).isEqualTo("adj-user");
              assertThat(targets.getString("via")).isEqualTo("console");
              assertThat(((JsonObject) e).getInteger("status")).isEqualTo(201);
            });

    HttpResponse<Buffer> tooPrecise =
        form(
            "/console/users/adj-user/adjustment",
            "idempotency_key=" + UUID.randomUUID() + "&amount=1.234&currency=USD&reason=x");
    assertThat(tooPrecise.statusCode()).isEqualTo(400);
    assertThat(tooPrecise.bodyAsString()).contains("at most 2 decimals");
  }

  @Test
  @DisplayName(
      "plans: created and retired from the console after confirmation, each recorded in the audit"
          + " log")
  void plans() throws Exception {
    String body = "code=console-pro&name=Pro&price=1.20&currency=USD&period=PT1H";
    HttpResponse<Buffer> review = form("/console/plans", body);
    assertThat(review.bodyAsString()).contains("Confirm the new plan").contains("1.20 USD");
    assertThat(api.get("/v1/admin/plans", admin).bodyAsString()).doesNotContain("console-pro");

    HttpResponse<Buffer> created = form("/console/plans/confirm", body);
    assertThat(created.bodyAsString()).contains("data-outcome=\"ok\"");
    JsonObject plan =
        api.get("/v1/admin/plans", admin).bodyAsJsonObject().getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .filter(p -> "console-pro".equals(p.getString("code")))
            .findFirst()
            .orElseThrow();
    assertThat(plan.getLong("price_minor")).isEqualTo(120);
    HttpResponse<Buffer> twice = form("/console/plans/confirm", body);
    assertThat(twice.statusCode()).isEqualTo(409);

    assertThat(form("/console/plans/console-pro/retire", "").bodyAsString())
        .contains("Confirm retiring the plan");
    assertThat(form("/console/plans/console-pro/retire/confirm", "").bodyAsString())
        .contains("data-outcome=\"ok\"");
    assertThat(api.get("/v1/plans", admin).bodyAsString()).doesNotContain("console-pro");

    JsonArray audit =
        api.get("/v1/admin/audit?actor=root", admin).bodyAsJsonObject().getJsonArray("data");
    assertThat(audit.stream().map(e -> ((JsonObject) e).getString("action")))
        .contains("POST /v1/admin/plans", "POST /v1/admin/plans/{code}/retire");
  }

  @Test
  @DisplayName(
      "webhooks: the page lists an endpoint's deliveries; Redeliver queues the event again after"
          + " confirmation")
  void redeliver() throws Exception {
    JsonObject endpoint =
        api.post(
                "/v1/admin/webhook_endpoints",
                admin,
                null,
                new JsonObject()
                    .put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hook")
                    .put("enabled_events", new JsonArray().add("*")))
            .bodyAsJsonObject();
    String endpointId = endpoint.getString("id");
    api.credit("hook-user", 100, "USD");
    JsonArray deliveries =
        dev.kopek.testkit.Poll.value(
            Duration.ofSeconds(30),
            () ->
                api.get("/v1/admin/webhook_endpoints/" + endpointId + "/deliveries", admin)
                    .bodyAsJsonObject()
                    .getJsonArray("data"),
            data -> !data.isEmpty());
    assertThat(deliveries).isNotEmpty();
    String eventId = deliveries.getJsonObject(0).getString("event_id");
    assertThat(page(HttpMethod.GET, "/console/webhooks").bodyAsString())
        .contains("data-endpoint=\"" + endpointId + "\"")
        .contains(eventId);

    String body = "event_id=" + enc(eventId) + "&endpoint_id=" + enc(endpointId);
    assertThat(form("/console/webhooks/redeliver", body).bodyAsString())
        .contains("Confirm the redelivery");
    HttpResponse<Buffer> queued = form("/console/webhooks/redeliver/confirm", body);
    assertThat(queued.bodyAsString()).as(queued.bodyAsString()).contains("Redelivery queued");
    dev.kopek.testkit.Poll.value(
        Duration.ofSeconds(30),
        () ->
            api.get(
                    "/v1/admin/webhook_endpoints/"
                        + endpointId
                        + "/deliveries?event_id="
                        + enc(eventId),
                    admin)
                .bodyAsJsonObject()
                .getJsonArray("data")
                .size(),
        n -> n >= 2);
    assertThat(
            api.get(
                    "/v1/admin/webhook_endpoints/"
                        + endpointId
                        + "/deliveries?event_id="
                        + enc(eventId),
                    admin)
                .bodyAsJsonObject()
                .getJsonArray("data")
                .size())
        .isGreaterThanOrEqualTo(2);
    JsonArray audit =
        api.get("/v1/admin/audit?action=" + enc("POST /v1/admin/events/{id}/redeliver"), admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(audit).isNotEmpty();
    assertThat(audit.getJsonObject(0).getString("actor")).isEqualTo("root");
  }

  @Test
  @DisplayName(
      "a user's entries are paged: Older entries loads the next page, as a fragment for htmx")
  void entriesArePaged() throws Exception {
    for (int i = 0; i < 21; i++) {
      api.credit("many-entries", 100 + i, "EUR");
    }
    String first = page(HttpMethod.GET, "/console/users/many-entries").bodyAsString();
    assertThat(first.split("data-entry=\"", -1)).hasSize(21);
    Matcher older =
        Pattern.compile("hx-get=\"(/console/users/many-entries\\?after=[0-9]+)\"").matcher(first);
    assertThat(older.find()).isTrue();
    HttpResponse<Buffer> next =
        api.client
            .request(HttpMethod.GET, older.group(1))
            .putHeader("Cookie", cookie)
            .putHeader("HX-Request", "true")
            .send()
            .await(60, TimeUnit.SECONDS);
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.bodyAsString()).startsWith("<div id=\"entries\">").doesNotContain("<html");
    assertThat(next.bodyAsString().split("data-entry=\"", -1)).hasSize(2);
    assertThat(next.bodyAsString()).contains("1.00 EUR").doesNotContain("Older entries");
  }
}
