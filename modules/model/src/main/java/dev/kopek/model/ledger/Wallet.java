package dev.kopek.model.ledger;

import io.vertx.core.json.JsonObject;

/**
 * A user's balance in one currency. A wallet that has never had an entry reads as zero.
 *
 * @param userId the owner
 * @param currency ISO 4217 code
 * @param balanceMinor the balance in minor units, never below zero
 */
public record Wallet(String userId, String currency, long balanceMinor) {

  /** The JSON form; {@code user_id} is included for admin and event-bus callers. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("user_id", userId)
        .put("currency", currency)
        .put("balance_minor", balanceMinor);
  }

  /** Reads the JSON form. */
  public static Wallet fromJson(JsonObject json) {
    return new Wallet(
        json.getString("user_id"), json.getString("currency"), json.getLong("balance_minor"));
  }
}
