package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Production mode")
@Timeout(120)
class ProductionModeTest {

  private static final String SECRET = "a-production-secret-of-more-than-32-bytes-0123456789";

  static final String SANDBOX =
      "payments.gateways.sandbox.enabled is true in production mode: the sandbox takes test "
          + "cards as payment; set it false and enable a real provider";
  static final String TEST_CLOCK =
      "billing.test_clock (KOPEK_BILLING_TEST_CLOCK) is true in production mode: any "
          + "administrator could move billing's clock; set it false";
  static final String GENERATED_SECRET =
      "auth.jwt_secret (KOPEK_JWT_SECRET) is empty in production mode, so a generated secret "
          + "would sign tokens; set one (openssl rand -base64 48), or auth.public_key_pem / "
          + "auth.jwks_url (KOPEK_JWT_JWKS_URL) for your identity provider's tokens";
  static final String SHORT_SECRET =
      "auth.jwt_secret (KOPEK_JWT_SECRET) is shorter than 32 bytes; generate one with: openssl "
          + "rand -base64 48";
  static final String PLAIN_JWKS =
      "auth.jwks_url (KOPEK_JWT_JWKS_URL) is plain http in production mode: whoever is on the "
          + "network path could hand Kopek signing keys of their own; use https";
  static final String PUBLIC_METRICS =
      "metrics.enabled is true but management.enabled is false: production mode does not serve "
          + "/metrics on the public listener; set management.enabled: true (served on "
          + "management.host:management.port) or metrics.enabled: false";
  static final String PLAIN_HOST =
      "http.host (KOPEK_HTTP_HOST) 0.0.0.0 is not a loopback address and has no TLS in "
          + "production mode: set http.tls.cert_pem and http.tls.key_pem (KOPEK_TLS_CERT, "
          + "KOPEK_TLS_KEY), or http.behind_proxy: true (KOPEK_HTTP_BEHIND_PROXY) when a TLS proxy "
          + "is in front";
  static final String PRIVATE_TARGETS =
      "webhooks.allow_private_targets (KOPEK_WEBHOOKS_ALLOW_PRIVATE_TARGETS) is true in "
          + "production mode: webhook URLs could reach Kopek's own network; set it false";

  @TempDir Path temp;

  private Path dataDir;
  private Map<String, String> env;

  @BeforeEach
  void environment() {
    dataDir = temp.resolve("data");
    env = new HashMap<>(Map.of("KOPEK_DATA_DIR", dataDir.toString(), "KOPEK_HTTP_PORT", "0"));
  }

  /**
   * A configuration production mode accepts: Stripe instead of the sandbox (pointed at a port where
   * nothing answers: nothing here calls it), a secret of its own, metrics on the management
   * listener.
   */
  static JsonObject safe(int managementPort) {
    return new JsonObject()
        .put("mode", "production")
        .put("auth", new JsonObject().put("jwt_secret", SECRET))
        .put(
            "payments",
            new JsonObject()
                .put("default_gateway", "stripe")
                .put(
                    "gateways",
                    new JsonObject()
                        .put("sandbox", new JsonObject().put("enabled", false))
                        .put(
                            "stripe",
                            new JsonObject()
                                .put("enabled", true)
                                .put("secret_key", "sk_test_production_mode")
                                .put("webhook_secret", "whsec_production_mode")
                                .put("publishable_key", "pk_test_production_mode")
                                .put("api_base", "http://127.0.0.1:9"))))
        .put(
            "management",
            new JsonObject()
                .put("enabled", true)
                .put("host", "127.0.0.1")
                .put("port", managementPort));
  }

  static Stream<Arguments> unsafeSettings() {
    return Stream.of(
        unsafe("the sandbox provider", c -> sandbox(c, true), Map.of(), SANDBOX),
        unsafe(
            "the billing test clock",
            c -> {},
            Map.of("KOPEK_BILLING_TEST_CLOCK", "true"),
            TEST_CLOCK),
        unsafe(
            "a generated JWT secret",
            c -> c.getJsonObject("auth").put("jwt_secret", ""),
            Map.of(),
            GENERATED_SECRET),
        unsafe(
            "an HS256 secret of 31 bytes",
            c -> {},
            Map.of("KOPEK_JWT_SECRET", "s".repeat(31)),
            SHORT_SECRET),
        unsafe(
            "a key set fetched over plain http",
            c -> {},
            Map.of("KOPEK_JWT_JWKS_URL", "http://id.example/.well-known/jwks.json"),
            PLAIN_JWKS),
        unsafe(
            "/metrics on the public listener",
            c -> c.getJsonObject("management").put("enabled", false),
            Map.of(),
            PUBLIC_METRICS),
        unsafe(
            "http.host 0.0.0.0 without TLS",
            c -> {},
            Map.of("KOPEK_HTTP_HOST", "0.0.0.0"),
            PLAIN_HOST),
        unsafe(
            "webhooks to private addresses",
            c -> {},
            Map.of("KOPEK_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true"),
            PRIVATE_TARGETS));
  }

