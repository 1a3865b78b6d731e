package dev.kopek.gateway.spi;

/** What asking the provider about a payment produced. */
public sealed interface StatusResult {

  /**
   * The provider's answer.
   *
   * @param outcome where the payment stands
   * @param providerReference the provider's id of the payment
   * @param amountMinor the amount the provider holds, in minor units
   * @param currency the currency, upper-case ISO 4217
   */
  record Known(PaymentOutcome outcome, String providerReference, long amountMinor, String currency)
      implements StatusResult {}

  /**
   * The call failed.
   *
   * @param failure what went wrong
   */
  record Failed(GatewayFailure failure) implements StatusResult {}
}
