package dev.kopek.gateway.spi;

import java.util.Map;

/**
 * One configured payment provider. Methods may block; Kopek calls them off its event loop.
 * Implementations must be safe for concurrent use.
 */
public interface Gateway extends AutoCloseable {

  /**
   * The provider's id, as {@link GatewayProvider#id()}.
   *
   * @return the id
   */
  String id();

  /**
   * Starts a payment at the provider. Called again with the same idempotency key after a failure or
   * a crash, it must not create a second payment. Input the provider cannot take is refused before
   * anything is sent, with {@link GatewayFailure#inputNotAccepted}; an answer that is lost or
   * cannot be read is a failure whose {@link GatewayFailure#outcomeUnknown()} is true.
   *
   * @param request the payment
   * @return the started checkout, or the failure
   */
  CheckoutResult startCheckout(CheckoutRequest request);

  /**
   * The provider's part of Kopek's hosted page for a payment: its card fields, drop-in or redirect.
   *
   * @param checkout the payment as the page shows it
   * @return the page's form and the origins its scripts need
   */
  HostedPage checkoutPage(HostedCheckout checkout);

  /**
   * Handles what the hosted page posted back to Kopek, for providers whose browser library hands
   * Kopek a token to complete the payment with (a Braintree nonce, the sandbox's test card).
   * Providers that complete payments in the browser or on their own page do not override it.
   *
   * @param checkout the payment
   * @param form the posted fields
   * @return where the payment stands, a form error, or a failure
   */
  default SubmitResult submitCheckout(HostedCheckout checkout, Map<String, String> form) {
    return new SubmitResult.Failed(
        new GatewayFailure(
            GatewayFailure.Kind.UNSUPPORTED,
            id() + " completes payments without a form post to Kopek"));
  }

  /**
   * Verifies a webhook's signature over the raw body and headers and parses it. Must never trust
   * the body before the signature is verified.
   *
   * @param request the webhook as received
   * @return the verified event, an ignored type, or why it is invalid
   */
  WebhookResult parseWebhook(WebhookRequest request);

  /**
   * Asks the provider where a payment stands, for payments that stay pending (a lost webhook).
   *
   * @param paymentId Kopek's id of the payment
   * @param providerReference the provider's id, or null when none was recorded
   * @return the provider's answer, or the failure
   */
  StatusResult fetchStatus(String paymentId, String providerReference);

  /**
   * Refunds a succeeded payment, in full or in part. {@link RefundResult.Declined} is only for a
   * refusal the provider stated; an answer that is lost or cannot be read is a {@link
   * RefundResult.Failed} whose {@link GatewayFailure#outcomeUnknown()} is true, resolved with
   * {@link #fetchRefund} or by sending the refund again with the same idempotency key.
   *
   * @param request the refund
   * @return the refund, a decline, or the failure
   */
  RefundResult refund(RefundRequest request);

  /**
   * Asks the provider about a refund Kopek requested with {@code request}'s idempotency key whose
   * answer it never got (a timeout, a lost connection, an unreadable answer). Must not refund: it
   * only looks. Providers that cannot look a refund up keep the default, and Kopek resolves such a
   * refund by sending it again with the same idempotency key.
   *
   * @param request the refund exactly as it was sent
   * @return the refund as the provider holds it, its absence, or the failure
   */
  default RefundLookup fetchRefund(RefundRequest request) {
    return new RefundLookup.Failed(
        new GatewayFailure(GatewayFailure.Kind.UNSUPPORTED, id() + " cannot look refunds up"));
  }

  /** Releases the provider's resources (HTTP clients). */
  @Override
  default void close() {}
}
