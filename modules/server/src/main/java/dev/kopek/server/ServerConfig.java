package dev.kopek.server;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The settings the server itself uses, checked once at start-up. The verticles check their own
 * sections again when deployed; this class checks types of every documented key, so a typo like
 * {@code port: "80a"} stops start-up naming {@code http.port} rather than failing later.
 *
 * @param databaseUrl external PostgreSQL, or null for the embedded one
 * @param dataDirectory the embedded PostgreSQL's data and the generated secret
 * @param jwtSecret the configured secret, or null to use the generated one
 * @param tokenTtlSeconds lifetime of minted development tokens
 * @param metricsEnabled whether Prometheus metrics are collected
 * @param shutdownGraceMs time in-flight requests get on shutdown
 * @param databaseConnectTimeoutMs how long start-up waits for an external database to accept
 *     connections
 */
record ServerConfig(
    String databaseUrl,
    Path dataDirectory,
    String jwtSecret,
    int tokenTtlSeconds,
    boolean metricsEnabled,
    long shutdownGraceMs,
    long databaseConnectTimeoutMs) {

  /** Every documented key and its JSON type, for the type check. */
  private static final Map<String, Class<?>> KEYS =
      Map.ofEntries(
          Map.entry("http.host", String.class),
          Map.entry("http.port", Integer.class),
          Map.entry("http.body_limit_bytes", Integer.class),
          Map.entry("http.event_loops", Integer.class),
          Map.entry("http.idle_timeout_s", Integer.class),
          Map.entry("http.header_timeout_ms", Integer.class),
          Map.entry("http.behind_proxy", Boolean.class),
          Map.entry("http.tls", io.vertx.core.json.JsonObject.class),
          Map.entry("http.tls.cert_pem", String.class),
          Map.entry("http.tls.key_pem", String.class),
          Map.entry("http.tls.watch_ms", Integer.class),
          Map.entry("management.enabled", Boolean.class),
          Map.entry("management.host", String.class),
          Map.entry("management.port", Integer.class),
          Map.entry("db.url", String.class),
          Map.entry("db.data_dir", String.class),
          Map.entry("db.connect_timeout_ms", Integer.class),
          Map.entry("auth.jwt_secret", String.class),
          Map.entry("auth.issuer", String.class),
          Map.entry("auth.audience", String.class),
          Map.entry("auth.leeway_s", Integer.class),
          Map.entry("auth.token_ttl_s", Integer.class),
          Map.entry("auth.require_exp", Boolean.class),
          Map.entry("auth.public_key_pem", String.class),
          Map.entry("auth.jwks_url", String.class),
          Map.entry("auth.jwks_cache_s", Integer.class),
          Map.entry("auth.jwks_min_refresh_ms", Integer.class),
          Map.entry("ledger.pool_size", Integer.class),
          Map.entry("ledger.batch_max", Integer.class),
          Map.entry("ledger.queue_max", Integer.class),
          Map.entry("ledger.send_timeout_ms", Integer.class),
          Map.entry("metrics.enabled", Boolean.class),
          Map.entry("payments.default_gateway", String.class),
          Map.entry("payments.public_url", String.class),
          Map.entry("payments.checkout_ttl_ms", Integer.class),
          Map.entry("payments.poll_after_ms", Integer.class),
          Map.entry("payments.poll_interval_max_ms", Integer.class),
          Map.entry("payments.janitor_interval_ms", Integer.class),
          Map.entry("payments.gateway_timeout_ms", Integer.class),
          Map.entry("payments.gateways", io.vertx.core.json.JsonObject.class),
          Map.entry("events.poll_ms", Integer.class),
          Map.entry("events.publish_on_bus", Boolean.class),
          Map.entry("webhooks.allow_private_targets", Boolean.class),
          Map.entry("webhooks.timeout_ms", Integer.class),
          Map.entry("webhooks.max_in_flight_per_endpoint", Integer.class),
          Map.entry("webhooks.max_per_second", Integer.class),
          Map.entry("webhooks.secret_overlap_ms", Integer.class),
          Map.entry("alerts.balance_low_minor", io.vertx.core.json.JsonObject.class),
          Map.entry("alerts.runway_low_ms", io.vertx.core.json.JsonArray.class),
          Map.entry("billing.poll_interval_ms", Integer.class),
          Map.entry("billing.resume_min_minor", Long.class),
          Map.entry("billing.test_clock", Boolean.class),
          Map.entry("billing.batch_max", Integer.class),
          Map.entry("billing.lease_ms", Integer.class),
          Map.entry("access.key_cache_ms", Integer.class),
          Map.entry("branding.name", String.class),
          Map.entry("branding.logo_url", String.class),
          Map.entry("portal.idle_timeout_ms", Integer.class),
          Map.entry("portal.lifetime_ms", Integer.class),
          Map.entry("console.idle_timeout_ms", Integer.class),
          Map.entry("console.lifetime_ms", Integer.class),
          Map.entry("rate_limits.user_per_second", Integer.class),
          Map.entry("rate_limits.user_burst", Integer.class),
          Map.entry("rate_limits.api_key_per_second", Integer.class),
          Map.entry("rate_limits.api_key_burst", Integer.class),
          Map.entry("shutdown.grace_ms", Integer.class),
          Map.entry("cluster.enabled", Boolean.class),
          Map.entry("cluster.name", String.class),
          Map.entry("cluster.host", String.class),
          Map.entry("cluster.port", Integer.class),
          Map.entry("cluster.bus_port", Integer.class),
          Map.entry("cluster.members", String.class),
          Map.entry("cluster.tls_cert_path", String.class),
          Map.entry("cluster.tls_key_path", String.class),
          Map.entry("cluster.tls_ca_path", String.class),
          Map.entry("extensions.dir", String.class));

  private static final Set<String> SECTIONS =
      Set.of(
          "http",
          "db",
          "auth",
          "ledger",
          "metrics",
          "management",
          "shutdown",
          "payments",
          "billing",
          "events",
          "webhooks",
          "alerts",
          "access",
          "rate_limits",
          "branding",
          "portal",
          "console",
          "cluster",
          "extensions");

  static ServerConfig from(JsonObject config) {
    checkTypes(config);
    JsonObject db = config.getJsonObject("db");
    JsonObject auth = config.getJsonObject("auth");
    String url = db.getString("url", "");
    if (!url.isBlank() && !url.matches("^(jdbc:)?postgres(ql)?://.+")) {
      throw new IllegalArgumentException(
          "db.url (KOPEK_DB_URL) must look like "
              + "postgresql://user:password@host:5432/database, or be empty for the embedded database");
    }
    String dataDir = db.getString("data_dir", "./data");
    if (dataDir.isBlank()) {
      throw new IllegalArgumentException("db.data_dir (KOPEK_DATA_DIR) must name a directory");
    }
    int ttl = auth.getInteger("token_ttl_s", 3600);
    if (ttl < 60 || ttl > 30 * 24 * 3600) {
      throw new IllegalArgumentException(
          "auth.token_ttl_s must be between 60 and 2592000, was " + ttl);
    }
    long grace = config.getJsonObject("shutdown").getInteger("grace_ms", 10_000);
    if (grace < 0 || grace > 600_000) {
      throw new IllegalArgumentException(
          "shutdown.grace_ms must be between 0 and 600000, was " + grace);
    }
    long connectTimeout = db.getInteger("connect_timeout_ms", 60_000);
    if (connectTimeout < 0 || connectTimeout > 3_600_000) {
      throw new IllegalArgumentException(
          "db.connect_timeout_ms must be between 0 and 3600000, was " + connectTimeout);
    }
    String secret = auth.getString("jwt_secret", "");
    return new ServerConfig(
        url.isBlank() ? null : url,
        Path.of(dataDir),
        secret.isEmpty() ? null : secret,
        ttl,
        config.getJsonObject("metrics").getBoolean("enabled", true),
        grace,
        connectTimeout);
  }

  /**
   * The JSON type a documented key holds: {@code Integer}, {@code Long} (an integer that may exceed
   * 32 bits), {@code Boolean}, {@code String} or {@code JsonObject}.
   */
  static Class<?> typeOf(String key) {
    // Provider settings (payments.gateways.<id>.*) are the providers' to check; from the
    // environment they arrive as strings.
    return KEYS.getOrDefault(key, String.class);
  }

  private static void checkTypes(JsonObject config) {
    for (String section : SECTIONS) {
      Object value = config.getValue(section);
      if (value != null && !(value instanceof JsonObject)) {
        throw new IllegalArgumentException(section + " must be a section (a map of settings)");
      }
      if (value == null) {
        config.put(section, new JsonObject());
      }
    }
    if (config.getValue("mode") != null && !(config.getValue("mode") instanceof String)) {
      throw new IllegalArgumentException(
          "mode must be development or production, was " + config.getValue("mode"));
    }
    KEYS.forEach(
        (key, type) -> {
          String[] path = key.split("\\.");
          Object value = config.getJsonObject(path[0]).getValue(path[1]);
          for (int i = 2; i < path.length; i++) {
            value = value instanceof JsonObject section ? section.getValue(path[i]) : null;
          }
          if (value == null) {
            return;
          }
          boolean ok =
              type == Integer.class
                  ? value instanceof Integer
                  : type == Long.class
                      ? value instanceof Integer || value instanceof Long
                      : type.isInstance(value);
          if (!ok) {
            throw new IllegalArgumentException(
                key
                    + " must be "
                    + (type == Integer.class || type == Long.class
                        ? "an integer"
                        : type == Boolean.class
                            ? "true or false"
                            : type == String.class ? "a string" : "a section of settings")
                    + ", was "
                    + (key.contains("secret") ? "a " + value.getClass().getSimpleName() : value));
          }
        });
  }
}
