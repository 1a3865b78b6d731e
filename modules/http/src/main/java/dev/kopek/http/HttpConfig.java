package dev.kopek.http;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP verticle's settings, read once from the {@code http}, {@code auth}, {@code ledger},
 * {@code payments} and {@code webhooks} sections of the configuration.
 *
 * @param host interface to listen on
 * @param port TCP port
 * @param bodyLimitBytes largest request body accepted (413 beyond)
 * @param ledgerTimeoutMs how long a request waits for the ledger before answering 504
 * @param jwtSecret the HS256 secret tokens are signed with, or null when tokens come from an
 *     identity provider only ({@link TokenKeys})
 * @param jwtIssuer required {@code iss} claim, or null to accept any
 * @param jwtAudience required {@code aud} claim, or null to accept any
 * @param jwtLeewaySeconds clock skew tolerated on {@code exp}/{@code nbf}/{@code iat}
 * @param shutdownGraceMs how long in-flight requests get to finish when stopping
 * @param eventLoops HTTP verticle instances, each on an event loop of its own, sharing the port
 *     (connections are spread over them); 0 means one per core
 * @param idleTimeoutS how long a connection may stay idle (nothing read or written) before it is
 *     closed
 * @param headerTimeoutMs how long a connection has to deliver a complete request head
 * @param requireExp whether tokens without an {@code exp} claim are refused
 * @param gatewayTimeoutMs how long the payments verticle lets one provider call take
 * @param webhooksTimeoutMs how long the events verticle lets one webhook delivery attempt take
 *     ({@code webhooks.timeout_ms}); an endpoint's creation or change gives its URL's host as long
 *     to resolve
 */
