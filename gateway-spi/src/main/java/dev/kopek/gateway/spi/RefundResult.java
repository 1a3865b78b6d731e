package dev.kopek.gateway.spi;

/** What a refund produced. */
public sealed interface RefundResult {

  /**
   * The provider refunded (or will, without further action from Kopek).
   *
   * @param refundReference the provider's id of the refund
   */
  record Refunded(String refundReference) implements RefundResult {}

  /**
   * The provider refused the refund.
   *
   * @param code the provider's reason code
   * @param message a sentence for the operator
   */
  record Declined(String code, String message) implements RefundResult {}

  /**
   * The call failed.
   *
   * @param failure what went wrong
   */
  record Failed(GatewayFailure failure) implements RefundResult {}
}
