package dev.kopek.gateway.spi;

import java.util.Objects;

/** What the payer's form submission to Kopek's hosted page produced. */
public sealed interface SubmitResult {

  /**
   * The provider took the submission.
   *
   * @param outcome where the payment stands now
   * @param providerReference the provider's id of the payment
   */
  record Accepted(PaymentOutcome outcome, String providerReference) implements SubmitResult {
    /** Checks the outcome is present. */
    public Accepted {
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /**
   * The form was incomplete or malformed; the payer can correct it.
   *
   * @param field the form field to fix
   * @param message what is wrong
   */
  record Invalid(String field, String message) implements SubmitResult {}

  /**
   * The provider call failed.
   *
   * @param failure what went wrong
   */
  record Failed(GatewayFailure failure) implements SubmitResult {}
}
