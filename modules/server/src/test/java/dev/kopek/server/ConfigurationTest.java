package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Configuration")
@Timeout(30)
class ConfigurationTest {

  @TempDir Path temp;

  private Path dataDir;
  private Map<String, String> env;

  @BeforeEach
  void environment() {
    dataDir = temp.resolve("data");
    env = new HashMap<>(Map.of("KOPEK_DATA_DIR", dataDir.toString(), "KOPEK_HTTP_PORT", "0"));
  }

  @Test
  @DisplayName(
      "KOPEK_HTTP_PORT=abc stops start-up with exit code 2, naming the variable and http.port")
  void portFromEnvironmentNotANumber() {
    env.put("KOPEK_HTTP_PORT", "abc");

    assertRefused(run(), "KOPEK_HTTP_PORT (http.port) must be an integer, was \"abc\"");
  }

  @Test
  @DisplayName(
      "a --config file with http.port \"80a\" stops start-up with exit code 2, naming http.port")
  void portFromFileNotANumber() throws IOException {
    Path file = yaml("http:\n  port: \"80a\"\n");
    env.remove("KOPEK_HTTP_PORT");

    assertRefused(run("--config", file.toString()), "http.port must be an integer, was 80a");
  }

  @Test
  @DisplayName(
      "ledger.batch_max 0 stops start-up with exit code 2, naming the key, before any database is started")
  void batchMaxZero() throws IOException {
    Path file = yaml("ledger:\n  batch_max: 0\n");

    assertRefused(
        run("run", "--config", file.toString()),
        "ledger.batch_max must be between 1 and 10000, was 0");
  }

  @Test
  @DisplayName("http.event_loops -1 stops start-up with exit code 2, naming the key")
  void eventLoopsNegative() throws IOException {
    Path file = yaml("http:\n  event_loops: -1\n");

    assertRefused(
        run("--config", file.toString()),
        "http.event_loops must be between 0 (one per core) and 64, was -1");
  }

  @Test
  @DisplayName(
      "a provider's timeout_ms not below payments.gateway_timeout_ms stops start-up with exit code 2, naming both keys")
  void providerTimeoutNotBelowGatewayTimeout() throws IOException {
    Path file =
        yaml(
            "payments:\n  gateway_timeout_ms: 8000\n  gateways:\n    stripe:\n"
                + "      enabled: true\n      timeout_ms: 8000\n");

    assertRefused(
        run("--config", file.toString()),
        "payments.gateways.stripe.timeout_ms (8000) "
            + "must be below payments.gateway_timeout_ms (8000): Kopek stops waiting for a provider "
            + "call at payments.gateway_timeout_ms, so the provider's own timeout would never fire "
            + "and its call would go on unseen; lower the one or raise the other");
  }

  @Test
  @DisplayName("a disabled provider's timeout_ms is not held against payments.gateway_timeout_ms")
  void disabledProviderTimeoutIgnored() throws Exception {
    Path file = yaml("payments:\n  gateway_timeout_ms: 5000\n");
    JsonObject config = Main.loadConfig(file, Map.of());
    // Braintree and Stripe keep their default timeout_ms of 10000, but are off.
    assertThat(
            config
                .getJsonObject("payments")
                .getJsonObject("gateways")
                .getJsonObject("stripe")
                .getInteger("timeout_ms"))
        .isEqualTo(10000);
    Timeouts.check(config);
  }

  @Test
  @DisplayName(
      "an http.idle_timeout_s shorter than the longest wait of a request stops start-up with exit code 2, naming the keys")
  void idleTimeoutShorterThanTheLongestWait() throws IOException {
    Path file = yaml("http:\n  idle_timeout_s: 20\n");

    assertRefused(
        run("--config", file.toString()),
        "http.idle_timeout_s (20 s) must be longer "
            + "than the longest a request waits for its reply (2 x payments.gateway_timeout_ms 15000 + "
            + "2 x ledger.send_timeout_ms 5000 + 2000 = 42000 ms), or the connection is closed while "
            + "it waits; raise it or lower those");
  }

  @Test
  @DisplayName("http.header_timeout_ms 0 stops start-up with exit code 2, naming the key")
  void headerTimeoutZero() throws IOException {
    Path file = yaml("http:\n  header_timeout_ms: 0\n");

    assertRefused(
        run("--config", file.toString()),
        "http.header_timeout_ms must be between 100 and 300000, was 0");
  }

