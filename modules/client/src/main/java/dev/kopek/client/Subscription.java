package dev.kopek.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A wallet's subscription to a plan, charged from the wallet at the end of each period.
 *
 * @param id the subscription's id
 * @param userId the wallet's owner
 * @param plan the plan's code
 * @param currency the wallet's (and the plan's) currency
 * @param status {@code active}, {@code suspended} or {@code cancelled}
 * @param priceMinor the price of one period of the current segment's plan
 * @param periodMs the period of the current segment's plan
 * @param segment the current segment's number (activation, plan change, resume start one)
 * @param segmentStartedAt when the current segment started
 * @param billedThrough up to when it has been charged
 * @param nextChargeAt when the wallet's timer falls due, for an active subscription, else null
 * @param runwayMs how long the wallet's balance lasts at its current total rate, for an active
 *     subscription, else null
 * @param runsOutAt the last millisecond whose usage the wallet's balance covers at that rate (where
 *     its subscriptions would be suspended if nothing changes), for an active subscription, else
 *     null
 * @param suspendedAt when it was suspended, or null
 * @param cancelledAt when it was cancelled, or null
 * @param createdAt when it was created
 */
public record Subscription(
    String id,
    String userId,
    String plan,
    String currency,
    String status,
    long priceMinor,
    long periodMs,
    long segment,
    Instant segmentStartedAt,
    Instant billedThrough,
    Instant nextChargeAt,
    Long runwayMs,
    Instant runsOutAt,
    Instant suspendedAt,
    Instant cancelledAt,
    Instant createdAt) {

  /** Reads the JSON form billing replies with. */
  public static Subscription fromJson(JsonObject json) {
    return new Subscription(
        json.getString("id"),
        json.getString("user_id"),
        json.getString("plan"),
        json.getString("currency"),
        json.getString("status"),
        json.getLong("price_minor"),
        json.getLong("period_ms"),
        json.getLong("segment"),
        Json.instant(json, "segment_started_at"),
        Json.instant(json, "billed_through"),
        Json.instant(json, "next_charge_at"),
        json.getLong("runway_ms"),
        Json.instant(json, "runs_out_at"),
        Json.instant(json, "suspended_at"),
        Json.instant(json, "cancelled_at"),
        Json.instant(json, "created_at"));
  }

  /** The JSON form of docs/EVENT-BUS.md and the API. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("user_id", userId)
        .put("plan", plan)
        .put("currency", currency)
        .put("status", status)
        .put("price_minor", priceMinor)
        .put("period_ms", periodMs)
        .put("segment", segment)
        .put("segment_started_at", Json.text(segmentStartedAt))
        .put("billed_through", Json.text(billedThrough))
        .put("suspended_at", Json.text(suspendedAt))
        .put("cancelled_at", Json.text(cancelledAt))
        .put("created_at", Json.text(createdAt))
        .put("next_charge_at", Json.text(nextChargeAt))
        .put("runway_ms", runwayMs)
        .put("runs_out_at", Json.text(runsOutAt));
  }
}
