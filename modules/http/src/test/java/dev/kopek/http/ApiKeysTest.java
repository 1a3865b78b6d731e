package dev.kopek.http;

import static dev.kopek.http.WebhookEndpointsApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * API keys for merchant backends: created by an administrator, shown once, held to their scopes,
 * revoked, expiring, rolled with a grace period, and never logged or shown again.
 */
@DisplayName("API keys")
@Timeout(120)
class ApiKeysTest {

  private static ApiFixture api;
  private static String admin;

  /** Every response a test received, but the ones that create or roll a key. */
  private final List<HttpResponse<Buffer>> seen = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    admin = api.tokens.admin("root");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** Creates a key with {@code scopes} and returns the creation's reply (with {@code key}). */
  private static JsonObject create(String name, List<String> scopes, Instant expiresAt)
      throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("scopes", new JsonArray(scopes));
    if (expiresAt != null) {
      body.put("expires_at", expiresAt.toString());
    }
    HttpResponse<Buffer> created = api.post("/v1/admin/api_keys", admin, null, body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject key = created.bodyAsJsonObject();
    assertThat(key.getString("key"))
        .startsWith("kpk_" + key.getString("id") + "_")
        .matches("kpk_[a-z0-9]{20}_[A-Za-z0-9_-]{43}");
    return key;
  }

  /** A request with {@code key}, for {@code user} when not null. */
  private HttpResponse<Buffer> call(
      HttpMethod method, String path, String key, String user, JsonObject body) throws Exception {
    HttpRequest<Buffer> request = api.client.request(method, path).bearerTokenAuthentication(key);
    if (user != null) {
      request.putHeader(ApiKeyAuthentication.USER_HEADER, user);
    }
    if (method != HttpMethod.GET) {
      request.putHeader("Idempotency-Key", "key-test-" + System.nanoTime());
    }
    HttpResponse<Buffer> response =
        (body == null ? request.send() : request.sendJsonObject(body)).await(60, TimeUnit.SECONDS);
    seen.add(response);
    return response;
  }

  private HttpResponse<Buffer> walletsOf(String key, String user) throws Exception {
    return call(HttpMethod.GET, "/v1/wallets", key, user, null);
  }

  /** One request of each route group, by what it needs. */
  private HttpResponse<Buffer> request(String group, String key) throws Exception {
    return switch (group) {
      case "users:read" -> call(HttpMethod.GET, "/v1/wallets", key, "matrix-user", null);
      case "users:write" ->
          call(
              HttpMethod.POST,
              "/v1/charges",
              key,
              "matrix-user",
              ApiFixture.charge(1, "USD", "metered usage"));
      case "admin:read" -> call(HttpMethod.GET, "/v1/admin/transactions", key, null, null);
      case "admin:users" -> call(HttpMethod.GET, "/v1/admin/users/matrix-user", key, null, null);
      case "admin:write" ->
          call(
              HttpMethod.POST,
              "/v1/admin/adjustments",
              key,
              null,
              ApiFixture.charge(5, "USD", "key adjustment").put("user_id", "matrix-user"));
      case "events:read" -> call(HttpMethod.GET, "/v1/admin/events", key, null, null);
      case "api_keys" -> call(HttpMethod.GET, "/v1/admin/api_keys", key, null, null);
      default -> throw new IllegalArgumentException(group);
    };
  }

