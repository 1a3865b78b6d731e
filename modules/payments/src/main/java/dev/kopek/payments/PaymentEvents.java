package dev.kopek.payments;

import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.function.Function;

/**
 * The events of payments, recorded with the status change they report: {@code topup.succeeded},
 * {@code topup.failed} (declined, refused by the provider, or expired unpaid: the object's status
 * says which), {@code topup.flagged}, {@code refund.succeeded} and {@code refund.failed} (the
 * provider refused the refund and its debit was reversed). Each status change happens once, so the
 * ids name the payment or refund.
 */
final class PaymentEvents {

  private PaymentEvents() {}

  /** The event of a top-up's new status: its object is the top-up as the API shows it. */
  static Function<PaymentRow, Event> topup(String type, String publicUrl, Instant now) {
    return payment ->
        new Event(
            Event.id(type, payment.id()),
            type,
            payment.userId(),
            payment.currency(),
            null,
            now,
            payment.toTopup(publicUrl).toJson());
  }

  static Function<PaymentRow, Event> topupFailed(String publicUrl, Instant now) {
    return topup(EventTypes.TOPUP_FAILED, publicUrl, now);
  }

  /** The event of a refund's outcome, for the refund of {@code payment}. */
  static Function<RefundRow, Event> refund(String type, PaymentRow payment, Instant now) {
    return refund ->
        new Event(
            Event.id(
                type,
                EventTypes.REFUND_FAILED.equals(type)
                    ? refund.id() + "_" + refund.attempt()
                    : refund.id()),
            type,
            payment.userId(),
            payment.currency(),
            null,
            now,
            new JsonObject()
                .put("id", refund.id())
                .put("status", EventTypes.REFUND_FAILED.equals(type) ? "failed" : "succeeded")
                .put("amount_minor", refund.amountMinor())
                .put("currency", payment.currency())
                .put("user_id", payment.userId())
                .put("topup_id", payment.id())
                .put("gateway", payment.gateway())
                .put("gateway_reference", refund.providerReference())
                .put("attempt", refund.attempt())
                .put("debit_entry_id", refund.debitEntryId())
                .put("reversal_entry_id", refund.reversalEntryId())
                .put("failure_code", refund.failureCode())
                .put("failure_message", refund.failureMessage()));
  }
}
