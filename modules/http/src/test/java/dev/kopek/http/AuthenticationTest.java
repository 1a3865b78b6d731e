package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.Poll;
import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Authentication and authorization")
@Timeout(60)
class AuthenticationTest {

  private static ApiFixture api;

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    api.credit("alice", 1000, "USD");
    api.credit("bob", 2000, "EUR");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static void assertUnauthorized(String token) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/wallets", token);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("unauthorized");
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject payload(String token) {
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("no token, a malformed one, or a non-bearer scheme gets 401")
  void missingOrMalformed() throws Exception {
    assertUnauthorized(null);
    assertUnauthorized("not-a-jwt");
    HttpResponse<Buffer> basic =
        api.client
            .get("/v1/wallets")
            .putHeader("Authorization", "Basic YWxpY2U6cHc=")
            .send()
            .await(60, TimeUnit.SECONDS);
    assertThat(basic.statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("an expired token gets 401")
  void expired() throws Exception {
    long past = System.currentTimeMillis() / 1000 - 3600;
    String token =
        api.tokens.custom(
            new JsonObject().put("user_id", "alice").put("iat", past - 60).put("exp", past),
            new JWTOptions().setNoTimestamp(true));
    assertUnauthorized(token);
  }

  @Test
  @DisplayName("a token accepted (and remembered as verified) is refused once it expires")
  void rememberedTokenExpires() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String token =
        api.tokens.custom(
            new JsonObject().put("user_id", "alice").put("iat", now).put("exp", now + 2),
            new JWTOptions().setNoTimestamp(true));
    assertThat(api.get("/v1/wallets", token).statusCode()).isEqualTo(200);
    assertThat(api.get("/v1/wallets", token).statusCode()).isEqualTo(200);

    Poll.until(
        Duration.ofSeconds(5),
        "the clock to pass the token's expiry",
        () -> System.currentTimeMillis() / 1000 >= now + 3);
    assertUnauthorized(token);
  }

  @Test
  @DisplayName("a correctly signed token without exp gets 401: it would never expire")
  void withoutExpiry() throws Exception {
    String token = api.tokens.custom(new JsonObject().put("user_id", "alice"), new JWTOptions());
    assertThat(payload(token).containsKey("exp")).isFalse();
    assertUnauthorized(token);
    assertUnauthorized(token); // and is not remembered as verified either
  }

  @Test
  @DisplayName("with auth.require_exp false, a signed token without exp is accepted")
  void withoutExpiryAllowed() throws Exception {
    JsonObject config = ApiFixture.config(api.database);
    config.getJsonObject("auth").put("require_exp", false);
    config.getJsonObject("http").put("port", ConnectionTimeoutsTest.freePort());
    HttpVerticle lenient = new HttpVerticle();
    api.vertx
        .deployVerticle(lenient, new io.vertx.core.DeploymentOptions().setConfig(config))
        .await(60, TimeUnit.SECONDS);
    String token = api.tokens.custom(new JsonObject().put("user_id", "alice"), new JWTOptions());
    HttpResponse<Buffer> response =
        api.client
            .get(lenient.actualPort(), "127.0.0.1", "/v1/wallets/USD")
            .bearerTokenAuthentication(token)
            .send()
            .await(60, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getLong("balance_minor")).isEqualTo(1000);
  }

  @Test
  @DisplayName("an unsigned token (alg: none) gets 401")
  void unsigned() throws Exception {
    String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String payload =
        base64Url(
            "{\"user_id\":\"alice\",\"roles\":[\"admin\"],\"exp\":"
                + (System.currentTimeMillis() / 1000 + 3600)
                + "}");
    assertUnauthorized(header + "." + payload + ".");
  }

  @Test
  @DisplayName("a token signed with another key, or with its payload edited, gets 401")
  void foreignOrTampered() throws Exception {
    assertUnauthorized(
        Tokens.signedWith(api.vertx, "another-secret-of-at-least-thirty-two-bytes").user("alice"));
    String[] parts = api.tokens.user("alice").split("\\.");
    String forged =
        parts[0]
            + "."
            + base64Url(
                "{\"user_id\":\"bob\",\"exp\":" + (System.currentTimeMillis() / 1000 + 3600) + "}")
            + "."
            + parts[2];
    assertUnauthorized(forged);
  }

  @Test
  @DisplayName("a token naming no user gets 401; sub is accepted when user_id is absent")
  void userClaim() throws Exception {
    assertUnauthorized(
        api.tokens.custom(
            new JsonObject().put("name", "nobody"), new JWTOptions().setExpiresInMinutes(5)));
    HttpResponse<Buffer> bySub =
        api.get(
            "/v1/wallets/USD",
            api.tokens.custom(
                new JsonObject().put("sub", "alice"), new JWTOptions().setExpiresInMinutes(5)));
    assertThat(bySub.statusCode()).isEqualTo(200);
    assertThat(bySub.bodyAsJsonObject().getLong("balance_minor")).isEqualTo(1000);
  }

  @Test
  @DisplayName("admin routes need the admin role: 403 without it, 200 with it")
  void adminRole() throws Exception {
    for (String path : new String[] {"/v1/admin/ledger/verify", "/v1/admin/transactions"}) {
      HttpResponse<Buffer> user = api.get(path, api.tokens.user("alice"));
      assertThat(user.statusCode()).isEqualTo(403);
      assertThat(user.bodyAsJsonObject().getString("code")).isEqualTo("forbidden");
      assertThat(api.get(path, api.tokens.admin("root")).statusCode()).isEqualTo(200);
    }
    String wrongRoles =
        api.tokens.custom(
            new JsonObject()
                .put("user_id", "alice")
                .put("roles", new JsonArray().add("administrator")),
            new JWTOptions().setExpiresInMinutes(5));
    assertThat(api.get("/v1/admin/ledger/verify", wrongRoles).statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("a user sees only their own wallets and transactions")
  void usersAreIsolated() throws Exception {
    JsonObject aliceWallets = api.get("/v1/wallets", api.tokens.user("alice")).bodyAsJsonObject();
    assertThat(aliceWallets.getJsonArray("data")).hasSize(1);
    assertThat(aliceWallets.getJsonArray("data").getJsonObject(0).getString("currency"))
        .isEqualTo("USD");
    assertThat(
            api.get("/v1/wallets/EUR", api.tokens.user("alice"))
                .bodyAsJsonObject()
                .getLong("balance_minor"))
        .isZero();
    JsonObject bobLog = api.get("/v1/transactions", api.tokens.user("bob")).bodyAsJsonObject();
    assertThat(bobLog.getJsonArray("data")).hasSize(1);
    assertThat(bobLog.getJsonArray("data").getJsonObject(0).getString("user_id")).isEqualTo("bob");
    JsonObject adminView =
        api.get("/v1/admin/transactions?user_id=alice", api.tokens.admin("root"))
            .bodyAsJsonObject();
    assertThat(adminView.getJsonArray("data")).hasSize(1);
    assertThat(
            api.get("/v1/admin/transactions", api.tokens.admin("root"))
                .bodyAsJsonObject()
                .getJsonArray("data"))
        .hasSize(2);
  }
}
