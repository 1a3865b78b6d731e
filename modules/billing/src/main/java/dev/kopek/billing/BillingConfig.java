package dev.kopek.billing;

import dev.kopek.model.Limits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The billing verticle's settings: {@code db.url} and the {@code billing} section.
 *
 * @param databaseUrl PostgreSQL URL
 * @param pollIntervalMs how often due timers are looked for; a due timer is handled within this
 * @param resumeMinMinor the balance that resumes a suspended wallet; 0: one minute of its rate
 * @param testClock whether the shared, admin-driven test clock replaces the system clock
 * @param ledgerTimeoutMs how long a ledger request may take
 * @param batchMax most wallets claimed per poll (in chunks of at most {@link DueWallets#CHUNK_MAX})
 * @param leaseMs how long a claimed wallet is left to its process before another may take it
 * @param runwayLowMs the runway thresholds of {@code wallet.runway_low}, largest first
 */
record BillingConfig(
    String databaseUrl,
    long pollIntervalMs,
    long resumeMinMinor,
    boolean testClock,
    long ledgerTimeoutMs,
    int batchMax,
    long leaseMs,
    List<Long> runwayLowMs) {

  BillingConfig {
    require(databaseUrl != null && !databaseUrl.isBlank(), "db.url is missing");
    require(
        pollIntervalMs >= 10 && pollIntervalMs <= 1000,
        "billing.poll_interval_ms must be between 10 and 1000 (due timers are handled within a second)");
    require(
        resumeMinMinor >= 0, "billing.resume_min_minor must be 0 (one minute of the rate) or more");
    require(
        batchMax >= 1 && batchMax <= Limits.POSTINGS_PER_REQUEST_MAX,
        "billing.batch_max must be between 1 and " + Limits.POSTINGS_PER_REQUEST_MAX);
    require(
        leaseMs >= 1000 && leaseMs <= 600_000, "billing.lease_ms must be between 1000 and 600000");
    runwayLowMs = List.copyOf(runwayLowMs);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  static BillingConfig from(JsonObject config) {
    JsonObject billing = config.getJsonObject("billing", new JsonObject());
    return new BillingConfig(
        config.getJsonObject("db", new JsonObject()).getString("url"),
        billing.getLong("poll_interval_ms", 200L),
        billing.getLong("resume_min_minor", 0L),
        billing.getBoolean("test_clock", false),
        config.getJsonObject("ledger", new JsonObject()).getLong("send_timeout_ms", 5_000L),
        billing.getInteger("batch_max", 256),
        billing.getLong("lease_ms", 30_000L),
        runwayThresholds(config.getJsonObject("alerts", new JsonObject())));
  }

  /** {@code alerts.runway_low_ms}: distinct thresholds, largest first (default 24 h and 1 h). */
  static List<Long> runwayThresholds(JsonObject alerts) {
    Object value = alerts.getValue("runway_low_ms");
    if (value == null) {
      return List.of(RUNWAY_DAY_MS, RUNWAY_HOUR_MS);
    }
    require(
        value instanceof JsonArray,
        "alerts.runway_low_ms must be a list of durations in milliseconds, e.g. [86400000, 3600000]");
    TreeSet<Long> thresholds = new TreeSet<>(Comparator.reverseOrder());
    for (Object threshold : (JsonArray) value) {
      require(
          (threshold instanceof Integer || threshold instanceof Long)
              && ((Number) threshold).longValue() >= 1_000
              && ((Number) threshold).longValue() <= 366L * 24 * 3600_000,
          "alerts.runway_low_ms must hold durations from 1000 ms to 366 days, was " + threshold);
      thresholds.add(((Number) threshold).longValue());
    }
    require(thresholds.size() <= 8, "alerts.runway_low_ms takes at most 8 thresholds");
    return new ArrayList<>(thresholds);
  }

  private static final long RUNWAY_DAY_MS = 24L * 3600_000;
  private static final long RUNWAY_HOUR_MS = 3600_000L;
}
