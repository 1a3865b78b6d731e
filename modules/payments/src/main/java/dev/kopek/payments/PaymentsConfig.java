package dev.kopek.payments;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The payments verticle's settings: {@code db.url} and the {@code payments} section.
 *
 * @param databaseUrl PostgreSQL URL
 * @param defaultGateway the provider used when a top-up names none
 * @param publicUrl the base URL browsers and providers reach Kopek at
 * @param checkoutTtlMs how long a checkout URL works
 * @param pollAfterMs how long a payment may stay pending before Kopek asks the provider
 * @param pollIntervalMaxMs the longest wait between two polls of one payment (backoff cap)
 * @param janitorIntervalMs how often pending payments are looked at
 * @param gatewayTimeoutMs how long one provider call may take
 * @param ledgerTimeoutMs how long a ledger request may take
 * @param gateways each enabled provider's settings, by id
 */
record PaymentsConfig(
    String databaseUrl,
    String defaultGateway,
    String publicUrl,
    long checkoutTtlMs,
    long pollAfterMs,
    long pollIntervalMaxMs,
    long janitorIntervalMs,
    long gatewayTimeoutMs,
    long ledgerTimeoutMs,
    Map<String, JsonObject> gateways) {

  PaymentsConfig {
    require(databaseUrl != null && !databaseUrl.isBlank(), "db.url is missing");
    require(
        publicUrl != null && publicUrl.matches("^https?://[^/]+.*"),
        "payments.public_url must be the absolute http(s) URL Kopek is reached at, e.g. "
            + "https://pay.example.com");
    require(
        checkoutTtlMs >= 60_000 && checkoutTtlMs <= 7L * 24 * 3600_000,
        "payments.checkout_ttl_ms must be between 60000 (1 min) and 604800000 (7 days)");
    require(
        pollAfterMs >= 1_000 && pollAfterMs <= 24L * 3600_000,
        "payments.poll_after_ms must be between 1000 and 86400000");
    require(
        pollIntervalMaxMs >= pollAfterMs && pollIntervalMaxMs <= 24L * 3600_000,
        "payments.poll_interval_max_ms must be at least payments.poll_after_ms and at most 86400000");
    require(
        janitorIntervalMs >= 100 && janitorIntervalMs <= 3600_000,
        "payments.janitor_interval_ms must be between 100 and 3600000");
    require(
        gatewayTimeoutMs >= 1_000 && gatewayTimeoutMs <= 120_000,
        "payments.gateway_timeout_ms must be between 1000 and 120000");
    require(
        !gateways.isEmpty(),
        "payments.gateways must enable at least one provider (sandbox is built in)");
    require(
        gateways.containsKey(defaultGateway),
        "payments.default_gateway '"
            + defaultGateway
            + "' is not an enabled provider; enabled: "
            + gateways.keySet());
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  static PaymentsConfig from(JsonObject config) {
    JsonObject payments = config.getJsonObject("payments", new JsonObject());
    JsonObject http = config.getJsonObject("http", new JsonObject());
    Map<String, JsonObject> gateways = new LinkedHashMap<>();
    JsonObject configured = payments.getJsonObject("gateways", new JsonObject());
    for (String id : configured.fieldNames()) {
      Object section = configured.getValue(id);
      JsonObject settings = section instanceof JsonObject json ? json : new JsonObject();
      if (section != null && !(section instanceof JsonObject)) {
        throw new IllegalArgumentException(
            "payments.gateways." + id + " must be a section of settings");
      }
      if (settings.getBoolean("enabled", true)) {
        gateways.put(id, settings);
      }
    }
    String publicUrl = payments.getString("public_url", "");
    if (publicUrl.isBlank()) {
      String host = http.getString("host", "127.0.0.1");
      publicUrl =
          "http://"
              + ("0.0.0.0".equals(host) ? "127.0.0.1" : host)
              + ":"
              + http.getInteger("port", 8080);
    }
    return new PaymentsConfig(
        config.getJsonObject("db", new JsonObject()).getString("url"),
        payments.getString("default_gateway", "sandbox"),
        publicUrl.replaceAll("/+$", ""),
        payments.getLong("checkout_ttl_ms", 3_600_000L),
        payments.getLong("poll_after_ms", 60_000L),
        payments.getLong("poll_interval_max_ms", 3_600_000L),
        payments.getLong("janitor_interval_ms", 5_000L),
        payments.getLong("gateway_timeout_ms", 15_000L),
        config.getJsonObject("ledger", new JsonObject()).getLong("send_timeout_ms", 5_000L),
        gateways);
  }
}
