package dev.kopek.gateway.spi;

import java.util.Objects;

/** What starting a checkout produced. */
public sealed interface CheckoutResult {

  /**
   * The provider knows the payment; the hosted page can collect it.
   *
   * @param providerReference the provider's id of the payment (PaymentIntent id, ...), or null when
   *     the provider assigns one only when the payer submits
   * @param redirectUrl a provider page to send the payer to, or null to use Kopek's page
   * @param clientSecret what the provider's browser library needs (client secret or client token),
   *     or null
   */
  record Started(String providerReference, String redirectUrl, String clientSecret)
      implements CheckoutResult {}

  /**
   * The provider call failed.
   *
   * @param failure what went wrong
   */
  record Failed(GatewayFailure failure) implements CheckoutResult {
    /** Checks the failure is present. */
    public Failed {
      Objects.requireNonNull(failure, "failure");
    }
  }
}
