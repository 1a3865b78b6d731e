package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Tokens from the merchant's identity provider (RS256, ES256, JWKS)")
@Timeout(90)
class IdentityProviderTokensTest {

  /** The identity provider's key set, served on a loopback port. */
  private static Vertx idp;

  private static HttpServer jwksServer;
  private static final AtomicReference<JsonArray> published = new AtomicReference<>();
  private static final AtomicInteger jwksRequests = new AtomicInteger();

  private static ApiFixture api;

  private static KeyPair rsa1;
  private static KeyPair ec1;

  @BeforeAll
  static void start() throws Exception {
    rsa1 = rsa();
    ec1 = ec();
    published.set(new JsonArray().add(jwk(rsa1, "rsa-1")).add(jwk(ec1, "ec-1")));
    idp = Vertx.vertx();
    jwksServer =
        idp.createHttpServer()
            .requestHandler(
                request -> {
                  jwksRequests.incrementAndGet();
                  request
                      .response()
                      .putHeader("Content-Type", "application/json")
                      .end(new JsonObject().put("keys", published.get()).encode());
                })
            .listen(0, "127.0.0.1")
            .await(30, TimeUnit.SECONDS);
    api =
        ApiFixture.start(
            config ->
                config
                    .getJsonObject("auth")
                    .put("jwks_url", jwksUrl())
                    .put("jwks_min_refresh_ms", 0));
    api.credit("alice", 1000, "USD");
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
    if (idp != null) {
      idp.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static String jwksUrl() {
    return "http://127.0.0.1:" + jwksServer.actualPort() + "/.well-known/jwks.json";
  }

  @Test
  @DisplayName("RS256 and ES256 tokens signed with keys of the JWKS are accepted")
  void rs256AndEs256Accepted() throws Exception {
    assertBalance(api, sign(rsa1, "RS256", "rsa-1", "alice"), 1000);
    assertBalance(api, sign(ec1, "ES256", "ec-1", "alice"), 1000);
    // HS256 with the configured secret stays.
    assertBalance(api, api.tokens.user("alice"), 1000);
  }

  @Test
  @DisplayName("a token signed by a key the JWKS does not have is refused, whatever kid it names")
  void unknownKeyRefused() throws Exception {
    KeyPair rogue = rsa();
    assertUnauthorized(api, sign(rogue, "RS256", "rogue", "alice"));
    assertUnauthorized(api, sign(rogue, "RS256", "rsa-1", "alice"));
    assertUnauthorized(api, sign(ec(), "ES256", "ec-1", "alice"));
  }

  @Test
  @DisplayName(
      "keys rotated at the JWKS are picked up at the first token naming a new kid; withdrawn keys"
          + " stop working")
  void rotationPickedUp() throws Exception {
    KeyPair rsa2 = rsa();
    KeyPair ec2 = ec();
    String before = sign(rsa1, "RS256", "rsa-1", "alice");
    assertBalance(api, before, 1000);
    JsonArray original = published.get();
    try {
      published.set(new JsonArray().add(jwk(rsa2, "rsa-2")).add(jwk(ec2, "ec-2")));

      assertBalance(api, sign(rsa2, "RS256", "rsa-2", "alice"), 1000);
      assertBalance(api, sign(ec2, "ES256", "ec-2", "alice"), 1000);
      // rsa-1 left the set: a token signed with it, even one accepted before, is refused now.
      assertUnauthorized(api, sign(rsa1, "RS256", "rsa-1", "alice"));
      assertUnauthorized(api, before);
    } finally {
      published.set(original);
    }
    // Back again once the set has it again (a new key id prompts the fetch).
    assertBalance(api, sign(ec1, "ES256", "ec-1", "alice"), 1000);
  }

  @Test
  @DisplayName("alg none is refused, with or without a signature part, and with a kid of the JWKS")
  void unsignedRefused() throws Exception {
    long exp = System.currentTimeMillis() / 1000 + 3600;
    String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}");
    String payload = base64Url("{\"user_id\":\"alice\",\"roles\":[\"admin\"],\"exp\":" + exp + "}");
    assertUnauthorized(api, header + "." + payload + ".");
    assertUnauthorized(api, header + "." + payload);
    assertUnauthorized(api, header + "." + payload + ".c2ln");
  }

  @Test
  @DisplayName(
      "HS256 tokens HMAC-signed with the identity provider's public key (algorithm confusion) are"
          + " refused")
  void algorithmConfusionRefused() throws Exception {
    String pem = pem("PUBLIC KEY", rsa1.getPublic().getEncoded());
    JsonObject jwkText = jwk(rsa1, "rsa-1");
    for (String kid : new String[] {"rsa-1", null}) {
      assertUnauthorized(api, hmac(pem.getBytes(StandardCharsets.US_ASCII), kid));
      assertUnauthorized(api, hmac(jwkText.encode().getBytes(StandardCharsets.UTF_8), kid));
      assertUnauthorized(api, hmac(rsa1.getPublic().getEncoded(), kid));
    }
  }

  @Test
  @DisplayName(
      "auth.public_key_pem: RS256 tokens of that key are accepted, foreign and confused ones"
          + " refused, iss and aud checked, and HS256 is off without a secret")
  void publicKeyPem() throws Exception {
    String pem = pem("PUBLIC KEY", rsa1.getPublic().getEncoded());
    JsonObject config = ApiFixture.config(api.database);
    config
        .getJsonObject("auth")
        .put("jwt_secret", "")
        .put("public_key_pem", pem)
        .put("issuer", "https://id.example")
        .put("audience", "kopek");
    config.getJsonObject("http").put("port", ConnectionTimeoutsTest.freePort());
    HttpVerticle strict = deploy(config);
    try {
      JWTOptions good = new JWTOptions().setIssuer("https://id.example").addAudience("kopek");
      assertThat(status(strict, sign(rsa1, "RS256", null, "alice", good))).isEqualTo(200);
      assertThat(status(strict, sign(rsa1, "RS256", "any", "alice", good))).isEqualTo(200);
      assertThat(status(strict, sign(rsa(), "RS256", null, "alice", good))).isEqualTo(401);
      assertThat(status(strict, sign(rsa1, "RS256", null, "alice", new JWTOptions())))
          .isEqualTo(401);
      assertThat(
              status(
                  strict,
                  sign(
                      rsa1,
                      "RS256",
                      null,
                      "alice",
                      new JWTOptions().setIssuer("https://evil.example").addAudience("kopek"))))
          .isEqualTo(401);
      assertThat(
              status(
                  strict,
                  sign(
                      rsa1,
                      "RS256",
                      null,
                      "alice",
                      new JWTOptions().setIssuer("https://id.example").addAudience("other"))))
          .isEqualTo(401);
      assertThat(status(strict, hmac(pem.getBytes(StandardCharsets.US_ASCII), null)))
          .isEqualTo(401);
      // No auth.jwt_secret: HS256 is not accepted at all, not even with the old test secret.
      assertThat(status(strict, api.tokens.user("alice"))).isEqualTo(401);
    } finally {
      api.vertx.undeploy(deploymentOf(strict)).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "fetches prompted by unknown kids are rate-limited (auth.jwks_min_refresh_ms); a fetch"
          + " after the interval picks the new key up")
  void refreshesRateLimited() throws Exception {
    JsonObject config = ApiFixture.config(api.database);
    config.getJsonObject("auth").put("jwks_url", jwksUrl()).put("jwks_min_refresh_ms", 3_000);
    config.getJsonObject("http").put("port", ConnectionTimeoutsTest.freePort());
    KeyPair rogue = rsa();
    KeyPair rsa3 = rsa();
    int before = jwksRequests.get();
    long started = System.nanoTime(); // before the fetch at start: the interval runs from then
    HttpVerticle limited = deploy(config);
    try {
      assertThat(jwksRequests.get() - before).as("the fetch at start").isEqualTo(1);
      for (int i = 0; i < 5; i++) {
        assertThat(status(limited, sign(rogue, "RS256", "made-up-" + i, "alice"))).isEqualTo(401);
      }
      JsonArray original = published.get();
      try {
        published.set(original.copy().add(jwk(rsa3, "rsa-3")));
        String token = sign(rsa3, "RS256", "rsa-3", "alice");
        if ((System.nanoTime() - started) / 1_000_000 < 2_500) {
          // Within the interval: the set is not fetched again, the new key is not known yet.
          assertThat(status(limited, token)).isEqualTo(401);
          assertThat(jwksRequests.get() - before).isEqualTo(1);
        }
        dev.kopek.testkit.Poll.until(
            java.time.Duration.ofSeconds(20),
            "the token of the new key to be accepted",
            () -> status(limited, token) == 200);
        // One fetch per interval at most: the start, then the one that found rsa-3.
        assertThat(jwksRequests.get() - before).isBetween(2, 3);
      } finally {
        published.set(original);
      }
    } finally {
      api.vertx.undeploy(deploymentOf(limited)).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "the key set is the process's: four HTTP event loops fetch it once at start, and tokens"
          + " with unknown kids on all of them prompt one fetch per interval between them")
  void keySetSharedByEventLoops() throws Exception {
    JsonObject config = ApiFixture.config(api.database);
    config.getJsonObject("auth").put("jwks_url", jwksUrl()).put("jwks_min_refresh_ms", 5_000);
    int port = ConnectionTimeoutsTest.freePort();
    config.getJsonObject("http").put("port", port);
    int before = jwksRequests.get();
    java.util.List<HttpVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
    String id =
        api.vertx
            .deployVerticle(
                () -> {
                  HttpVerticle instance = new HttpVerticle();
                  instances.add(instance);
                  return instance;
                },
                new DeploymentOptions().setConfig(config).setInstances(4))
            .await(60, TimeUnit.SECONDS);
    try {
      assertThat(instances).hasSize(4);
      assertThat(jwksRequests.get() - before).as("fetches at start").isEqualTo(1);
      KeyPair rogue = rsa();
      // Past the interval that the fetch at start opened: the next unknown kid may prompt one.
      Thread.sleep(5_100);
      long loopStarted = System.nanoTime();
      // Fresh connections, spread over the four instances' event loops (with a key set per
      // event loop, each loop would fetch once: five in all).
      for (int i = 0; i < 12; i++) {
        io.vertx.ext.web.client.WebClient fresh = io.vertx.ext.web.client.WebClient.create(idp);
        try {
          HttpResponse<Buffer> response =
              fresh
                  .get(port, "127.0.0.1", "/v1/wallets/USD")
                  .bearerTokenAuthentication(sign(rogue, "RS256", "made-up-" + i, "alice"))
                  .send()
                  .await(60, TimeUnit.SECONDS);
          assertThat(response.statusCode()).isEqualTo(401);
          assertThat(
                  fresh
                      .get(port, "127.0.0.1", "/v1/wallets/USD")
                      .bearerTokenAuthentication(sign(rsa1, "RS256", "rsa-1", "alice"))
                      .send()
                      .await(60, TimeUnit.SECONDS)
                      .statusCode())
              .isEqualTo(200);
        } finally {
          fresh.close();
        }
      }
      // One prompted fetch per 5 s interval between all four event loops (a loop that ran longer
      // than an interval may prompt one more).
      long intervals = (System.nanoTime() - loopStarted) / 5_000_000_000L;
      assertThat(jwksRequests.get() - before)
          .as("fetches in all")
          .isBetween(2, 2 + (int) intervals);
    } finally {
      api.vertx.undeploy(id).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName(
      "a key set unreachable at start does not stop the API: its tokens get 503 with Retry-After"
          + " (nobody can tell yet whether they are good) until it answers, then they are"
          + " accepted; an unsigned token is still 401")
  void keySetUnreachableAtStart() throws Exception {
    int port = ConnectionTimeoutsTest.freePort();
    JsonObject config = ApiFixture.config(api.database);
    config
        .getJsonObject("auth")
        .put("jwt_secret", "")
        .put("jwks_url", "http://127.0.0.1:" + port + "/jwks.json")
        .put("jwks_min_refresh_ms", 0);
    config.getJsonObject("http").put("port", ConnectionTimeoutsTest.freePort());
    HttpVerticle late = deploy(config);
    HttpServer server = null;
    try {
      String token = sign(rsa1, "RS256", "rsa-1", "alice");
      HttpResponse<Buffer> early = request(late, token);
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(early.getHeader("Retry-After")).isEqualTo("2");
      assertThat(early.bodyAsJsonObject().getString("detail")).contains("auth.jwks_url");
      assertThat(status(late, unsigned("alice"))).isEqualTo(401);
      server =
          idp.createHttpServer()
              .requestHandler(
                  request ->
                      request
                          .response()
                          .end(new JsonObject().put("keys", published.get()).encode()))
              .listen(port, "127.0.0.1")
              .await(30, TimeUnit.SECONDS);
      assertThat(status(late, token)).isEqualTo(200);
    } finally {
      if (server != null) {
        server.close().await(30, TimeUnit.SECONDS);
      }
      api.vertx.undeploy(deploymentOf(late)).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("unusable auth settings stop the verticle naming the key")
  void invalidSettings() {
    JsonObject config = ApiFixture.config(api.database);
    config
        .getJsonObject("auth")
        .put("public_key_pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenKeys.from(config))
        .hasMessageContaining("auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY) must hold a PUBLIC KEY");
    config.getJsonObject("auth").put("public_key_pem", "").put("jwks_url", "ftp://x");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenKeys.from(config))
        .hasMessageContaining("auth.jwks_url (KOPEK_JWT_JWKS_URL) must be an http(s) URL");
    config.getJsonObject("auth").put("jwks_url", "").put("jwt_secret", "");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenKeys.from(config))
        .hasMessageStartingWith("auth.jwt_secret (KOPEK_JWT_SECRET), auth.public_key_pem");
  }

  @Test
  @DisplayName(
      "auth.public_key_pem takes PEM text or a file: RSA of 2048 bits is RS256, EC P-256 is"
          + " ES256; other curves and short RSA keys are refused")
  void publicKeyAlgorithms() throws Exception {
    assertThat(TokenKeys.publicKey(pem("PUBLIC KEY", rsa1.getPublic().getEncoded())).getAlgorithm())
        .isEqualTo("RS256");
    assertThat(TokenKeys.publicKey(pem("PUBLIC KEY", ec1.getPublic().getEncoded())).getAlgorithm())
        .isEqualTo("ES256");
    java.nio.file.Path file = java.nio.file.Files.createTempFile("kopek-idp-", ".pem");
    try {
      java.nio.file.Files.writeString(file, pem("PUBLIC KEY", ec1.getPublic().getEncoded()));
      assertThat(TokenKeys.publicKey(file.toString()).getAlgorithm()).isEqualTo("ES256");
    } finally {
      java.nio.file.Files.delete(file);
    }
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                TokenKeys.publicKey(
                    pem("PUBLIC KEY", p384.generateKeyPair().getPublic().getEncoded())))
        .hasMessageContaining("must be an RSA key (RS256) or an EC key on P-256 (ES256)");
    KeyPairGenerator rsa1024 = KeyPairGenerator.getInstance("RSA");
    rsa1024.initialize(1024);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                TokenKeys.publicKey(
                    pem("PUBLIC KEY", rsa1024.generateKeyPair().getPublic().getEncoded())))
        .hasMessageContaining("is an RSA key of 1024 bits; at least 2048 are needed");
  }

  @Test
  @DisplayName("a published symmetric (oct) key, or a key for another use or curve, is not taken")
  void onlySigningKeysTaken() {
    assertThat(Jwks.signingKey(jwk(rsa1, "rsa-1"))).isNotNull();
    assertThat(Jwks.signingKey(jwk(ec1, "ec-1")).getString("alg")).isEqualTo("ES256");
    assertThat(
            Jwks.signingKey(
                new JsonObject().put("kty", "oct").put("k", "c2VjcmV0").put("alg", "HS256")))
        .isNull();
    assertThat(Jwks.signingKey(jwk(rsa1, "rsa-1").put("use", "enc"))).isNull();
    assertThat(Jwks.signingKey(jwk(rsa1, "rsa-1").put("alg", "RS512"))).isNull();
    assertThat(Jwks.signingKey(jwk(ec1, "ec-1").put("crv", "P-384"))).isNull();
    // Only the public parts are kept.
    assertThat(Jwks.signingKey(jwk(rsa1, "rsa-1").put("d", "AQAB")).containsKey("d")).isFalse();
  }

  // ---------------------------------------------------------------------------------------------

  private static HttpVerticle deploy(JsonObject config) throws Exception {
    HttpVerticle verticle = new HttpVerticle();
    String id =
        api.vertx
            .deployVerticle(verticle, new DeploymentOptions().setConfig(config))
            .await(60, TimeUnit.SECONDS);
    DEPLOYMENTS.put(verticle, id);
    return verticle;
  }

  private static final java.util.Map<HttpVerticle, String> DEPLOYMENTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static String deploymentOf(HttpVerticle verticle) {
    return DEPLOYMENTS.remove(verticle);
  }

  private static HttpResponse<Buffer> request(HttpVerticle verticle, String token)
      throws Exception {
    return api.client
        .get(verticle.actualPort(), "127.0.0.1", "/v1/wallets/USD")
        .bearerTokenAuthentication(token)
        .send()
        .await(60, TimeUnit.SECONDS);
  }

  /** An {@code alg: none} token for {@code user}. */
  private static String unsigned(String user) {
    long exp = System.currentTimeMillis() / 1000 + 3600;
    return base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}")
        + "."
        + base64Url("{\"user_id\":\"" + user + "\",\"exp\":" + exp + "}")
        + ".";
  }

  private static int status(HttpVerticle verticle, String token) {
    HttpResponse<Buffer> response;
    try {
      response =
          api.client
              .get(verticle.actualPort(), "127.0.0.1", "/v1/wallets/USD")
              .bearerTokenAuthentication(token)
              .send()
              .await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within 60 s", e);
    }
    if (response.statusCode() == 401) {
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    }
    return response.statusCode();
  }

  private static void assertBalance(ApiFixture api, String token, long balance) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/wallets/USD", token);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getLong("balance_minor")).isEqualTo(balance);
  }

  private static void assertUnauthorized(ApiFixture api, String token) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/wallets", token);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(401);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("unauthorized");
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** The public half as a JWK, as an identity provider publishes it. */
  private static JsonObject jwk(KeyPair pair, String kid) {
    if (pair.getPublic() instanceof RSAPublicKey key) {
      return new JsonObject()
          .put("kty", "RSA")
          .put("use", "sig")
          .put("alg", "RS256")
          .put("kid", kid)
          .put("n", unsigned(key.getModulus(), 0))
          .put("e", unsigned(key.getPublicExponent(), 0));
    }
    ECPublicKey key = (ECPublicKey) pair.getPublic();
    return new JsonObject()
        .put("kty", "EC")
        .put("use", "sig")
        .put("crv", "P-256")
        .put("kid", kid)
        .put("x", unsigned(key.getW().getAffineX(), 32))
        .put("y", unsigned(key.getW().getAffineY(), 32));
  }

  /** Base64url of a big-endian unsigned integer, left-padded to {@code length} bytes if given. */
  private static String unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (length > bytes.length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String sign(KeyPair pair, String algorithm, String kid, String user) {
    return sign(pair, algorithm, kid, user, new JWTOptions());
  }

  /** A one-hour token signed as the identity provider signs it (with the private key). */
  private static String sign(
      KeyPair pair, String algorithm, String kid, String user, JWTOptions options) {
    PubSecKeyOptions key =
        new PubSecKeyOptions()
            .setAlgorithm(algorithm)
            .setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    if (kid != null) {
      key.setId(kid);
    }
    JWTAuth signer = JWTAuth.create(api.vertx, new JWTAuthOptions().addPubSecKey(key));
    return signer.generateToken(
        new JsonObject().put("user_id", user),
        new JWTOptions(options).setAlgorithm(algorithm).setExpiresInMinutes(60));
  }

  /** An HS256 token whose HMAC key is {@code key}: the forgery a confused verifier accepts. */
  private static String hmac(byte[] key, String kid) throws Exception {
    JsonObject header = new JsonObject().put("alg", "HS256").put("typ", "JWT");
    if (kid != null) {
      header.put("kid", kid);
    }
    String input =
        base64Url(header.encode())
            + "."
            + base64Url(
                new JsonObject()
                    .put("user_id", "alice")
                    .put("roles", new JsonArray().add("admin"))
                    .put("exp", System.currentTimeMillis() / 1000 + 3600)
                    .encode());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return input
        + "."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
