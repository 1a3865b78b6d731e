package dev.kopek.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Money a provider reported on an object no top-up accounts for: recorded for an operator, never
 * credited.
 *
 * @param id the record's id
 * @param gateway the provider's id
 * @param gatewayReference the provider's object
 * @param claimedTopupId the top-up the provider's event named, if any
 * @param amountMinor the amount reported, in minor units
 * @param currency ISO 4217 code
 * @param reason why no top-up accounts for it
 * @param source how Kopek learned of it ({@code webhook}, {@code poll}, ...)
 * @param eventId the provider's event, if any
 * @param receivedAt when Kopek first learned of it
 */
public record UnmatchedPayment(
    String id,
    String gateway,
    String gatewayReference,
    String claimedTopupId,
    long amountMinor,
    String currency,
    String reason,
    String source,
    String eventId,
    Instant receivedAt) {

  static UnmatchedPayment fromJson(JsonObject json) {
    return new UnmatchedPayment(
        json.getString("id"),
        json.getString("gateway"),
        json.getString("gateway_reference"),
        json.getString("claimed_topup_id"),
        json.getLong("amount_minor"),
        json.getString("currency"),
        json.getString("reason"),
        json.getString("source"),
        json.getString("event_id"),
        Json.instant(json, "received_at"));
  }

  /** The JSON form of docs/EVENT-BUS.md and the API. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("gateway", gateway)
        .put("gateway_reference", gatewayReference)
        .put("claimed_topup_id", claimedTopupId)
        .put("amount_minor", amountMinor)
        .put("currency", currency)
        .put("reason", reason)
        .put("source", source)
        .put("event_id", eventId)
        .put("received_at", Json.text(receivedAt));
  }
}
