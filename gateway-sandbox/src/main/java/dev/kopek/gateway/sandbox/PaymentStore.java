package dev.kopek.gateway.sandbox;

import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The sandbox's payments and refunds, in memory only. Nothing is ever evicted: the sandbox serves
 * tests and demonstrations, whose payments number in the thousands at most.
 */
final class PaymentStore {

  private final ConcurrentMap<String, SandboxPayment> byIdempotencyKey = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, SandboxPayment> byReference = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, SandboxPayment> byPaymentId = new ConcurrentHashMap<>();

  /** Guarded by this store's lock: refunds are rare, and one lock makes keys and sums agree. */
  private final Map<String, Refund> refundsByKey = new HashMap<>();

  /** A refund made, remembered under its idempotency key. */
  private record Refund(String reference, String paymentReference, long amountMinor) {}

  /**
   * The payment started under the request's idempotency key: a new one the first time, the same one
   * on every retry.
   */
  SandboxPayment start(CheckoutRequest request, String currency) {
    return byIdempotencyKey.computeIfAbsent(
        request.idempotencyKey(),
        key -> {
          SandboxPayment payment =
              new SandboxPayment(
                  "sbx_pi_" + RandomIds.alphanumeric(24),
                  request.paymentId(),
                  request.amountMinor(),
                  currency);
          byReference.put(payment.reference, payment);
          byPaymentId.put(payment.paymentId, payment);
          return payment;
        });
  }

  /**
   * Finds a payment by the sandbox's reference, or by Kopek's id when no reference was recorded.
   *
   * @return the payment, or null when unknown or when the two ids name different payments
   */
  SandboxPayment find(String paymentId, String reference) {
    if (reference != null) {
      SandboxPayment payment = byReference.get(reference);
      return payment != null && (paymentId == null || paymentId.equals(payment.paymentId))
          ? payment
          : null;
    }
    return paymentId == null ? null : byPaymentId.get(paymentId);
  }

  /**
   * The refund made under the request's idempotency key: refunded, declined when the key was used
   * for another refund (as {@link #refund} answers), absent when none was made under it. The
   * sandbox records only refunds it made; one it declined leaves nothing to find.
   */
  synchronized RefundLookup lookUp(SandboxPayment payment, RefundRequest request) {
    Refund earlier = refundsByKey.get(request.idempotencyKey());
    if (earlier == null) {
      return new RefundLookup.Absent();
    }
    if (earlier.paymentReference().equals(payment.reference)
        && earlier.amountMinor() == request.amountMinor()) {
      return new RefundLookup.Refunded(earlier.reference());
    }
    return new RefundLookup.Declined(
        "idempotency_key_reused",
        "the idempotency key " + request.idempotencyKey() + " was used for a different refund");
  }

  /** Refunds part or all of what remains of a succeeded payment, once per idempotency key. */
  synchronized RefundResult refund(SandboxPayment payment, RefundRequest request) {
    Refund earlier = refundsByKey.get(request.idempotencyKey());
    if (earlier != null) {
      if (earlier.paymentReference().equals(payment.reference)
          && earlier.amountMinor() == request.amountMinor()) {
        return new RefundResult.Refunded(earlier.reference());
      }
      return new RefundResult.Declined(
          "idempotency_key_reused",
          "the idempotency key " + request.idempotencyKey() + " was used for a different refund");
    }
    if (request.amountMinor() <= 0) {
      return new RefundResult.Declined(
          "invalid_amount", "a refund must be positive, was " + request.amountMinor());
    }
    if (request.currency() == null || !request.currency().equalsIgnoreCase(payment.currency)) {
      return new RefundResult.Declined(
          "currency_mismatch",
          "the payment is in " + payment.currency + ", the refund in " + request.currency());
    }
    SandboxPayment.Status status = payment.status();
    if (status != SandboxPayment.Status.SUCCEEDED) {
      return new RefundResult.Declined(
          "payment_not_succeeded",
          "only a succeeded payment can be refunded; "
              + payment.reference
              + " is "
              + status.name().toLowerCase(Locale.ROOT));
    }
    long remaining = payment.amountMinor - payment.refundedMinor();
    if (remaining == 0) {
      return new RefundResult.Declined(
          "charge_already_refunded", payment.reference + " is already refunded in full");
    }
    if (request.amountMinor() > remaining) {
      return new RefundResult.Declined(
          "amount_too_large",
          "at most "
              + remaining
              + " "
              + payment.currency
              + " minor units of "
              + payment.reference
              + " can still be refunded");
    }
    payment.addRefund(request.amountMinor());
    Refund refund =
        new Refund(
            "sbx_re_" + RandomIds.alphanumeric(24), payment.reference, request.amountMinor());
    refundsByKey.put(request.idempotencyKey(), refund);
    return new RefundResult.Refunded(refund.reference());
  }
}
