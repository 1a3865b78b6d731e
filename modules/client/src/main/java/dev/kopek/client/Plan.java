package dev.kopek.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A tariff plan: a price per fixed period.
 *
 * @param code the plan's code, unique
 * @param name the name shown to users
 * @param priceMinor the price of one period, in minor units
 * @param currency ISO 4217 code
 * @param period the period as an ISO-8601 duration ({@code PT1H})
 * @param periodMs the period in milliseconds
 * @param status {@code active} or {@code retired}
 * @param retiredAt when it was retired, or null
 * @param createdAt when it was created
 */
public record Plan(
    String code,
    String name,
    long priceMinor,
    String currency,
    String period,
    long periodMs,
    String status,
    Instant retiredAt,
    Instant createdAt) {

  /** Reads the JSON form billing replies with. */
  public static Plan fromJson(JsonObject json) {
    return new Plan(
        json.getString("code"),
        json.getString("name"),
        json.getLong("price_minor"),
        json.getString("currency"),
        json.getString("period"),
        json.getLong("period_ms"),
        json.getString("status"),
        Json.instant(json, "retired_at"),
        Json.instant(json, "created_at"));
  }

  /** The JSON form of docs/EVENT-BUS.md and the API. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("code", code)
        .put("name", name)
        .put("price_minor", priceMinor)
        .put("currency", currency)
        .put("period", period)
        .put("period_ms", periodMs)
        .put("status", status)
        .put("retired_at", Json.text(retiredAt))
        .put("created_at", Json.text(createdAt));
  }
}
