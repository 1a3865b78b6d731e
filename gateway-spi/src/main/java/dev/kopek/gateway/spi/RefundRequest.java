package dev.kopek.gateway.spi;

/**
 * A refund of a succeeded payment.
 *
 * @param paymentId Kopek's id of the payment
 * @param providerReference the provider's id of the payment
 * @param amountMinor how much to refund, in minor units, positive
 * @param currency ISO 4217 code
 * @param idempotencyKey the key to pass to the provider, the same on every retry
 */
public record RefundRequest(
    String paymentId,
    String providerReference,
    long amountMinor,
    String currency,
    String idempotencyKey) {}
