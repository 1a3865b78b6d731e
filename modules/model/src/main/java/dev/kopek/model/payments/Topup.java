package dev.kopek.model.payments;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A top-up: money paid in through a provider, credited to the user's wallet exactly once when the
 * provider confirms it.
 *
 * @param id Kopek's payment id ({@code pay_...})
 * @param userId whose wallet it credits
 * @param gateway the provider's id
 * @param amountMinor the amount in minor units
 * @param currency ISO 4217 code
 * @param status {@code pending}, {@code succeeded}, {@code failed}, {@code expired}, {@code
 *     flagged} (provider and Kopek disagree on amount or currency; nothing credited) or {@code
 *     refunded}
 * @param declineCode the provider's decline code when failed, else null
 * @param checkoutUrl where the payer pays (Kopek's hosted page, no token needed)
 * @param checkoutExpiresAt when the checkout URL stops working
 * @param refundedMinor how much was refunded
 * @param ledgerEntryId the credit's entry id once credited, else null
 * @param createdAt when it was created
 * @param completedAt when it reached a final status, else null
 * @param gatewayReference the provider's id of the payment (a PaymentIntent, a Checkout Session, a
 *     Braintree transaction), once the provider has assigned one, else null
 */
public record Topup(
    String id,
    String userId,
    String gateway,
    long amountMinor,
    String currency,
    String status,
    String declineCode,
    String checkoutUrl,
    Instant checkoutExpiresAt,
    long refundedMinor,
    Long ledgerEntryId,
    Instant createdAt,
    Instant completedAt,
    String gatewayReference) {

  /** The JSON form used in replies, facts and the API. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("user_id", userId)
        .put("gateway", gateway)
        .put("amount_minor", amountMinor)
        .put("currency", currency)
        .put("status", status)
        .put("decline_code", declineCode)
        .put("checkout_url", checkoutUrl)
        .put("checkout_expires_at", checkoutExpiresAt == null ? null : checkoutExpiresAt.toString())
        .put("refunded_minor", refundedMinor)
        .put("ledger_entry_id", ledgerEntryId)
        .put("created_at", createdAt.toString())
        .put("completed_at", completedAt == null ? null : completedAt.toString())
        .put("gateway_reference", gatewayReference);
  }
}