  @Test
  @DisplayName("auth.require_exp \"no\" stops start-up with exit code 2, naming the key")
  void requireExpNotABoolean() throws IOException {
    Path file = yaml("auth:\n  require_exp: \"no\"\n");

    assertRefused(
        run("--config", file.toString()), "auth.require_exp must be true or false, was no");
  }

  @Test
  @DisplayName("ledger.pool_size 1 stops start-up with exit code 2, naming the key")
  void poolSizeTooSmall() throws IOException {
    Path file = yaml("ledger:\n  pool_size: 1\n");

    assertRefused(
        run("--config", file.toString()), "ledger.pool_size must be between 2 and 100, was 1");
  }

  @Test
  @DisplayName("a db.url that is not PostgreSQL stops start-up with exit code 2, naming db.url")
  void databaseUrlNotPostgres() throws IOException {
    Path file = yaml("db:\n  url: \"mysql://x\"\n");

    assertRefused(
        run("--config", file.toString()),
        "db.url (KOPEK_DB_URL) must look like "
            + "postgresql://user:password@host:5432/database, or be empty for the embedded database");
  }

  @Test
  @DisplayName(
      "db.connect_timeout_ms -1 stops start-up with exit code 2, naming the key; it "
          + "defaults to a minute")
  void connectTimeoutNegative() throws Exception {
    Path file = yaml("db:\n  connect_timeout_ms: -1\n");

    assertRefused(
        run("--config", file.toString()),
        "db.connect_timeout_ms must be between 0 and 3600000, was -1");
    assertThat(ServerConfig.from(Main.loadConfig(null, Map.of())).databaseConnectTimeoutMs())
        .isEqualTo(60_000);
  }

  @Test
  @DisplayName(
      "an auth.jwt_secret of 31 bytes stops start-up with exit code 2, naming the key and how to generate one")
  void secretTooShortInFile() throws IOException {
    Path file = yaml("auth:\n  jwt_secret: \"" + "s".repeat(31) + "\"\n");

    assertRefused(
        run("--config", file.toString()),
        "auth.jwt_secret (KOPEK_JWT_SECRET) must be "
            + "at least 32 bytes; generate one with: openssl rand -base64 48");
  }

  @Test
  @DisplayName("a KOPEK_JWT_SECRET shorter than 32 bytes stops start-up with exit code 2")
  void secretTooShortInEnvironment() {
    env.put("KOPEK_JWT_SECRET", "too-short");

    assertRefused(
        run(),
        "auth.jwt_secret (KOPEK_JWT_SECRET) must be at least 32 bytes; "
            + "generate one with: openssl rand -base64 48");
  }

  @Test
  @DisplayName("--config naming a missing file stops start-up with exit code 2, naming the file")
  void missingConfigFile() {
    Path missing = temp.resolve("nowhere.yaml");

    assertRefused(run("--config", missing.toString()), "--config " + missing + ": no such file");
  }

  @Test
  @DisplayName("KOPEK_CONFIG naming a missing file stops start-up with exit code 2")
  void missingConfigFileFromEnvironment() {
    Path missing = temp.resolve("nowhere.yaml");
    env.put("KOPEK_CONFIG", missing.toString());

    assertRefused(run(), "--config " + missing + ": no such file");
  }

