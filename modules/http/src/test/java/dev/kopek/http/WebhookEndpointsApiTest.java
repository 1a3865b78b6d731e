package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The webhook endpoints' administration over HTTP, as production runs it: private, loopback and
 * link-local targets refused ({@code webhooks.allow_private_targets} off). The public target used
 * is a literal address of a documentation range, which needs no DNS and is never delivered to here
 * (no event is recorded).
 */
@DisplayName("Webhook endpoints")
@Timeout(120)
class WebhookEndpointsApiTest {

  static final String ENDPOINTS = "/v1/admin/webhook_endpoints";
  static final String PUBLIC_URL = "https://203.0.113.10/kopek/webhooks";

  private static ApiFixture api;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    admin = api.tokens.admin("root");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  @BeforeEach
  void noEndpoints() {
    dev.kopek.testkit.TestDatabase.execute(api.database, "DELETE FROM webhook_endpoints");
  }

  static JsonObject endpoint(String url, String... types) {
    return new JsonObject()
        .put("url", url)
        .put("enabled_events", new JsonArray(java.util.List.of((Object[]) types)));
  }

  static void assertProblem(HttpResponse<Buffer> response, int status, String code, String field) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("code")).isEqualTo(code);
    if (field != null) {
      assertThat(problem.getString("field")).as(problem.encode()).isEqualTo(field);
    }
  }

  static void assertSecret(String secret) {
    assertThat(secret).matches("whsec_[A-Za-z0-9+/]{43}=");
    assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(32);
  }

  private JsonObject create(JsonObject body) throws Exception {
    HttpResponse<Buffer> created = api.post(ENDPOINTS, admin, null, body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private long endpointCount() {
    return dev.kopek.testkit.TestDatabase.queryLong(
        api.database, "SELECT count(*) FROM webhook_endpoints");
  }

  @Test
  @DisplayName(
      "an endpoint's life: created with its secret shown once, listed, read, changed, disabled and re-enabled, its secret rotated, deleted")
  void endpointLifecycle() throws Exception {
    JsonObject created =
        create(
            endpoint(PUBLIC_URL, "topup.succeeded", "wallet.balance_low")
                .put("description", "Production receiver"));
    String id = created.getString("id");
    assertThat(id).matches("we_[0-9a-z]{24}");
    assertThat(created.getString("object")).isEqualTo("webhook_endpoint");
    assertThat(created.getString("url")).isEqualTo(PUBLIC_URL);
    assertThat(created.getString("description")).isEqualTo("Production receiver");
    assertThat(created.getJsonArray("enabled_events"))
        .containsExactly("topup.succeeded", "wallet.balance_low");
    assertThat(created.getString("status")).isEqualTo("enabled");
    assertThat(created.getValue("disabled_reason")).isNull();
    assertThat(created.getValue("previous_secret_expires_at")).isNull();
    assertThat(created.getString("created_at")).isEqualTo(created.getString("updated_at"));
    String secret = created.getString("secret");
    assertSecret(secret);

    // The secret is shown once: neither reading nor listing shows it again.
    HttpResponse<Buffer> read = api.get(ENDPOINTS + "/" + id, admin);
    assertThat(read.statusCode()).isEqualTo(200);
    JsonObject shown = read.bodyAsJsonObject();
    assertThat(shown.containsKey("secret")).isFalse();
    assertThat(shown.encode()).doesNotContain(secret.substring(6));
    JsonObject withoutSecret = created.copy();
    withoutSecret.remove("secret");
    assertThat(shown).isEqualTo(withoutSecret);
    JsonObject other = create(endpoint(PUBLIC_URL + "/other", "*"));
    HttpResponse<Buffer> listed = api.get(ENDPOINTS, admin);
    assertThat(listed.statusCode()).isEqualTo(200);
    JsonArray data = listed.bodyAsJsonObject().getJsonArray("data");
    assertThat(data).hasSize(2);
    assertThat(data.getJsonObject(0)).isEqualTo(withoutSecret);
    assertThat(data.getJsonObject(1).getString("id")).isEqualTo(other.getString("id"));
    assertThat(data.getJsonObject(1).getJsonArray("enabled_events")).containsExactly("*");
    assertThat(listed.bodyAsString()).doesNotContain("whsec_");

    // A change touches only what it names; an empty description clears it.
    HttpResponse<Buffer> changed =
        api.patch(
            ENDPOINTS + "/" + id,
            admin,
            null,
            new JsonObject()
                .put("url", PUBLIC_URL + "/v2")
                .put("enabled_events", new JsonArray().add("entry.posted")));
    assertThat(changed.statusCode()).as(changed.bodyAsString()).isEqualTo(200);
    assertThat(changed.bodyAsJsonObject().getString("url")).isEqualTo(PUBLIC_URL + "/v2");
    assertThat(changed.bodyAsJsonObject().getJsonArray("enabled_events"))
        .containsExactly("entry.posted");
    assertThat(changed.bodyAsJsonObject().getString("description"))
        .isEqualTo("Production receiver");
    assertThat(changed.bodyAsJsonObject().containsKey("secret")).isFalse();
    HttpResponse<Buffer> cleared =
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("description", ""));
    assertThat(cleared.statusCode()).isEqualTo(200);
    assertThat(cleared.bodyAsJsonObject().getValue("description")).isNull();
    assertThat(cleared.bodyAsJsonObject().getString("url")).isEqualTo(PUBLIC_URL + "/v2");

    HttpResponse<Buffer> disabled =
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("status", "disabled"));
    assertThat(disabled.statusCode()).isEqualTo(200);
    assertThat(disabled.bodyAsJsonObject().getString("status")).isEqualTo("disabled");
    assertThat(disabled.bodyAsJsonObject().getString("disabled_reason"))
        .isEqualTo("disabled by an administrator");
    HttpResponse<Buffer> enabled =
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("status", "enabled"));
    assertThat(enabled.statusCode()).isEqualTo(200);
    assertThat(enabled.bodyAsJsonObject().getString("status")).isEqualTo("enabled");
    assertThat(enabled.bodyAsJsonObject().getValue("disabled_reason")).isNull();

    // Rotation: a new secret, shown once; the old one signs for 24 h more.
    HttpResponse<Buffer> rotated =
        api.post(ENDPOINTS + "/" + id + "/rotate_secret", admin, null, null);
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    String newSecret = rotated.bodyAsJsonObject().getString("secret");
    assertSecret(newSecret);
    assertThat(newSecret).isNotEqualTo(secret);
    Instant rotatedAt = Instant.parse(rotated.bodyAsJsonObject().getString("updated_at"));
    assertThat(Instant.parse(rotated.bodyAsJsonObject().getString("previous_secret_expires_at")))
        .isEqualTo(rotatedAt.plus(Duration.ofHours(24)));
    JsonObject afterRotation = api.get(ENDPOINTS + "/" + id, admin).bodyAsJsonObject();
    assertThat(afterRotation.containsKey("secret")).isFalse();
    assertThat(afterRotation.getString("previous_secret_expires_at"))
        .isEqualTo(rotated.bodyAsJsonObject().getString("previous_secret_expires_at"));

    // Deleted: answered with the deleted object, then gone for every operation.
    HttpResponse<Buffer> deleted = api.delete(ENDPOINTS + "/" + id, admin, null);
    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(deleted.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject().put("id", id).put("object", "webhook_endpoint").put("deleted", true));
    assertProblem(api.get(ENDPOINTS + "/" + id, admin), 404, "not_found", null);
    assertProblem(api.delete(ENDPOINTS + "/" + id, admin, null), 404, "not_found", null);
    assertProblem(
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("description", "x")),
        404,
        "not_found",
        null);
    assertProblem(
        api.post(ENDPOINTS + "/" + id + "/rotate_secret", admin, null, null),
        404,
        "not_found",
        null);
    assertProblem(api.get(ENDPOINTS + "/" + id + "/deliveries", admin), 404, "not_found", null);
    assertThat(api.get(ENDPOINTS, admin).bodyAsJsonObject().getJsonArray("data")).hasSize(1);
  }

  @Test
  @DisplayName(
      "enabled_events must name known types, or be [\"*\"] alone: anything else is 400 naming enabled_events")
  void enabledEventsAreChecked() throws Exception {
    for (JsonObject body :
        new JsonObject[] {
          endpoint(PUBLIC_URL, "topup.succeeded", "payment.succeeded"),
          endpoint(PUBLIC_URL, "*", "entry.posted"),
          endpoint(PUBLIC_URL, "entry.posted", "*"),
          endpoint(PUBLIC_URL),
          endpoint(PUBLIC_URL, ""),
          new JsonObject().put("url", PUBLIC_URL).put("enabled_events", "*"),
          new JsonObject().put("url", PUBLIC_URL).put("enabled_events", new JsonArray().add(7)),
          new JsonObject().put("url", PUBLIC_URL)
        }) {
      assertProblem(
          api.post(ENDPOINTS, admin, null, body), 400, "validation_failed", "enabled_events");
    }
    assertThat(endpointCount()).isZero();

    String id = create(endpoint(PUBLIC_URL, "*")).getString("id");
    assertProblem(
        api.patch(
            ENDPOINTS + "/" + id,
            admin,
            null,
            new JsonObject().put("enabled_events", new JsonArray().add("entry.posted").add("*"))),
        400,
        "validation_failed",
        "enabled_events");
    assertProblem(
        api.patch(
            ENDPOINTS + "/" + id,
            admin,
            null,
            new JsonObject().put("enabled_events", new JsonArray().add("entry.created"))),
        400,
        "validation_failed",
        "enabled_events");
    assertThat(
            api.get(ENDPOINTS + "/" + id, admin).bodyAsJsonObject().getJsonArray("enabled_events"))
        .containsExactly("*");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "http://127.0.0.1:9/x",
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://localhost/",
        "http://192.168.1.20:8080/hooks",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/"
      })
  @DisplayName(
      "a URL whose host is private, loopback or link-local is refused with 400 naming url, on creation and on change")
  void privateTargetsAreRefused(String url) throws Exception {
    HttpResponse<Buffer> refused = api.post(ENDPOINTS, admin, null, endpoint(url, "*"));
    assertProblem(refused, 400, "validation_failed", "url");
    assertThat(refused.bodyAsJsonObject().getString("detail"))
        .contains("webhooks.allow_private_targets");
    assertThat(endpointCount()).isZero();

    String id = create(endpoint(PUBLIC_URL, "*")).getString("id");
    assertProblem(
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("url", url)),
        400,
        "validation_failed",
        "url");
    assertThat(api.get(ENDPOINTS + "/" + id, admin).bodyAsJsonObject().getString("url"))
        .isEqualTo(PUBLIC_URL);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "ftp://203.0.113.10/x",
        "file:///etc/passwd",
        "gopher://203.0.113.10/",
        "not a url",
        "/relative/path",
        "http://user:secret@203.0.113.10/",
        "https://203.0.113.10/x#fragment",
        "http://no-such-host.invalid/"
      })
  @DisplayName(
      "a URL that is not an http(s) URL of a resolvable host is refused with 400 naming url")
  void malformedUrlsAreRefused(String url) throws Exception {
    assertProblem(
        api.post(ENDPOINTS, admin, null, endpoint(url, "*")), 400, "validation_failed", "url");
    assertThat(endpointCount()).isZero();
  }

  @Test
  @DisplayName("other bad input is 400 naming the field, and an unknown endpoint is 404")
  void badInput() throws Exception {
    String id = create(endpoint(PUBLIC_URL, "*")).getString("id");
    assertProblem(
        api.post(ENDPOINTS, admin, null, endpoint(PUBLIC_URL, "*").put("secret", "whsec_mine")),
        400,
        "validation_failed",
        "secret");
    assertProblem(
        api.post(
            ENDPOINTS, admin, null, endpoint(PUBLIC_URL, "*").put("description", "d".repeat(501))),
        400,
        "validation_failed",
        "description");
    assertProblem(
        api.post(
            ENDPOINTS,
            admin,
            null,
            new JsonObject().put("enabled_events", new JsonArray().add("*"))),
        400,
        "validation_failed",
        "url");
    assertProblem(
        api.post(ENDPOINTS, admin, null, endpoint("https://203.0.113.10/" + "x".repeat(2048), "*")),
        400,
        "validation_failed",
        "url");
    assertProblem(
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("status", "paused")),
        400,
        "validation_failed",
        "status");
    assertProblem(
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("url", "")),
        400,
        "validation_failed",
        "url");
    assertProblem(
        api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject()),
        400,
        "validation_failed",
        "body");
    assertProblem(
        api.patch(ENDPOINTS + "/" + id, admin, null, null), 400, "validation_failed", "body");
    assertProblem(api.get(ENDPOINTS + "/" + "x".repeat(65), admin), 400, "validation_failed", "id");
    assertProblem(
        api.get(ENDPOINTS + "/" + id + "/deliveries?limit=0", admin),
        400,
        "validation_failed",
        "limit");
    assertProblem(
        api.get(ENDPOINTS + "/" + id + "/deliveries?before=x", admin),
        400,
        "validation_failed",
        "before");
    assertProblem(
        api.get(ENDPOINTS + "/" + id + "/deliveries?starting_after=1", admin),
        400,
        "validation_failed",
        "starting_after");
    assertProblem(api.get(ENDPOINTS + "/we_nothing", admin), 404, "not_found", null);
    HttpResponse<Buffer> empty = api.get(ENDPOINTS + "/" + id + "/deliveries", admin);
    assertThat(empty.statusCode()).isEqualTo(200);
    assertThat(empty.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject()
                .put("data", new JsonArray())
                .put("has_more", false)
                .put("next_before", null));
    assertThat(api.get(ENDPOINTS + "/" + id, admin).bodyAsJsonObject().getString("url"))
        .isEqualTo(PUBLIC_URL);
  }

  @Test
  @DisplayName("every webhook and event route needs the admin role (403) and a token (401)")
  void adminOnly() throws Exception {
    String id = create(endpoint(PUBLIC_URL, "*")).getString("id");
    String alice = api.tokens.user("alice");
    String[][] routes = {
      {"POST", ENDPOINTS},
      {"GET", ENDPOINTS},
      {"GET", ENDPOINTS + "/" + id},
      {"PATCH", ENDPOINTS + "/" + id},
      {"DELETE", ENDPOINTS + "/" + id},
      {"POST", ENDPOINTS + "/" + id + "/rotate_secret"},
      {"GET", ENDPOINTS + "/" + id + "/deliveries"},
      {"GET", "/v1/admin/events"},
      {"GET", "/v1/admin/events/evt_x"},
      {"POST", "/v1/admin/events/evt_x/redeliver"},
      {"GET", "/v1/admin/wallets/alice/USD/alerts"},
      {"PUT", "/v1/admin/wallets/alice/USD/alerts"}
    };
    for (String[] route : routes) {
      JsonObject body =
          route[0].equals("GET") || route[0].equals("DELETE")
              ? null
              : endpoint(PUBLIC_URL, "*").put("status", "disabled");
      HttpResponse<Buffer> forbidden =
          api.send(HttpMethod.valueOf(route[0]), route[1], alice, null, body)
              .await(60, TimeUnit.SECONDS);
      assertProblem(forbidden, 403, "forbidden", null);
      HttpResponse<Buffer> anonymous =
          api.send(HttpMethod.valueOf(route[0]), route[1], null, null, body)
              .await(60, TimeUnit.SECONDS);
      assertProblem(anonymous, 401, "unauthorized", null);
    }
    JsonObject unchanged = api.get(ENDPOINTS + "/" + id, admin).bodyAsJsonObject();
    assertThat(unchanged.getString("status")).isEqualTo("enabled");
    assertThat(endpointCount()).isEqualTo(1);
  }
}