  private static Arguments unsafe(
      String name, Consumer<JsonObject> change, Map<String, String> environment, String line) {
    return Arguments.of(name, change, environment, line);
  }

  private static void sandbox(JsonObject config, boolean enabled) {
    config
        .getJsonObject("payments")
        .getJsonObject("gateways")
        .getJsonObject("sandbox")
        .put("enabled", enabled);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsafeSettings")
  @DisplayName("each unsafe setting alone stops start-up with exit code 2 and one line naming it")
  void eachUnsafeSettingRefused(
      String name, Consumer<JsonObject> change, Map<String, String> environment, String line)
      throws IOException {
    JsonObject config = safe(9090);
    change.accept(config);
    env.putAll(environment);

    Cli.Result result = Cli.run(env, "--config", write(config).toString());

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).isEqualTo("kopek: cannot start: " + line + "\n");
    assertThat(result.out()).isEmpty();
    assertThat(dataDir).doesNotExist();
  }

  @Test
  @DisplayName(
      "the one-command defaults with KOPEK_MODE=production: every unsafe setting is reported, one"
          + " line each, before exit code 2")
  void defaultsRefusedAllAtOnce() {
    env.put("KOPEK_MODE", "production");
    env.put("KOPEK_HTTP_HOST", "0.0.0.0");
    env.put("KOPEK_BILLING_TEST_CLOCK", "true");
    env.put("KOPEK_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");

    Cli.Result result = Cli.run(env);

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().lines().toList())
        .containsExactly(
            Stream.of(
                    SANDBOX,
                    TEST_CLOCK,
                    GENERATED_SECRET,
                    PUBLIC_METRICS,
                    PLAIN_HOST,
                    PRIVATE_TARGETS)
                .map(line -> "kopek: cannot start: " + line)
                .toArray(String[]::new));
    assertThat(dataDir).doesNotExist();
  }

  @Test
  @DisplayName("KOPEK_MODE=staging stops start-up naming mode")
  void unknownMode() {
    env.put("KOPEK_MODE", "staging");

    Cli.Result result = Cli.run(env);

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "kopek: cannot start: mode (KOPEK_MODE) must be development or production, was "
                + "\"staging\"\n");
  }

  @Test
  @DisplayName(
      "production accepts a non-loopback host behind a TLS proxy, and an identity provider's keys"
          + " instead of a secret")
  void behindProxyAndIdentityProvider() throws Exception {
    JsonObject config = Main.loadConfig(write(safe(9090)), Map.of());
    config.getJsonObject("http").put("host", "0.0.0.0").put("behind_proxy", true);
    config
        .getJsonObject("auth")
        .put("jwt_secret", "")
        .put("jwks_url", "https://id.example/.well-known/jwks.json");
    assertThat(Mode.productionProblems(config)).isEmpty();
    assertThat(Mode.loopback("127.0.0.1")).isTrue();
    assertThat(Mode.loopback("::1")).isTrue();
    assertThat(Mode.loopback("localhost")).isTrue();
    assertThat(Mode.loopback("0.0.0.0")).isFalse();
    assertThat(Mode.loopback("10.0.0.5")).isFalse();
    assertThat(Mode.loopback("api.example.com")).isFalse();
  }

  @Test
  @DisplayName(
      "a safe production configuration starts; /metrics is served on the management listener and"
          + " not on the public one")
  void safeConfigurationStarts() throws Exception {
    int managementPort = freePort();
    Map<String, String> environment = new HashMap<>(env);
    environment.put("KOPEK_DB_URL", TestDatabase.url(TestDatabase.create()));
    Kopek kopek = Kopek.start(Main.loadConfig(write(safe(managementPort)), environment));
    Vertx vertx = Vertx.vertx();
    try {
      WebClient client = WebClient.create(vertx);
      HttpResponse<Buffer> health =
          client.get(kopek.httpPort(), "127.0.0.1", "/health").send().await(30, TimeUnit.SECONDS);
      assertThat(health.statusCode()).isEqualTo(200);
      HttpResponse<Buffer> publicMetrics =
          client.get(kopek.httpPort(), "127.0.0.1", "/metrics").send().await(30, TimeUnit.SECONDS);
      assertThat(publicMetrics.statusCode()).isEqualTo(404);
      assertThat(publicMetrics.getHeader("Content-Type")).isEqualTo("application/problem+json");
      HttpResponse<Buffer> metrics =
          client.get(managementPort, "127.0.0.1", "/metrics").send().await(30, TimeUnit.SECONDS);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.bodyAsString()).contains("vertx_http_server_requests_total");
      // Nothing was generated: the configured secret signs tokens.
      assertThat(dataDir.resolve(JwtSecrets.FILE_NAME)).doesNotExist();
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      kopek.stop();
    }
  }

  @Test
  @DisplayName(
      "production with only the identity provider's key set (KOPEK_JWT_JWKS_URL): starts without"
          + " generating a secret, takes the provider's RS256 tokens and refuses HS256 ones")
  void identityProviderOnly() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    java.security.KeyPair pair = generator.generateKeyPair();
    java.security.interfaces.RSAPublicKey publicKey =
        (java.security.interfaces.RSAPublicKey) pair.getPublic();
    JsonObject jwks =
        new JsonObject()
            .put(
                "keys",
                new io.vertx.core.json.JsonArray()
                    .add(
                        new JsonObject()
                            .put("kty", "RSA")
                            .put("kid", "idp-1")
                            .put("n", base64Url(publicKey.getModulus()))
                            .put("e", base64Url(publicKey.getPublicExponent()))));
    Vertx vertx = Vertx.vertx();
    Kopek kopek = null;
    try {
      io.vertx.core.http.HttpServer idp =
          vertx
              .createHttpServer()
              .requestHandler(request -> request.response().end(jwks.encode()))
              .listen(0, "127.0.0.1")
              .await(30, TimeUnit.SECONDS);
      JsonObject config = safe(freePort());
      config.getJsonObject("auth").put("jwt_secret", "");
      Map<String, String> environment = new HashMap<>(env);
      environment.put("KOPEK_DB_URL", TestDatabase.url(TestDatabase.create()));
      environment.put("KOPEK_JWT_JWKS_URL", "http://127.0.0.1:" + idp.actualPort() + "/jwks.json");
      kopek = Kopek.start(Main.loadConfig(write(config), environment));

      String signed =
          io.vertx.ext.auth.jwt.JWTAuth.create(
                  vertx,
                  new io.vertx.ext.auth.jwt.JWTAuthOptions()
                      .addPubSecKey(
                          new io.vertx.ext.auth.PubSecKeyOptions()
                              .setAlgorithm("RS256")
                              .setId("idp-1")
                              .setBuffer(
                                  SelfSigned.pem("PRIVATE KEY", pair.getPrivate().getEncoded()))))
              .generateToken(
                  new JsonObject().put("sub", "alice"),
                  new io.vertx.ext.auth.JWTOptions().setAlgorithm("RS256").setExpiresInMinutes(5));
      WebClient client = WebClient.create(vertx);
      HttpResponse<Buffer> accepted =
          client
              .get(kopek.httpPort(), "127.0.0.1", "/v1/wallets")
              .bearerTokenAuthentication(signed)
              .send()
              .await(30, TimeUnit.SECONDS);
      assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(200);
      HttpResponse<Buffer> hs256 =
          client
              .get(kopek.httpPort(), "127.0.0.1", "/v1/wallets")
              .bearerTokenAuthentication(dev.kopek.testkit.Tokens.standard(vertx).user("alice"))
              .send()
              .await(30, TimeUnit.SECONDS);
      assertThat(hs256.statusCode()).isEqualTo(401);
      assertThat(dataDir.resolve(JwtSecrets.FILE_NAME)).doesNotExist();
    } finally {
      if (kopek != null) {
        kopek.stop();
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static String base64Url(java.math.BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Test
  @DisplayName("development, the default, says so at start")
  void developmentSaysSo() throws Exception {
    try (KopekProcess process =
        KopekProcess.start(
            dataDir,
            temp.resolve("work"),
            Map.of("KOPEK_DB_URL", TestDatabase.url(TestDatabase.create())))) {
      process.awaitServing(Duration.ofSeconds(60));
      assertThat(process.log())
          .contains(
              "Development mode: settings unsafe in production (the sandbox provider, a "
                  + "generated token secret, /metrics on the public listener, the test clock) are "
                  + "allowed. Run production with mode: production (KOPEK_MODE=production), which "
                  + "refuses them");
      process.terminate();
      assertThat(process.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  private Path write(JsonObject config) throws IOException {
    // YAML is a superset of JSON.
    Path file = Files.createTempFile(temp, "kopek-", ".yaml");
    Files.writeString(file, config.encodePrettily(), StandardCharsets.UTF_8);
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