  @Test
  @DisplayName(
      "scope matrix: each route group answers each key as its scopes say, 403 problem otherwise;"
          + " no key manages keys")
  void scopeMatrix() throws Exception {
    api.credit("matrix-user", 1_000, "USD");
    List<String> groups =
        List.of(
            "users:read",
            "users:write",
            "admin:read",
            "admin:users",
            "admin:write",
            "events:read",
            "api_keys");
    // Scope -> the groups it opens (admin:read reads the event feed and the views of users too).
    Map<String, Set<String>> allowed = new LinkedHashMap<>();
    allowed.put("users:read", Set.of("users:read"));
    allowed.put("users:write", Set.of("users:write"));
    allowed.put("admin:read", Set.of("admin:read", "admin:users", "events:read"));
    allowed.put("admin:write", Set.of("admin:write"));
    allowed.put("events:read", Set.of("events:read"));
    Map<String, Integer> success =
        Map.of(
            "users:read", 200,
            "users:write", 201,
            "admin:read", 200,
            "admin:users", 200,
            "admin:write", 201,
            "events:read", 200);
    for (var scope : allowed.entrySet()) {
      String key =
          create("matrix " + scope.getKey(), List.of(scope.getKey()), null).getString("key");
      for (String group : groups) {
        HttpResponse<Buffer> response = request(group, key);
        String cell = scope.getKey() + " x " + group + " -> " + response.bodyAsString();
        if (scope.getValue().contains(group)) {
          assertThat(response.statusCode()).as(cell).isEqualTo(success.get(group));
        } else {
          assertThat(response.statusCode()).as(cell).isEqualTo(403);
          assertProblem(response, 403, "forbidden", null);
        }
      }
    }
    // Several scopes add up.
    String both =
        create("matrix both", List.of("users:read", "admin:write"), null).getString("key");
    assertThat(request("users:read", both).statusCode()).isEqualTo(200);
    assertThat(request("admin:write", both).statusCode()).isEqualTo(201);
    assertThat(request("admin:read", both).statusCode()).isEqualTo(403);
    assertThat(request("admin:users", both).statusCode()).isEqualTo(403);
    assertThat(request("api_keys", both).statusCode()).isEqualTo(403);
    assertNoSecretsSeen(List.of());
  }

  @Test
  @DisplayName(
      "a key acts for the user Kopek-User names, and without the header is refused with 400 naming it")
  void actsForTheNamedUser() throws Exception {
    api.credit("kara", 700, "EUR");
    String key = create("backend", List.of("users:read", "users:write"), null).getString("key");
    HttpResponse<Buffer> wallets = walletsOf(key, "kara");
    assertThat(wallets.statusCode()).as(wallets.bodyAsString()).isEqualTo(200);
    assertThat(
            wallets
                .bodyAsJsonObject()
                .getJsonArray("data")
                .getJsonObject(0)
                .getLong("balance_minor"))
        .isEqualTo(700L);
    HttpResponse<Buffer> charged =
        call(HttpMethod.POST, "/v1/charges", key, "kara", ApiFixture.charge(200, "EUR", "usage"));
    assertThat(charged.statusCode()).as(charged.bodyAsString()).isEqualTo(201);
    assertThat(
            walletsOf(key, "kara")
                .bodyAsJsonObject()
                .getJsonArray("data")
                .getJsonObject(0)
                .getLong("balance_minor"))
        .isEqualTo(500L);
    assertProblem(walletsOf(key, null), 400, "validation_failed", "Kopek-User");
    // Another user's wallets are that user's own.
    assertThat(walletsOf(key, "nobody-yet").bodyAsJsonObject().getJsonArray("data")).isEmpty();
  }

