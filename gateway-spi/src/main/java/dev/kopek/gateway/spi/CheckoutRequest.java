package dev.kopek.gateway.spi;

import java.util.Objects;

/**
 * A payment to start at the provider.
 *
 * @param paymentId Kopek's id of the payment; providers carry it back (metadata, order id)
 * @param userId who pays; for the provider's records, never for authorization
 * @param amountMinor the amount in minor units, positive
 * @param currency ISO 4217 code
 * @param returnUrl where the payer's browser goes when the provider's page is done
 * @param idempotencyKey the key to pass to the provider, the same on every retry of this payment
 */
public record CheckoutRequest(
    String paymentId,
    String userId,
    long amountMinor,
    String currency,
    String returnUrl,
    String idempotencyKey) {

  /** Checks the parts. */
  public CheckoutRequest {
    Objects.requireNonNull(paymentId, "paymentId");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    if (amountMinor <= 0) {
      throw new IllegalArgumentException("amountMinor must be positive, was " + amountMinor);
    }
  }
}
