package dev.kopek.payments;

import java.time.Instant;

/**
 * What one step of a refund learned, written with its move to the next state; null fields keep what
 * the refund holds.
 *
 * @param debitEntryId the debit's ledger entry
 * @param reversalEntryId the reversal's ledger entry
 * @param providerReference the provider's id of the refund
 * @param failureCode why nothing was refunded (the provider's code, insufficient_funds)
 * @param failureMessage the same, in words
 * @param leaseUntil the lease after the step; null releases it
 * @param nextAttemptAt when the janitor should look next; null when the refund is settled
 */
record RefundStep(
    Long debitEntryId,
    Long reversalEntryId,
    String providerReference,
    String failureCode,
    String failureMessage,
    Instant leaseUntil,
    Instant nextAttemptAt) {

  /** A step that learned nothing new. */
  static RefundStep keep(Instant leaseUntil, Instant nextAttemptAt) {
    return new RefundStep(null, null, null, null, null, leaseUntil, nextAttemptAt);
  }
}
