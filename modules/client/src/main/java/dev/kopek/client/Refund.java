package dev.kopek.client;

import dev.kopek.model.payments.Topup;
import io.vertx.core.json.JsonObject;

/**
 * A refund of a top-up: the wallet debited under the balance guard, then the provider's refund.
 *
 * @param id the refund's id
 * @param status {@code succeeded}, or {@code pending} while the provider's answer is being resolved
 *     (the debit stays; Kopek resolves it with the provider)
 * @param amountMinor the amount refunded, in minor units
 * @param currency ISO 4217 code
 * @param gatewayReference the provider's refund object, once known, else null
 * @param debitEntryId the ledger entry that debited the wallet
 * @param attempt which attempt at the provider this is (a refused one is reversed, the next key
 *     makes a new attempt)
 * @param topup the refunded top-up, as it is now
 */
public record Refund(
    String id,
    String status,
    long amountMinor,
    String currency,
    String gatewayReference,
    Long debitEntryId,
    long attempt,
    Topup topup) {

  static Refund fromJson(JsonObject json) {
    return new Refund(
        json.getString("id"),
        json.getString("status"),
        json.getLong("amount_minor"),
        json.getString("currency"),
        json.getString("gateway_reference"),
        json.getLong("debit_entry_id"),
        json.getLong("attempt", 1L),
        PaymentsClient.topup(json.getJsonObject("topup")));
  }

  /** The JSON form of docs/EVENT-BUS.md and the API. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("status", status)
        .put("amount_minor", amountMinor)
        .put("currency", currency)
        .put("gateway_reference", gatewayReference)
        .put("debit_entry_id", debitEntryId)
        .put("attempt", attempt)
        .put("topup", topup.toJson());
  }
}
