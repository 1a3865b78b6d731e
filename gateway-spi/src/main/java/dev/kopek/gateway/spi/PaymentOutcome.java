package dev.kopek.gateway.spi;

import java.util.Objects;

/**
 * Where a payment stands at the provider, normalized across providers (after Kill Bill's {@code
 * PaymentPluginStatus}). Only {@link Succeeded} credits a balance; {@link Unknown} leads to
 * reconciliation by polling, never to a retry with a new key.
 */
public sealed interface PaymentOutcome {

  /** The money was captured. */
  record Succeeded() implements PaymentOutcome {}

  /** Not final yet (awaiting the payer, the bank, or settlement). */
  record Pending() implements PaymentOutcome {}

  /**
   * Refused; final.
   *
   * @param code the provider's decline code, e.g. {@code card_declined}
   * @param message a sentence for the payer, without sensitive detail
   */
  record Declined(String code, String message) implements PaymentOutcome {
    /** Checks the code is present. */
    public Declined {
      Objects.requireNonNull(code, "code");
      message = message == null ? code : message;
    }
  }

  /** The provider does not say (yet); poll it later. */
  record Unknown() implements PaymentOutcome {}

  /** Whether the outcome will not change any more. */
  default boolean isFinal() {
    return this instanceof Succeeded || this instanceof Declined;
  }

  /** The shared {@link Succeeded} value. */
  PaymentOutcome SUCCEEDED = new Succeeded();

  /** The shared {@link Pending} value. */
  PaymentOutcome PENDING = new Pending();

  /** The shared {@link Unknown} value. */
  PaymentOutcome UNKNOWN = new Unknown();
}
