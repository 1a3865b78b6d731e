package dev.kopek.http;

import static dev.kopek.http.WebhookEndpointsApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The audit log: one append-only row per administrative or API-key request that asks to change
 * something, refusals included with their status; none for reads.
 */
@DisplayName("Audit log")
@Timeout(120)
class AuditLogTest {

  private static ApiFixture api;

  @BeforeAll
  static void start() throws Exception {
    api =
        ApiFixture.start(
            config -> config.put("webhooks", new JsonObject().put("allow_private_targets", true)));
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** What one audit row should say. */
  private record Expected(String actor, String action, int status) {}

  private static HttpResponse<Buffer> send(
      HttpMethod method, String path, String token, JsonObject body, String requestId)
      throws Exception {
    var request = api.client.request(method, path).bearerTokenAuthentication(token);
    request.putHeader("Idempotency-Key", "audit-" + System.nanoTime());
    if (requestId != null) {
      request.putHeader("X-Request-Id", requestId);
    }
    return (body == null ? request.send() : request.sendJsonObject(body))
        .await(60, TimeUnit.SECONDS);
  }

  private static JsonArray audit(String query) throws Exception {
    HttpResponse<Buffer> page = api.get("/v1/admin/audit?" + query, api.tokens.admin("reader"));
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
    return page.bodyAsJsonObject().getJsonArray("data");
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName(
      "a scripted sequence of admin and API-key actions leaves one row per changing request,"
          + " refusals included, none for reads")
  void oneRowPerChangingAction() throws Exception {
    Instant from = Instant.now().minusSeconds(1);
    String admin = api.tokens.admin("auditor");
    List<Expected> expected = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();

    HttpResponse<Buffer> adjusted =
        send(
            HttpMethod.POST,
            "/v1/admin/adjustments",
            admin,
            ApiFixture.charge(500, "USD", "goodwill").put("user_id", "olga"),
            "req-audit-1");
    assertThat(adjusted.statusCode()).isEqualTo(201);
    assertThat(adjusted.getHeader("X-Request-Id")).isEqualTo("req-audit-1");
    expected.add(new Expected("auditor", "POST /v1/admin/adjustments", 201));

    assertThat(api.get("/v1/admin/transactions?user_id=olga", admin).statusCode()).isEqualTo(200);

    JsonObject plan =
        new JsonObject()
            .put("code", "audited")
            .put("name", "Audited")
            .put("price_minor", 100)
            .put("currency", "USD");
    statuses.add(send(HttpMethod.POST, "/v1/admin/plans", admin, plan, null).statusCode());
    expected.add(new Expected("auditor", "POST /v1/admin/plans", 201));
    // The same plan again: refused, and recorded with its status.
    statuses.add(send(HttpMethod.POST, "/v1/admin/plans", admin, plan, null).statusCode());
    expected.add(new Expected("auditor", "POST /v1/admin/plans", 409));
    statuses.add(
        send(HttpMethod.POST, "/v1/admin/plans/audited/retire", admin, null, null).statusCode());
    expected.add(new Expected("auditor", "POST /v1/admin/plans/{code}/retire", 200));
    statuses.add(
        send(
                HttpMethod.POST,
                "/v1/admin/clock",
                admin,
                new JsonObject().put("advance_ms", 1000),
                null)
            .statusCode());
    expected.add(new Expected("auditor", "POST /v1/admin/clock", 200));
    statuses.add(
        send(
                HttpMethod.PUT,
                "/v1/admin/wallets/olga/USD/alerts",
                admin,
                new JsonObject().put("balance_low_minor", 100),
                null)
            .statusCode());
    expected.add(new Expected("auditor", "PUT /v1/admin/wallets/{user_id}/{currency}/alerts", 200));
    HttpResponse<Buffer> endpoint =
        send(
            HttpMethod.POST,
            "/v1/admin/webhook_endpoints",
            admin,
            new JsonObject()
                .put("url", "http://127.0.0.1:9/audit")
                .put("enabled_events", new JsonArray().add("*")),
            null);
    statuses.add(endpoint.statusCode());
    expected.add(new Expected("auditor", "POST /v1/admin/webhook_endpoints", 201));
    String endpointId = endpoint.bodyAsJsonObject().getString("id");
    statuses.add(
        send(HttpMethod.DELETE, "/v1/admin/webhook_endpoints/" + endpointId, admin, null, null)
            .statusCode());
    expected.add(new Expected("auditor", "DELETE /v1/admin/webhook_endpoints/{id}", 200));
    statuses.add(
        send(
                HttpMethod.POST,
                "/v1/admin/topups/pay_missing/refund",
                admin,
                new JsonObject().put("amount_minor", 1),
                null)
            .statusCode());
    expected.add(
        new Expected(
            "auditor", "POST /v1/admin/topups/{id}/refund", statuses.get(statuses.size() - 1)));
    HttpResponse<Buffer> created =
        send(
            HttpMethod.POST,
            "/v1/admin/api_keys",
            admin,
            new JsonObject()
                .put("name", "audited")
                .put("scopes", new JsonArray().add("admin:write").add("users:write")),
            null);
    statuses.add(created.statusCode());
    expected.add(new Expected("auditor", "POST /v1/admin/api_keys", 201));
    String keyId = created.bodyAsJsonObject().getString("id");
    String key = created.bodyAsJsonObject().getString("key");
    assertThat(api.get("/v1/admin/api_keys", admin).statusCode()).isEqualTo(200);

    // The key's own actions, allowed and refused.
    HttpResponse<Buffer> byKey =
        send(
            HttpMethod.POST,
            "/v1/admin/adjustments",
            key,
            ApiFixture.charge(10, "USD", "by key").put("user_id", "olga"),
            null);
    assertThat(byKey.statusCode()).as(byKey.bodyAsString()).isEqualTo(201);
    expected.add(new Expected(keyId, "POST /v1/admin/adjustments", 201));
    assertThat(
            send(
                    HttpMethod.POST,
                    "/v1/admin/clock",
                    key,
                    new JsonObject().put("advance_ms", 1),
                    null)
                .statusCode())
        .isEqualTo(200);
    expected.add(new Expected(keyId, "POST /v1/admin/clock", 200));
    // Keys do not manage keys: refused, and recorded.
    assertProblem(
        send(HttpMethod.DELETE, "/v1/admin/api_keys/" + keyId, key, null, null),
        403,
        "forbidden",
        null);
    expected.add(new Expected(keyId, "DELETE /v1/admin/api_keys/{id}", 403));
    var charge =
        api.client
            .request(HttpMethod.POST, "/v1/charges")
            .bearerTokenAuthentication(key)
            .putHeader("Kopek-User", "olga")
            .putHeader("Idempotency-Key", "audit-charge")
            .sendJsonObject(ApiFixture.charge(3, "USD", "usage"))
            .await(60, TimeUnit.SECONDS);
    assertThat(charge.statusCode()).as(charge.bodyAsString()).isEqualTo(201);
    expected.add(new Expected(keyId, "POST /v1/charges", 201));
    // Reads are not recorded, refused ones neither (this key lacks users:read).
    assertThat(
            api.client
                .request(HttpMethod.GET, "/v1/wallets")
                .bearerTokenAuthentication(key)
                .putHeader("Kopek-User", "olga")
                .send()
                .await(60, TimeUnit.SECONDS)
                .statusCode())
        .isEqualTo(403);

    statuses.add(
        send(
                HttpMethod.POST,
                "/v1/admin/api_keys/" + keyId + "/roll",
                admin,
                new JsonObject().put("grace_ms", 0),
                null)
            .statusCode());
    expected.add(new Expected("auditor", "POST /v1/admin/api_keys/{id}/roll", 200));
    statuses.add(
        send(HttpMethod.DELETE, "/v1/admin/api_keys/" + keyId, admin, null, null).statusCode());
    expected.add(new Expected("auditor", "DELETE /v1/admin/api_keys/{id}", 200));
    // A user without the admin role: refused, recorded under that user.
    assertProblem(
        send(
            HttpMethod.POST,
            "/v1/admin/adjustments",
            api.tokens.user("mallory"),
            ApiFixture.charge(1, "USD", "x").put("user_id", "mallory"),
            null),
        403,
        "forbidden",
        null);
    expected.add(new Expected("mallory", "POST /v1/admin/adjustments", 403));
    // No token at all: nobody to record.
    assertThat(send(HttpMethod.POST, "/v1/admin/clock", "not-a-token", null, null).statusCode())
        .isEqualTo(401);
    // A user's own actions with a token are not administrative.
    assertThat(
            send(
                    HttpMethod.POST,
                    "/v1/charges",
                    api.tokens.user("olga"),
                    ApiFixture.charge(1, "USD", "own"),
                    null)
                .statusCode())
        .isEqualTo(201);

    for (int i = 0; i < statuses.size(); i++) {
      assertThat(statuses.get(i)).as("step " + i).isLessThan(500);
    }
    List<String> actors = List.of("auditor", keyId, "mallory", "olga");
    String since = "from=" + q(from.toString()) + "&limit=100";
    Poll.eventually(
        Duration.ofSeconds(20),
        () -> {
          JsonArray rows = audit(since);
          List<Expected> recorded = new ArrayList<>();
          for (int i = rows.size() - 1; i >= 0; i--) {
            JsonObject row = rows.getJsonObject(i);
            if (actors.contains(row.getString("actor"))) {
              recorded.add(
                  new Expected(
                      row.getString("actor"), row.getString("action"), row.getInteger("status")));
            }
          }
          assertThat(recorded).containsExactlyInAnyOrderElementsOf(expected);
        });

    // Filters and what a row says.
    JsonArray first = audit("actor=auditor&action=" + q("POST /v1/admin/adjustments"));
    assertThat(first).hasSize(1);
    JsonObject row = first.getJsonObject(0);
    assertThat(row.getString("actor_type")).isEqualTo("user");
    assertThat(row.getString("request_id")).isEqualTo("req-audit-1");
    assertThat(row.getJsonObject("targets").getString("user_id")).isEqualTo("olga");
    assertThat(row.getJsonObject("targets").getString("currency")).isEqualTo("USD");
    assertThat(Instant.parse(row.getString("at"))).isAfterOrEqualTo(from);
    JsonArray byTheKey = audit("actor=" + keyId);
    assertThat(byTheKey).hasSize(4);
    assertThat(byTheKey.getJsonObject(0).getString("actor_type")).isEqualTo("api_key");
    JsonArray rolls = audit("action=" + q("POST /v1/admin/api_keys/{id}/roll"));
    assertThat(rolls.getJsonObject(0).getJsonObject("targets").getString("id")).isEqualTo(keyId);
    assertThat(
            audit("action=" + q("POST /v1/admin/api_keys"))
                .getJsonObject(0)
                .getJsonObject("targets")
                .getString("created"))
        .isEqualTo(keyId);
    assertThat(audit("actor=auditor&to=" + q(from.toString()))).isEmpty();
    assertThat(audit("action=" + q("GET /v1/admin/transactions"))).isEmpty();

    // Pages, newest first.
    JsonObject page = api.get("/v1/admin/audit?actor=auditor&limit=4", admin).bodyAsJsonObject();
    assertThat(page.getBoolean("has_more")).isTrue();
    JsonArray pageOne = page.getJsonArray("data");
    JsonArray pageTwo = audit("actor=auditor&limit=4&before=" + page.getLong("next_before"));
    assertThat(pageOne.getJsonObject(3).getLong("id"))
        .isGreaterThan(pageTwo.getJsonObject(0).getLong("id"));
    assertThat(pageOne.getJsonObject(0).getLong("id"))
        .isGreaterThan(pageOne.getJsonObject(1).getLong("id"));
  }

  @Test
  @DisplayName("the database refuses to change or delete audit rows")
  void appendOnly() throws Exception {
    String admin = api.tokens.admin("appender");
    assertThat(
            send(
                    HttpMethod.POST,
                    "/v1/admin/clock",
                    admin,
                    new JsonObject().put("advance_ms", 1),
                    null)
                .statusCode())
        .isEqualTo(200);
    Poll.until(
        Duration.ofSeconds(20),
        "the row is written",
        () ->
            TestDatabase.queryLong(
                    api.database, "SELECT count(*) FROM audit_log WHERE actor = 'appender'")
                == 1);
    assertThatThrownBy(
            () -> TestDatabase.execute(api.database, "UPDATE audit_log SET status = 200"))
        .hasStackTraceContaining("append-only");
    assertThatThrownBy(() -> TestDatabase.execute(api.database, "DELETE FROM audit_log"))
        .hasStackTraceContaining("append-only");
    assertThatThrownBy(() -> TestDatabase.execute(api.database, "TRUNCATE audit_log"))
        .hasStackTraceContaining("append-only");
    assertThat(
            TestDatabase.queryLong(
                api.database, "SELECT count(*) FROM audit_log WHERE actor = 'appender'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "a failure to record leaves a successful action's reply alone and is logged at ERROR")
  void recordingFailureIsNotTheCallersError() throws Exception {
    String admin = api.tokens.admin("unrecorded");
    // The audit table refuses this actor's rows for the duration.
    TestDatabase.execute(
        api.database,
        "ALTER TABLE audit_log ADD CONSTRAINT audit_refuses_unrecorded"
            + " CHECK (actor <> 'unrecorded')");
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream err = System.err;
    try {
      System.setErr(
          new java.io.PrintStream(
              new java.io.OutputStream() {
                @Override
                public synchronized void write(int b) {
                  err.write(b);
                  captured.write(b);
                }

                @Override
                public synchronized void write(byte[] b, int off, int len) {
                  err.write(b, off, len);
                  captured.write(b, off, len);
                }
              },
              true,
              StandardCharsets.UTF_8));
      HttpResponse<Buffer> adjusted =
          send(
              HttpMethod.POST,
              "/v1/admin/adjustments",
              admin,
              ApiFixture.charge(7, "USD", "while the audit log fails").put("user_id", "olga"),
              "req-unrecorded");
      assertThat(adjusted.statusCode()).as(adjusted.bodyAsString()).isEqualTo(201);
      Poll.until(
          Duration.ofSeconds(20),
          "the lost record is logged",
          () -> {
            String logs = captured.toString(StandardCharsets.UTF_8);
            return logs.contains("AUDIT LOG WRITE FAILED") && logs.contains("req-unrecorded");
          });
    } finally {
      System.setErr(err);
      TestDatabase.execute(
          api.database, "ALTER TABLE audit_log DROP CONSTRAINT audit_refuses_unrecorded");
    }
    assertThat(
            TestDatabase.queryLong(
                api.database, "SELECT count(*) FROM audit_log WHERE actor = 'unrecorded'"))
        .isZero();
    // The adjustment itself stands.
    assertThat(api.get("/v1/admin/transactions?user_id=olga", admin).bodyAsString())
        .contains("while the audit log fails");
  }
}
