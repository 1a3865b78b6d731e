package dev.kopek.client;

import io.vertx.core.json.JsonObject;

/**
 * A wallet's balance threshold for {@code wallet.balance_low} ({@code
 * kopek.ledger.wallet.alerts.*}).
 *
 * @param userId the wallet's owner
 * @param currency the wallet's currency
 * @param balanceLowMinor the wallet's own threshold, or null when its currency's applies
 * @param defaultBalanceLowMinor the currency's threshold ({@code alerts.balance_low_minor}), or
 *     null
 */
public record WalletAlerts(
    String userId, String currency, Long balanceLowMinor, Long defaultBalanceLowMinor) {

  static WalletAlerts fromJson(JsonObject json) {
    return new WalletAlerts(
        json.getString("user_id"),
        json.getString("currency"),
        json.getLong("balance_low_minor"),
        json.getLong("default_balance_low_minor"));
  }

  /** The JSON form, as the ledger replies. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("user_id", userId)
        .put("currency", currency)
        .put("balance_low_minor", balanceLowMinor)
        .put("default_balance_low_minor", defaultBalanceLowMinor);
  }
}
