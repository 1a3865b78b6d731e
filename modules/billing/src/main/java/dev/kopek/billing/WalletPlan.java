package dev.kopek.billing;

import java.util.List;

/**
 * What one run of a wallet's timer does: the charges to post (one per period, chronological), every
 * segment's state afterwards, and, when the balance ran out, the instant the wallet's subscriptions
 * were suspended at and what went uncollected.
 *
 * @param charges the entries to post, all or none
 * @param after each active segment after the charges (settled up to the run's time)
 * @param suspendedAtMs the instant the balance ran out, or null
 * @param uncollectedMinor usage after the balance ran out and before the run (a late timer)
 * @param nextChargeAtMs when the timer is due next, or null when nothing is active
 */
record WalletPlan(
    List<Charge> charges,
    List<Segment> after,
    Long suspendedAtMs,
    long uncollectedMinor,
    Long nextChargeAtMs) {

  /**
   * One ledger entry: a period (or, at a segment's end, the part of one) of a subscription.
   *
   * @param subscriptionId the subscription
   * @param planCode its plan
   * @param segment the segment
   * @param k the period's number within the segment (its reference)
   * @param amountMinor what it costs
   * @param fromMs the period's start
   * @param toMs the period's end (for a partial period, where usage stopped)
   * @param partial whether it is the last, partial period of an ending segment
   */
  record Charge(
      String subscriptionId,
      String planCode,
      int segment,
      long k,
      long amountMinor,
      long fromMs,
      long toMs,
      boolean partial) {

    String reference() {
      return "billing:" + subscriptionId + ":" + segment + ":" + k;
    }
  }

  long totalMinor() {
    return charges.stream().mapToLong(Charge::amountMinor).sum();
  }
}
