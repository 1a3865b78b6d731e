package dev.kopek.billing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The billing contract (docs/BILLING.md) as a pure function: given a wallet's active segments, its
 * balance and the time the timer fired, which entries to post and what happens next. Amounts come
 * from stored timestamps only, never from how often a timer fired, so an early, late or repeated
 * run charges the same in total.
 */
final class WalletPlanner {

  private WalletPlanner() {}

  /** Runs the wallet's timer at {@code atMs}: charges every period ended, or suspends. */
  static WalletPlan run(List<Segment> active, long balanceMinor, long atMs) {
    return plan(active, balanceMinor, atMs, null);
  }

  /**
   * Runs the wallet at {@code atMs} and then ends the segment of {@code endingSubscription} at that
   * instant (a plan change or a cancel): its partial period is charged too. If the balance does not
   * cover the usage up to {@code atMs}, the wallet is suspended instead (earlier), and the ending
   * segment with it.
   */
  static WalletPlan runAndEnd(
      List<Segment> active, long balanceMinor, long atMs, String endingSubscription) {
    return plan(active, balanceMinor, atMs, endingSubscription);
  }

  private static WalletPlan plan(
      List<Segment> active, long balanceMinor, long atMs, String ending) {
    if (active.isEmpty()) {
      return new WalletPlan(List.of(), List.of(), null, 0, null);
    }
    long owedNow = accrued(active, atMs);
    if (owedNow > balanceMinor) {
      return suspend(active, balanceMinor, atMs);
    }
    List<WalletPlan.Charge> charges = new ArrayList<>();
    List<Segment> after = new ArrayList<>();
    for (Segment segment : active) {
      Segment charged = chargeFullPeriods(segment, segment.fullPeriodsBy(atMs), charges);
      if (segment.subscriptionId().equals(ending)) {
        charged = chargePartial(charged, atMs, charges);
      }
      after.add(charged);
    }
    charges.sort(
        Comparator.comparingLong(WalletPlan.Charge::toMs)
            .thenComparing(WalletPlan.Charge::subscriptionId));
    long charged = charges.stream().mapToLong(WalletPlan.Charge::amountMinor).sum();
    List<Segment> running = after.stream().filter(s -> !s.subscriptionId().equals(ending)).toList();
    return new WalletPlan(
        charges, after, null, 0, nextCharge(running, balanceMinor - charged, atMs));
  }

