package dev.kopek.events;

import io.vertx.core.json.JsonObject;

/**
 * The events verticle's settings: {@code db.url}, the {@code events} and {@code webhooks} sections,
 * and {@code billing.test_clock} (webhook retries then run on the shared test clock).
 *
 * @param databaseUrl PostgreSQL URL
 * @param pollMs how often committed events are looked for (relay, fan-out, due retries)
 * @param publishOnBus whether events are published on the event bus ({@code kopek.events})
 * @param allowPrivateTargets whether webhook URLs may point at private, loopback or link-local
 *     addresses (tests, a receiver on the same host); never in production
 * @param timeoutMs how long one delivery attempt may take, connection included
 * @param maxInFlightPerEndpoint attempts under way at once per endpoint in one process
 * @param maxPerSecond delivery attempts one process starts per second at most, over all endpoints
 *     (0: no bound); under a load beyond it the backlog waits and drains afterwards
 * @param secretOverlapMs how long a rotated-out secret keeps signing
 * @param testClock whether retries are scheduled on billing's shared test clock
 */
record EventsConfig(
    String databaseUrl,
    long pollMs,
    boolean publishOnBus,
    boolean allowPrivateTargets,
    long timeoutMs,
    int maxInFlightPerEndpoint,
    int maxPerSecond,
    long secretOverlapMs,
    boolean testClock) {

  EventsConfig {
    require(databaseUrl != null && !databaseUrl.isBlank(), "db.url is missing");
    require(pollMs >= 10 && pollMs <= 60_000, "events.poll_ms must be between 10 and 60000");
    require(
        timeoutMs >= 1_000 && timeoutMs <= 60_000,
        "webhooks.timeout_ms must be between 1000 and 60000");
    require(
        maxInFlightPerEndpoint >= 1 && maxInFlightPerEndpoint <= 256,
        "webhooks.max_in_flight_per_endpoint must be between 1 and 256");
    require(
        maxPerSecond >= 0 && maxPerSecond <= 1_000_000,
        "webhooks.max_per_second must be between 0 (no bound) and 1000000");
    require(
        secretOverlapMs >= 0 && secretOverlapMs <= 7L * 24 * 3600_000,
        "webhooks.secret_overlap_ms must be between 0 and 604800000 (7 days)");
  }

  static EventsConfig from(JsonObject config) {
    JsonObject events = section(config, "events");
    JsonObject webhooks = section(config, "webhooks");
    return new EventsConfig(
        section(config, "db").getString("url"),
        number(events, "events.poll_ms", "poll_ms", 100),
        bool(events, "events.publish_on_bus", "publish_on_bus", true),
        bool(webhooks, "webhooks.allow_private_targets", "allow_private_targets", false),
        number(webhooks, "webhooks.timeout_ms", "timeout_ms", 15_000),
        (int)
            number(
                webhooks, "webhooks.max_in_flight_per_endpoint", "max_in_flight_per_endpoint", 8),
        (int) number(webhooks, "webhooks.max_per_second", "max_per_second", 500),
        number(webhooks, "webhooks.secret_overlap_ms", "secret_overlap_ms", 24L * 3600_000),
        bool(section(config, "billing"), "billing.test_clock", "test_clock", false));
  }

  private static JsonObject section(JsonObject config, String name) {
    Object value = config.getValue(name);
    if (value == null) {
      return new JsonObject();
    }
    require(value instanceof JsonObject, name + " must be a section (a map of settings)");
    return (JsonObject) value;
  }

  private static long number(JsonObject section, String key, String field, long fallback) {
    Object value = section.getValue(field);
    if (value == null) {
      return fallback;
    }
    require(value instanceof Integer || value instanceof Long, key + " must be a whole number");
    return ((Number) value).longValue();
  }

  private static boolean bool(JsonObject section, String key, String field, boolean fallback) {
    Object value = section.getValue(field);
    if (value == null) {
      return fallback;
    }
    require(value instanceof Boolean, key + " must be true or false");
    return (Boolean) value;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
