package dev.kopek.billing;

/**
 * A subscription as billing computes with it: its current segment and what that segment was charged
 * so far. Immutable; a run produces new values.
 *
 * @param subscriptionId the subscription
 * @param planCode the plan the segment runs on
 * @param segment the segment's number (1 at activation, +1 at each change or resume)
 * @param anchorMs the segment's start, epoch milliseconds
 * @param priceMinor price per period, minor units
 * @param periodMs the period's length
 * @param periodsCharged full periods of the segment charged so far
 * @param chargedMinor what the segment was charged so far
 */
record Segment(
    String subscriptionId,
    String planCode,
    int segment,
    long anchorMs,
    long priceMinor,
    long periodMs,
    long periodsCharged,
    long chargedMinor) {

  /** What the segment owes, beyond what it was charged, for usage up to {@code atMs}. */
  long accrued(long atMs) {
    return Math.max(0, Proration.owed(priceMinor, periodMs, anchorMs, atMs) - chargedMinor);
  }

  /** The end of full period {@code k} of the segment. */
  long periodEnd(long k) {
    return Math.addExact(anchorMs, Math.multiplyExact(k, periodMs));
  }

  /** Full periods ended by {@code atMs}. */
  long fullPeriodsBy(long atMs) {
    return atMs <= anchorMs ? 0 : (atMs - anchorMs) / periodMs;
  }

  /** The end of the next period not charged yet. */
  long nextBoundary() {
    return periodEnd(periodsCharged + 1);
  }

  /** Where usage is settled up to. */
  long billedThroughMs() {
    return periodEnd(periodsCharged);
  }
}