public record HttpConfig(
    String host,
    int port,
    int bodyLimitBytes,
    long ledgerTimeoutMs,
    String jwtSecret,
    String jwtIssuer,
    String jwtAudience,
    int jwtLeewaySeconds,
    long shutdownGraceMs,
    int eventLoops,
    int idleTimeoutS,
    long headerTimeoutMs,
    boolean requireExp,
    long gatewayTimeoutMs,
    long webhooksTimeoutMs) {

  /**
   * What a payments request may take beyond its provider call and ledger requests, which are
   * bounded by their own timeouts: the payments verticle's database work around them.
   */
  public static final long PAYMENTS_MARGIN_MS = 2_000;

  /**
   * HS256 keys shorter than the hash's 32 bytes weaken the signature (RFC 7518 section 3.2 asks for
   * at least that much).
   */
  public static final int JWT_SECRET_BYTES_MIN = 32;

  /** Checks every bound; the message names the key and the fix. */
  public HttpConfig {
    require(
        host != null && !host.isBlank(), "http.host must be an interface address such as 0.0.0.0");
    require(
        port >= 0 && port <= 65535, "http.port (KOPEK_HTTP_PORT) must be 0..65535, was " + port);
    require(
        bodyLimitBytes >= 1024 && bodyLimitBytes <= 10 * 1024 * 1024,
        "http.body_limit_bytes must be between 1024 and 10485760, was " + bodyLimitBytes);
    require(
        ledgerTimeoutMs >= 100 && ledgerTimeoutMs <= 120_000,
        "ledger.send_timeout_ms must be between 100 and 120000, was " + ledgerTimeoutMs);
    require(
        jwtSecret == null
            || jwtSecret.getBytes(StandardCharsets.UTF_8).length >= JWT_SECRET_BYTES_MIN,
        "auth.jwt_secret (KOPEK_JWT_SECRET) must be at least "
            + JWT_SECRET_BYTES_MIN
            + " bytes; generate one with: openssl rand -base64 48");
    require(
        eventLoops >= 0 && eventLoops <= 64,
        "http.event_loops must be between 0 (one per core) and 64, was " + eventLoops);
    require(
        jwtLeewaySeconds >= 0 && jwtLeewaySeconds <= 300,
        "auth.leeway_s must be between 0 and 300, was " + jwtLeewaySeconds);
    require(
        idleTimeoutS >= 1 && idleTimeoutS <= 3600,
        "http.idle_timeout_s must be between 1 and 3600, was " + idleTimeoutS);
    require(
        headerTimeoutMs >= 100 && headerTimeoutMs <= 300_000,
        "http.header_timeout_ms must be between 100 and 300000, was " + headerTimeoutMs);
    require(
        gatewayTimeoutMs >= 1_000 && gatewayTimeoutMs <= 120_000,
        "payments.gateway_timeout_ms must be between 1000 and 120000");
    require(
        webhooksTimeoutMs >= 1_000 && webhooksTimeoutMs <= 60_000,
        "webhooks.timeout_ms must be between 1000 and 60000");
    long paymentsWaitMs = 2 * gatewayTimeoutMs + 2 * ledgerTimeoutMs + PAYMENTS_MARGIN_MS;
    long webhooksWaitMs = webhooksTimeoutMs + ledgerTimeoutMs;
    String longestWait =
        webhooksWaitMs > paymentsWaitMs
            ? "webhooks.timeout_ms "
                + webhooksTimeoutMs
                + " + ledger.send_timeout_ms "
                + ledgerTimeoutMs
                + " = "
                + webhooksWaitMs
            : "2 x payments.gateway_timeout_ms "
                + gatewayTimeoutMs
                + " + 2 x ledger.send_timeout_ms "
                + ledgerTimeoutMs
                + " + "
                + PAYMENTS_MARGIN_MS
                + " = "
                + paymentsWaitMs;
    require(
        idleTimeoutS * 1000L > Math.max(paymentsWaitMs, webhooksWaitMs),
        "http.idle_timeout_s ("
            + idleTimeoutS
            + " s) must be longer than the longest a request waits for its reply ("
            + longestWait
            + " ms), or the "
            + "connection is closed while it waits; raise it or lower those");
  }

  /**
   * How long a request waits for the payments verticle when the work behind it makes {@code
   * providerCalls} provider calls (each bounded there by {@code payments.gateway_timeout_ms}) and
   * {@code ledgerRequests} ledger requests (each bounded by {@code ledger.send_timeout_ms}), one
   * after the other: longer than all of them, so that the reply is the real outcome, never a 504
   * while the work goes on.
   */
  public long paymentsTimeoutMs(int providerCalls, int ledgerRequests) {
    return providerCalls * gatewayTimeoutMs + ledgerRequests * ledgerTimeoutMs + PAYMENTS_MARGIN_MS;
  }

  /**
   * How long creating a webhook endpoint, or changing its URL, waits for the events verticle: the
   * URL's host is looked up (given as long as a delivery attempt, {@code webhooks.timeout_ms}),
   * then the endpoint is written (a database request, like the ledger's).
   */
  public long webhookTargetTimeoutMs() {
    return webhooksTimeoutMs + ledgerTimeoutMs;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Reads the settings from the whole configuration tree. */
  public static HttpConfig from(JsonObject config) {
    JsonObject http = config.getJsonObject("http", new JsonObject());
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    JsonObject ledger = config.getJsonObject("ledger", new JsonObject());
    return new HttpConfig(
        http.getString("host", "127.0.0.1"),
        http.getInteger("port", 8080),
        http.getInteger("body_limit_bytes", 64 * 1024),
        ledger.getLong("send_timeout_ms", 5_000L),
        blankToNull(auth.getString("jwt_secret")),
        blankToNull(auth.getString("issuer")),
        blankToNull(auth.getString("audience")),
        auth.getInteger("leeway_s", 5),
        config.getJsonObject("shutdown", new JsonObject()).getInteger("grace_ms", 10_000),
        http.getInteger("event_loops", 0),
        http.getInteger("idle_timeout_s", 60),
        http.getLong("header_timeout_ms", 10_000L),
        auth.getBoolean("require_exp", true),
        config.getJsonObject("payments", new JsonObject()).getLong("gateway_timeout_ms", 15_000L),
        config.getJsonObject("webhooks", new JsonObject()).getLong("timeout_ms", 15_000L));
  }

  /** How many HTTP verticle instances to deploy. */
  public int instances() {
    return eventLoops == 0 ? Runtime.getRuntime().availableProcessors() : eventLoops;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
