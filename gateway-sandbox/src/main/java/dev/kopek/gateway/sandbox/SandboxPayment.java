package dev.kopek.gateway.sandbox;

import dev.kopek.gateway.spi.PaymentOutcome;

/** One payment the sandbox holds; its state changes under its own lock. */
final class SandboxPayment {

  /** Where the payment stands, named after Stripe's PaymentIntent states. */
  enum Status {
    REQUIRES_PAYMENT,
    REQUIRES_ACTION,
    SUCCEEDED,
    FAILED
  }

  /**
   * What one card submission did.
   *
   * @param outcome what the page is told
   * @param finalized whether this submission made the outcome final, so a webhook is due
   */
  record Charge(PaymentOutcome outcome, boolean finalized) {}

  final String reference;
  final String paymentId;
  final long amountMinor;
  final String currency;

  private Status status = Status.REQUIRES_PAYMENT;
  private String declineCode;
  private String declineMessage;
  private long refundedMinor;

  SandboxPayment(String reference, String paymentId, long amountMinor, String currency) {
    this.reference = reference;
    this.paymentId = paymentId;
    this.amountMinor = amountMinor;
    this.currency = currency;
  }

  /**
   * Pays with a card, unless an earlier submission already settled the payment: then it reports
   * that outcome again, so a double click or a retried request never charges twice.
   */
  synchronized Charge charge(TestCard card) {
    if (status == Status.SUCCEEDED || status == Status.FAILED) {
      return new Charge(outcome(), false);
    }
    switch (card) {
      case SUCCEEDS -> {
        status = Status.SUCCEEDED;
        return new Charge(PaymentOutcome.SUCCEEDED, true);
      }
      case REQUIRES_AUTHENTICATION -> {
        // Another card may still be tried, as with a PaymentIntent awaiting 3-D Secure.
        status = Status.REQUIRES_ACTION;
        return new Charge(PaymentOutcome.PENDING, false);
      }
      case SUCCEEDS_UNREPORTED -> {
        // Final at the provider, but neither the page nor a webhook says so: only polling can.
        status = Status.SUCCEEDED;
        return new Charge(PaymentOutcome.UNKNOWN, false);
      }
      default -> {
        status = Status.FAILED;
        declineCode = card.declineCode();
        declineMessage = card.declineMessage();
        return new Charge(outcome(), true);
      }
    }
  }

  synchronized PaymentOutcome outcome() {
    return switch (status) {
      case REQUIRES_PAYMENT, REQUIRES_ACTION -> PaymentOutcome.PENDING;
      case SUCCEEDED -> PaymentOutcome.SUCCEEDED;
      case FAILED -> new PaymentOutcome.Declined(declineCode, declineMessage);
    };
  }

  synchronized Status status() {
    return status;
  }

  synchronized long refundedMinor() {
    return refundedMinor;
  }

  synchronized void addRefund(long amount) {
    refundedMinor += amount;
  }
}
