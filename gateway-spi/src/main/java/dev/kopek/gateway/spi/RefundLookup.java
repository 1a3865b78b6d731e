package dev.kopek.gateway.spi;

/** What looking up a refund at the provider produced ({@link Gateway#fetchRefund}). */
public sealed interface RefundLookup {

  /**
   * The provider holds the refund: it refunded, or will without further action from Kopek.
   *
   * @param refundReference the provider's id of the refund
   */
  record Refunded(String refundReference) implements RefundLookup {}

  /**
   * The provider holds the refund as refused (failed, canceled).
   *
   * @param code the provider's reason code
   * @param message a sentence for the operator
   */
  record Declined(String code, String message) implements RefundLookup {}

  /**
   * The provider holds no refund made with this idempotency key. A request still in flight may yet
   * create one, so Kopek resolves this by sending the refund again with the same key, never by
   * reversing the debit.
   */
  record Absent() implements RefundLookup {}

  /**
   * The lookup failed.
   *
   * @param failure what went wrong
   */
  record Failed(GatewayFailure failure) implements RefundLookup {}
}
