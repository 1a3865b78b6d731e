package dev.kopek.gateway.spi;

import java.util.Objects;

/**
 * A verified provider event, normalized.
 *
 * @param providerEventId the provider's unique id of the event (dedupes redeliveries)
 * @param type the provider's event type, e.g. {@code payment_intent.succeeded}
 * @param paymentId Kopek's payment id carried by the event, or null when the provider only knows
 *     its own reference
 * @param providerReference the provider's id of the payment, or null
 * @param amountMinor the amount the event reports, in minor units
 * @param currency the currency the event reports, upper-case ISO 4217
 * @param outcome where the payment stands according to the event
 */
public record GatewayEvent(
    String providerEventId,
    String type,
    String paymentId,
    String providerReference,
    long amountMinor,
    String currency,
    PaymentOutcome outcome) {

  /** Checks the parts. */
  public GatewayEvent {
    Objects.requireNonNull(providerEventId, "providerEventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(outcome, "outcome");
    if (paymentId == null && providerReference == null) {
      throw new IllegalArgumentException("an event must name the payment or its reference");
    }
  }
}