  @Test
  @DisplayName(
      "a data directory written by PostgreSQL 16 stops start-up with exit code 2, naming 16 and 17")
  void dataDirectoryOfAnotherMajorVersion() throws IOException {
    Path postgres = dataDir.resolve("postgres");
    Files.createDirectories(postgres);
    Files.writeString(postgres.resolve("PG_VERSION"), "16\n");

    Cli.Result result = run();

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "kopek: cannot start: the data directory "
                + postgres
                + " was written by PostgreSQL 16 but Kopek ships PostgreSQL 17: point KOPEK_DATA_DIR at "
                + "another directory, or dump it with pg_dump 16 and restore into a new one\n");
    try (var files = Files.list(postgres)) {
      assertThat(files).containsExactly(postgres.resolve("PG_VERSION"));
    }
  }

  @Test
  @DisplayName("an unknown command exits with 2 and the usage")
  void unknownCommand() {
    Cli.Result result = run("serve");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).isEqualTo("kopek: unknown command 'serve'\n" + Main.USAGE);
    assertThat(result.out()).isEmpty();
  }

  @Test
  @DisplayName("a --config file is merged over the built-in defaults, key by key")
  void overrideMergedOverDefaults() throws Exception {
    Path file = yaml("ledger:\n  pool_size: 4\nhttp:\n  host: 0.0.0.0\n");

    JsonObject config = Main.loadConfig(file, Map.of());

    assertThat(config.getJsonObject("ledger").getInteger("pool_size")).isEqualTo(4);
    assertThat(config.getJsonObject("ledger").getInteger("batch_max")).isEqualTo(512);
    assertThat(config.getJsonObject("ledger").getInteger("send_timeout_ms")).isEqualTo(5000);
    assertThat(config.getJsonObject("http").getString("host")).isEqualTo("0.0.0.0");
    assertThat(config.getJsonObject("http").getInteger("port")).isEqualTo(8080);
    assertThat(config.getJsonObject("http").getInteger("body_limit_bytes")).isEqualTo(65536);
    assertThat(config.getJsonObject("http").getInteger("event_loops")).isEqualTo(0);
    assertThat(config.getJsonObject("db").getString("data_dir")).isEqualTo("./data");
    assertThat(config.getJsonObject("auth").getInteger("token_ttl_s")).isEqualTo(3600);
    assertThat(config.fieldNames())
        .containsExactlyInAnyOrder(
            "mode",
            "http",
            "db",
            "auth",
            "access",
            "rate_limits",
            "branding",
            "portal",
            "console",
            "ledger",
            "payments",
            "billing",
            "events",
            "webhooks",
            "alerts",
            "cluster",
            "extensions",
            "metrics",
            "management",
            "shutdown");
  }

  @Test
  @DisplayName("environment variables beat the --config file, and numbers from them stay numbers")
  void environmentBeatsFile() throws Exception {
    Path file = yaml("http:\n  port: 9000\n  host: 0.0.0.0\ndb:\n  data_dir: /from/file\n");

    JsonObject config =
        Main.loadConfig(
            file,
            Map.of(
                "KOPEK_HTTP_PORT",
                " 9100 ",
                "KOPEK_DATA_DIR",
                "/from/env",
                "KOPEK_JWT_ISSUER",
                "https://id.example"));

    assertThat(config.getJsonObject("http").getValue("port")).isEqualTo(9100);
    assertThat(config.getJsonObject("http").getString("host")).isEqualTo("0.0.0.0");
    assertThat(config.getJsonObject("db").getString("data_dir")).isEqualTo("/from/env");
    assertThat(config.getJsonObject("auth").getString("issuer")).isEqualTo("https://id.example");
    assertThat(config.getJsonObject("auth").getString("audience")).isEmpty();
  }

  @Test
  @DisplayName("KOPEK_HTTP_PORT beats a port the file quotes as a string, and becomes a number")
  void environmentPortBeatsQuotedPortInFile() throws Exception {
    Path file = yaml("http:\n  port: \"8080\"\n");

    JsonObject config = Main.loadConfig(file, Map.of("KOPEK_HTTP_PORT", "9100"));

    assertThat(config.getJsonObject("http").getValue("port")).isEqualTo(9100);
    assertThat(ServerConfig.from(config).dataDirectory()).isEqualTo(Path.of("./data"));
  }

  @Test
  @DisplayName("every environment variable overrides a documented key")
  void environmentVariablesNameDocumentedKeys() throws Exception {
    JsonObject defaults = Main.loadConfig(null, Map.of());
    ConfigLoader.ENVIRONMENT
        .values()
        .forEach(
            key -> {
              String[] path = key.split("\\.");
              JsonObject section = defaults;
              for (int i = 0; i < path.length - 1; i++) {
                section = section.getJsonObject(path[i]);
                assertThat(section).as(key).isNotNull();
              }
              assertThat(section.containsKey(path[path.length - 1]))
                  .as(key + " is in kopek.yaml")
                  .isTrue();
              assertThat(ServerConfig.typeOf(key))
                  .as(key)
                  .isIn(String.class, Integer.class, Boolean.class);
            });
    assertThat(ConfigLoader.ENVIRONMENT)
        .hasSize(35)
        .containsEntry("KOPEK_MODE", "mode")
        .containsEntry("KOPEK_JWT_JWKS_URL", "auth.jwks_url")
        .containsEntry("KOPEK_JWT_PUBLIC_KEY", "auth.public_key_pem")
        .containsEntry("KOPEK_TLS_CERT", "http.tls.cert_pem")
        .containsEntry("KOPEK_TLS_KEY", "http.tls.key_pem")
        .containsEntry("KOPEK_HTTP_BEHIND_PROXY", "http.behind_proxy")
        .containsEntry("KOPEK_MANAGEMENT_HOST", "management.host")
        .containsEntry("KOPEK_MANAGEMENT_PORT", "management.port")
        .containsEntry("KOPEK_CLUSTER", "cluster.enabled")
        .containsEntry("KOPEK_CLUSTER_MEMBERS", "cluster.members")
        .containsEntry("KOPEK_PLUGINS_DIR", "extensions.dir")
        .containsEntry("KOPEK_HTTP_PORT", "http.port")
        .containsEntry("KOPEK_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "webhooks.allow_private_targets")
        .containsEntry("KOPEK_DATA_DIR", "db.data_dir")
        .containsEntry("KOPEK_BILLING_TEST_CLOCK", "billing.test_clock")
        .containsEntry("STRIPE_SECRET_KEY", "payments.gateways.stripe.secret_key")
        .containsEntry("STRIPE_WEBHOOK_SECRET", "payments.gateways.stripe.webhook_secret")
        .containsEntry("STRIPE_PUBLISHABLE_KEY", "payments.gateways.stripe.publishable_key");
  }

  @Test
  @DisplayName("KOPEK_BILLING_TEST_CLOCK becomes a boolean; the test clock is off by default")
  void testClockFromEnvironment() throws Exception {
    assertThat(Main.loadConfig(null, Map.of()).getJsonObject("billing").getValue("test_clock"))
        .isEqualTo(false);
    Path file = yaml("billing:\n  test_clock: false\n");

    JsonObject on = Main.loadConfig(file, Map.of("KOPEK_BILLING_TEST_CLOCK", " TRUE "));
    JsonObject off = Main.loadConfig(null, Map.of("KOPEK_BILLING_TEST_CLOCK", "false"));

    assertThat(on.getJsonObject("billing").getValue("test_clock")).isEqualTo(true);
    assertThat(off.getJsonObject("billing").getValue("test_clock")).isEqualTo(false);
    ServerConfig.from(on); // the type check accepts what the variable became
  }

  @Test
  @DisplayName(
      "KOPEK_BILLING_TEST_CLOCK=yes stops start-up with exit code 2, naming the variable and billing.test_clock")
  void testClockFromEnvironmentNotABoolean() {
    env.put("KOPEK_BILLING_TEST_CLOCK", "yes");

    assertRefused(
        run(),
        "KOPEK_BILLING_TEST_CLOCK (billing.test_clock) must be true or false, " + "was \"yes\"");
  }

  @Test
  @DisplayName(
      "a --config file with billing.test_clock \"yes\" stops start-up with exit code 2, naming the key")
  void testClockFromFileNotABoolean() throws IOException {
    Path file = yaml("billing:\n  test_clock: \"yes\"\n");

    assertRefused(
        run("--config", file.toString()), "billing.test_clock must be true or false, was yes");
  }

  @Test
  @DisplayName("billing.resume_min_minor takes integers beyond 32 bits")
  void resumeMinimumBeyondInt() throws Exception {
    Path file = yaml("billing:\n  resume_min_minor: 5000000000\n");

    JsonObject config = Main.loadConfig(file, Map.of());

    ServerConfig.from(config); // the type check accepts it
    assertThat(config.getJsonObject("billing").getValue("resume_min_minor"))
        .isEqualTo(5_000_000_000L);
  }

  @Test
  @DisplayName(
      "config/braintree.example.yaml enables Braintree instead of the sandbox, its keys from the environment")
  void braintreeExample() throws Exception {
    Path example = Path.of("..", "..", "config", "braintree.example.yaml");

    JsonObject config =
        Main.loadConfig(
            example,
            Map.of(
                "BRAINTREE_MERCHANT_ID",
                "m1",
                "BRAINTREE_PUBLIC_KEY",
                "pub1",
                "BRAINTREE_PRIVATE_KEY",
                "priv1"));

    JsonObject payments = config.getJsonObject("payments");
    JsonObject gateways = payments.getJsonObject("gateways");
    JsonObject braintree = gateways.getJsonObject("braintree");
    assertThat(payments.getString("default_gateway")).isEqualTo("braintree");
    assertThat(gateways.getJsonObject("sandbox").getBoolean("enabled")).isFalse();
    assertThat(braintree.getBoolean("enabled")).isTrue();
    assertThat(braintree.getString("merchant_id")).isEqualTo("m1");
    assertThat(braintree.getString("public_key")).isEqualTo("pub1");
    assertThat(braintree.getString("private_key")).isEqualTo("priv1");
    assertThat(braintree.getJsonObject("merchant_account_id").getString("USD"))
        .isEqualTo("your_usd_merchant_account");
    // The defaults keep Braintree off.
    assertThat(
            Main.loadConfig(null, Map.of())
                .getJsonObject("payments")
                .getJsonObject("gateways")
                .getJsonObject("braintree")
                .getBoolean("enabled"))
        .isFalse();
  }

  @Test
  @DisplayName(
      "config/stripe.example.yaml with the STRIPE_* variables enables Stripe, which kopek.jar ships")
  void stripeExample() throws Exception {
    // Tests run in modules/server; the example lives at the repository's root.
    Path example = Path.of("..", "..", "config", "stripe.example.yaml");
    JsonObject config =
        Main.loadConfig(
            example,
            Map.of(
                "STRIPE_SECRET_KEY", "sk_test_example",
                "STRIPE_WEBHOOK_SECRET", "whsec_example",
                "STRIPE_PUBLISHABLE_KEY", "pk_test_example"));

    JsonObject payments = config.getJsonObject("payments");
    JsonObject stripe = payments.getJsonObject("gateways").getJsonObject("stripe");
    assertThat(payments.getString("default_gateway")).isEqualTo("stripe");
    assertThat(payments.getJsonObject("gateways").getJsonObject("sandbox").getBoolean("enabled"))
        .isFalse();
    assertThat(stripe.getBoolean("enabled")).isTrue();
    assertThat(stripe.getString("secret_key")).isEqualTo("sk_test_example");
    assertThat(stripe.getString("webhook_secret")).isEqualTo("whsec_example");
    assertThat(stripe.getString("publishable_key")).isEqualTo("pk_test_example");

    GatewayProvider provider =
        ServiceLoader.load(GatewayProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.id().equals("stripe"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the stripe provider is not on the classpath"));
    JsonObject settings = stripe.copy();
    settings.remove("enabled");
    try (Gateway gateway =
        provider.create(new GatewaySettings("stripe", settings.getMap(), Clock.systemUTC()))) {
      assertThat(gateway.id()).isEqualTo("stripe");
    }
  }

  @Test
  @DisplayName("without --config and KOPEK_CONFIG the built-in defaults are used as documented")
  void defaultsOnly() throws Exception {
    JsonObject config = Main.loadConfig(null, Map.of());

    assertThat(config.getJsonObject("http").getInteger("port")).isEqualTo(8080);
    assertThat(config.getJsonObject("http").getString("host")).isEqualTo("127.0.0.1");
    assertThat(config.getJsonObject("db").getString("url")).isEmpty();
    assertThat(config.getJsonObject("auth").getString("jwt_secret")).isEmpty();
    assertThat(config.getJsonObject("metrics").getBoolean("enabled")).isTrue();
    assertThat(config.getJsonObject("shutdown").getInteger("grace_ms")).isEqualTo(10000);
    assertThat(config.getJsonObject("http").getInteger("idle_timeout_s")).isEqualTo(60);
    assertThat(config.getJsonObject("http").getInteger("header_timeout_ms")).isEqualTo(10000);
    assertThat(config.getJsonObject("auth").getBoolean("require_exp")).isTrue();
    Timeouts.check(config); // the defaults agree with each other
  }

  @Test
  @DisplayName("an http.port in use stops start-up with exit code 2 and one line naming http.port")
  void portInUse() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      env.put("KOPEK_HTTP_PORT", String.valueOf(taken.getLocalPort()));
      env.put(
          "KOPEK_DB_URL",
          dev.kopek.testkit.TestDatabase.url(dev.kopek.testkit.TestDatabase.create()));
      env.put("KOPEK_JWT_SECRET", "a-secret-of-at-least-thirty-two-bytes!!");

      Cli.Result result = run();

      assertThat(result.code()).isEqualTo(2);
      assertThat(result.err())
          .startsWith(
              "kopek: cannot start: http.port "
                  + taken.getLocalPort()
                  + " on 127.0.0.1 cannot be bound (")
          .endsWith(
              "): stop what listens there, or set another port (http.port, " + "KOPEK_HTTP_PORT)\n")
          .hasLineCount(1);
    }
  }

  private void assertRefused(Cli.Result result, String message) {
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).isEqualTo("kopek: cannot start: " + message + "\n");
    assertThat(result.out()).isEmpty();
    // Refused before anything was written: no generated secret, no database.
    assertThat(dataDir).doesNotExist();
  }

  private Path yaml(String text) throws IOException {
    Path file = Files.createTempFile(temp, "kopek-", ".yaml");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private Cli.Result run(String... args) {
    return Cli.run(env, args);
  }
}