  @Test
  @DisplayName("unknown, malformed, revoked and expired keys are refused with 401")
  void revokedAndExpired() throws Exception {
    JsonObject created = create("short-lived", List.of("admin:read"), null);
    String key = created.getString("key");
    assertThat(request("admin:read", key).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> revoked =
        api.delete("/v1/admin/api_keys/" + created.getString("id"), admin, null);
    seen.add(revoked);
    assertThat(revoked.statusCode()).as(revoked.bodyAsString()).isEqualTo(200);
    assertThat(revoked.bodyAsJsonObject().getString("revoked_at")).isNotNull();
    // Revocation reaches this server's cache of verified keys at once.
    assertProblem(request("admin:read", key), 401, "unauthorized", null);
    assertProblem(api.delete("/v1/admin/api_keys/nosuchkey", admin, null), 404, "not_found", null);

    String id = created.getString("id");
    assertProblem(request("admin:read", "kpk_" + id + "_wrongsecret"), 401, "unauthorized", null);
    assertProblem(
        request("admin:read", "kpk_unknownkeyid00000000_" + "A".repeat(43)),
        401,
        "unauthorized",
        null);
    assertProblem(request("admin:read", "kpk_nounderscore"), 401, "unauthorized", null);

    String expiring =
        create("expiring", List.of("admin:read"), Instant.now().plusSeconds(2)).getString("key");
    assertThat(request("admin:read", expiring).statusCode()).isEqualTo(200);
    Poll.until(
        Duration.ofSeconds(20),
        "the expired key is refused",
        () -> {
          try {
            return request("admin:read", expiring).statusCode() == 401;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    assertProblem(request("admin:read", expiring), 401, "unauthorized", null);

    HttpResponse<Buffer> past =
        api.post(
            "/v1/admin/api_keys",
            admin,
            null,
            new JsonObject()
                .put("name", "past")
                .put("scopes", new JsonArray().add("admin:read"))
                .put("expires_at", "2020-01-01T00:00:00Z"));
    assertProblem(past, 400, "validation_failed", "expires_at");
    assertProblem(
        api.post(
            "/v1/admin/api_keys",
            admin,
            null,
            new JsonObject().put("name", "bad").put("scopes", new JsonArray().add("root"))),
        400,
        "validation_failed",
        null);
    assertNoSecretsSeen(List.of(key, expiring));
  }

  @Test
  @DisplayName(
      "a roll returns a new secret; the old one works within the grace period and not after it")
  void rollWithGracePeriod() throws Exception {
    JsonObject created = create("rolling", List.of("admin:read"), null);
    String id = created.getString("id");
    String old = created.getString("key");
    assertThat(request("admin:read", old).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> rolled =
        api.post(
            "/v1/admin/api_keys/" + id + "/roll",
            admin,
            null,
            new JsonObject().put("grace_ms", 4_000));
    assertThat(rolled.statusCode()).as(rolled.bodyAsString()).isEqualTo(200);
    String fresh = rolled.bodyAsJsonObject().getString("key");
    assertThat(fresh).startsWith("kpk_" + id + "_").isNotEqualTo(old);
    assertThat(rolled.bodyAsJsonObject().getString("previous_key_expires_at")).isNotNull();

    assertThat(request("admin:read", fresh).statusCode()).isEqualTo(200);
    assertThat(request("admin:read", old).statusCode())
        .as("within the grace period")
        .isEqualTo(200);
    Poll.until(
        Duration.ofSeconds(20),
        "the old secret is refused after the grace period",
        () -> {
          try {
            return request("admin:read", old).statusCode() == 401;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    assertThat(request("admin:read", fresh).statusCode()).isEqualTo(200);

    // Without a grace period the previous secret stops at once.
    HttpResponse<Buffer> again =
        api.post(
            "/v1/admin/api_keys/" + id + "/roll", admin, null, new JsonObject().put("grace_ms", 0));
    assertThat(again.statusCode()).isEqualTo(200);
    String newest = again.bodyAsJsonObject().getString("key");
    assertProblem(request("admin:read", fresh), 401, "unauthorized", null);
    assertThat(request("admin:read", newest).statusCode()).isEqualTo(200);

    assertProblem(
        api.post(
            "/v1/admin/api_keys/" + id + "/roll",
            admin,
            null,
            new JsonObject().put("grace_ms", -1)),
        400,
        "validation_failed",
        null);
    seen.add(api.delete("/v1/admin/api_keys/" + id, admin, null));
    assertProblem(
        api.post(
            "/v1/admin/api_keys/" + id + "/roll", admin, null, new JsonObject().put("grace_ms", 0)),
        404,
        "not_found",
        null);
    assertNoSecretsSeen(List.of(old, fresh, newest));
  }

  @Test
  @DisplayName(
      "a key's secret is in no log line and in no response but its creation's and its roll's;"
          + " the list shows last_used_at")
  void secretsStayOutOfLogsAndResponses() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    List<String> keys = new ArrayList<>();
    try {
      System.setOut(new PrintStream(new Tee(out, captured), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new Tee(err, captured), true, StandardCharsets.UTF_8));
      LoggerFactory.getLogger(ApiKeysTest.class).warn("capture-marker");

      JsonObject created = create("logged?", List.of("admin:read", "users:write"), null);
      String id = created.getString("id");
      keys.add(created.getString("key"));
      assertThat(request("admin:read", keys.get(0)).statusCode()).isEqualTo(200);
      request("admin:write", keys.get(0)); // 403
      request("users:write", keys.get(0)); // a charge without funds: 402
      walletsOf(keys.get(0), null); // 400 without Kopek-User
      request("admin:read", keys.get(0) + "x"); // 401
      HttpResponse<Buffer> rolled =
          api.post(
              "/v1/admin/api_keys/" + id + "/roll",
              admin,
              null,
              new JsonObject().put("grace_ms", 0));
      keys.add(rolled.bodyAsJsonObject().getString("key"));
      request("admin:read", keys.get(0)); // 401: rolled away
      assertThat(request("admin:read", keys.get(1)).statusCode()).isEqualTo(200);
      seen.add(api.delete("/v1/admin/api_keys/" + id, admin, null));
      request("admin:read", keys.get(1)); // 401: revoked

      HttpResponse<Buffer> list = api.get("/v1/admin/api_keys", admin);
      seen.add(list);
      JsonObject listed =
          list.bodyAsJsonObject().getJsonArray("data").stream()
              .map(JsonObject.class::cast)
              .filter(key -> key.getString("id").equals(id))
              .findFirst()
              .orElseThrow();
      assertThat(listed.getString("last_used_at")).isNotNull();
      assertThat(listed.getString("revoked_at")).isNotNull();
      assertThat(listed.getJsonArray("scopes")).containsExactly("admin:read", "users:write");
      assertThat(listed.containsKey("key")).isFalse();
      seen.add(api.get("/v1/admin/audit?limit=100", admin));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs).contains("capture-marker");
    for (String key : keys) {
      String secret = key.substring(key.length() - 43);
      assertThat(logs).doesNotContain(secret);
    }
    assertNoSecretsSeen(keys);
  }

  @Test
  @DisplayName(
      "another process on the same database, outside any cluster, refuses a revoked key within"
          + " access.key_cache_ms")
  void revocationElsewhereWithinTheCacheBound() throws Exception {
    long cacheMs = 1_500;
    io.vertx.core.Vertx other = io.vertx.core.Vertx.vertx();
    try {
      JsonObject config = ApiFixture.config(api.database);
      config.put("access", new JsonObject().put("key_cache_ms", cacheMs));
      io.vertx.core.DeploymentOptions options =
          new io.vertx.core.DeploymentOptions().setConfig(config);
      other
          .deployVerticle(new dev.kopek.ledger.LedgerVerticle(), options)
          .await(60, TimeUnit.SECONDS);
      other
          .deployVerticle(new dev.kopek.access.AccessVerticle(), options)
          .await(60, TimeUnit.SECONDS);
      HttpVerticle http = new HttpVerticle();
      other.deployVerticle(http, options).await(60, TimeUnit.SECONDS);
      io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(other);
      JsonObject created = create("elsewhere", List.of("admin:read"), null);
      String key = created.getString("key");
      java.util.function.Supplier<Integer> readThere =
          () ->
              client
                  .get(http.actualPort(), "127.0.0.1", "/v1/admin/transactions")
                  .bearerTokenAuthentication(key)
                  .send()
                  .await()
                  .statusCode();
      assertThat(readThere.get()).isEqualTo(200);

      HttpResponse<Buffer> revoked =
          api.delete("/v1/admin/api_keys/" + created.getString("id"), admin, null);
      assertThat(revoked.statusCode()).isEqualTo(200);
      long revokedAt = System.nanoTime();
      // Here at once; there once its memory of the key runs out.
      assertThat(request("admin:read", key).statusCode()).isEqualTo(401);
      Poll.until(
          Duration.ofSeconds(20),
          "the other process refuses the key",
          () -> readThere.get() == 401);
      assertThat(Duration.ofNanos(System.nanoTime() - revokedAt).toMillis())
          .isLessThan(cacheMs + 1_000);
    } finally {
      other.close().await(60, TimeUnit.SECONDS);
    }
  }

  /** No response seen (creations and rolls are not kept) carries any of {@code keys}' secrets. */
  private void assertNoSecretsSeen(List<String> keys) {
    for (HttpResponse<Buffer> response : seen) {
      String all = response.headers().toString() + response.bodyAsString();
      for (String key : keys) {
        String secret = key.substring(key.length() - 43);
        assertThat(all).as("a response carried a key's secret").doesNotContain(secret);
      }
    }
  }

  /** Writes to both streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
