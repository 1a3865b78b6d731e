package dev.kopek.billing;

import dev.kopek.model.Limits;
import io.vertx.core.json.JsonObject;

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
 */
record BillingConfig(
    String databaseUrl,
    long pollIntervalMs,
    long resumeMinMinor,
    boolean testClock,
    long ledgerTimeoutMs,
    int batchMax,
    long leaseMs) {

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
        billing.getLong("lease_ms", 30_000L));
  }
}