  /**
   * The balance ran out at the last millisecond whose usage it covers: charge every segment up to
   * that instant (full periods, then the partial one) and suspend them all there.
   */
  private static WalletPlan suspend(List<Segment> active, long balanceMinor, long atMs) {
    long low = active.stream().mapToLong(Segment::billedThroughMs).min().orElseThrow();
    long high = atMs;
    // Largest instant in [low, atMs] whose usage the balance covers; usage grows with time.
    while (low < high) {
      long mid = low + (high - low + 1) / 2;
      if (accrued(active, mid) <= balanceMinor) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    long suspendedAt = low;
    List<WalletPlan.Charge> charges = new ArrayList<>();
    List<Segment> after = new ArrayList<>();
    for (Segment segment : active) {
      Segment charged = chargeFullPeriods(segment, segment.fullPeriodsBy(suspendedAt), charges);
      after.add(chargePartial(charged, suspendedAt, charges));
    }
    charges.sort(
        Comparator.comparingLong(WalletPlan.Charge::toMs)
            .thenComparing(WalletPlan.Charge::subscriptionId));
    // Usage between the instant the balance ran out and the run, at each subscription's rate:
    // zero when the timer fired on time (within a millisecond's worth of usage).
    long uncollected = 0;
    for (Segment segment : active) {
      uncollected =
          Math.addExact(
              uncollected,
              Proration.owed(segment.priceMinor(), segment.periodMs(), suspendedAt, atMs));
    }
    return new WalletPlan(charges, after, suspendedAt, uncollected, null);
  }

  private static Segment chargeFullPeriods(
      Segment segment, long periodsBy, List<WalletPlan.Charge> charges) {
    long charged = segment.chargedMinor();
    for (long k = segment.periodsCharged() + 1; k <= periodsBy; k++) {
      long owedAtEnd =
          Proration.owed(
              segment.priceMinor(), segment.periodMs(), segment.anchorMs(), segment.periodEnd(k));
      long amount = owedAtEnd - charged;
      charges.add(
          new WalletPlan.Charge(
              segment.subscriptionId(),
              segment.planCode(),
              segment.segment(),
              k,
              amount,
              segment.periodEnd(k - 1),
              segment.periodEnd(k),
              false));
      charged = owedAtEnd;
    }
    return new Segment(
        segment.subscriptionId(),
        segment.planCode(),
        segment.segment(),
        segment.anchorMs(),
        segment.priceMinor(),
        segment.periodMs(),
        Math.max(segment.periodsCharged(), periodsBy),
        charged);
  }

  /** The ending segment's last, partial period up to {@code endMs}, if it owes anything. */
  private static Segment chargePartial(
      Segment segment, long endMs, List<WalletPlan.Charge> charges) {
    long amount = segment.accrued(endMs);
    if (amount > 0) {
      charges.add(
          new WalletPlan.Charge(
              segment.subscriptionId(),
              segment.planCode(),
              segment.segment(),
              segment.periodsCharged() + 1,
              amount,
              segment.billedThroughMs(),
              endMs,
              true));
    }
    return new Segment(
        segment.subscriptionId(),
        segment.planCode(),
        segment.segment(),
        segment.anchorMs(),
        segment.priceMinor(),
        segment.periodMs(),
        segment.periodsCharged(),
        segment.chargedMinor() + amount);
  }

  /**
   * When the timer is due next: the earliest next period boundary, or earlier, the first
   * millisecond whose usage the remaining balance no longer covers.
   */
  static Long nextCharge(List<Segment> active, long balanceMinor, long afterMs) {
    if (active.isEmpty()) {
      return null;
    }
    long boundary = active.stream().mapToLong(Segment::nextBoundary).min().orElseThrow();
    if (accrued(active, boundary) <= balanceMinor) {
      return boundary;
    }
    long low = afterMs;
    long high = boundary;
    // Smallest instant in (afterMs, boundary] whose usage the balance does not cover.
    while (low + 1 < high) {
      long mid = low + (high - low) / 2;
      if (accrued(active, mid) > balanceMinor) {
        high = mid;
      } else {
        low = mid;
      }
    }
    return high;
  }

  /**
   * The last millisecond, from {@code fromMs} on, whose usage {@code balanceMinor} covers: where
   * the wallet's runway ends (its subscriptions are suspended there if nothing changes). Null when
   * nothing is active; {@code fromMs} itself when the balance does not even cover that.
   */
  static Long lastCovered(List<Segment> active, long balanceMinor, long fromMs) {
    if (active.isEmpty()) {
      return null;
    }
    if (!covers(active, balanceMinor, fromMs)) {
      return fromMs;
    }
    long cap = fromMs + RUNWAY_HORIZON_MS;
    long step = 60_000;
    long high = fromMs + step;
    while (covers(active, balanceMinor, high)) {
      if (high >= cap) {
        return cap;
      }
      step *= 2;
      high = Math.min(cap, fromMs + step);
    }
    long low = fromMs;
    // Largest instant in [fromMs, high) whose usage the balance covers.
    while (low + 1 < high) {
      long mid = low + (high - low) / 2;
      if (!covers(active, balanceMinor, mid)) {
        high = mid;
      } else {
        low = mid;
      }
    }
    return low;
  }

  /** Whether the balance covers the usage up to {@code atMs} (usage beyond a long does not). */
  private static boolean covers(List<Segment> active, long balanceMinor, long atMs) {
    try {
      return accrued(active, atMs) <= balanceMinor;
    } catch (ArithmeticException beyondLong) {
      return false;
    }
  }

  /** Runways are looked for up to a century ahead. */
  static final long RUNWAY_HORIZON_MS = 100L * 366 * 24 * 3600_000;

  static long accrued(List<Segment> active, long atMs) {
    long total = 0;
    for (Segment segment : active) {
      total = Math.addExact(total, segment.accrued(atMs));
    }
    return total;
  }
}
