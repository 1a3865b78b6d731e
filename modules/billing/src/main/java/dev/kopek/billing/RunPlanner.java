package dev.kopek.billing;

import dev.kopek.billing.PendingRun.Resumed;
import dev.kopek.billing.RunRequest.Action;
import dev.kopek.billing.RunRequest.PlanTerms;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans a run of one wallet from its stored subscriptions and its balance: {@link WalletPlanner}'s
 * charges, then what the request itself changes (a new segment after a plan change, an activation,
 * resumes), and when the timer is due next. Pure: the saga stores the result.
 */
final class RunPlanner {

  /** The default resume threshold: this much of the wallet's total rate. */
  private static final long RESUME_DEFAULT_MS = 60_000;

  private final BillingConfig config;

  RunPlanner(BillingConfig config) {
    this.config = config;
  }

  PendingRun plan(
      RunRequest request,
      List<SubscriptionRow> subscriptions,
      long balanceMinor,
      long atMs,
      RunwayAlerts.State runway) {
    List<Segment> active =
        subscriptions.stream()
            .filter(SubscriptionRow::isActive)
            .map(SubscriptionRow::segmentState)
            .toList();
    SubscriptionRow target =
        subscriptions.stream()
            .filter(s -> s.id().equals(request.subscriptionId()))
            .findFirst()
            .orElse(null);
    boolean ending = target != null && target.isActive() && request.endsSegment();
    WalletPlan plan =
        ending
            ? WalletPlanner.runAndEnd(active, balanceMinor, atMs, target.id())
            : WalletPlanner.run(active, balanceMinor, atMs);
    List<Resumed> resumed = new ArrayList<>();
    List<Segment> activeAfter = new ArrayList<>();
    if (plan.suspendedAtMs() == null) {
      plan.after().stream()
          .filter(s -> !(ending && s.subscriptionId().equals(target.id())))
          .forEach(activeAfter::add);
      PlanTerms newPlan = request.newPlan();
      if (ending && request.action() == Action.CHANGE) {
        activeAfter.add(newSegment(target.id(), target.segment() + 1, newPlan, atMs));
      }
      if (request.action() == Action.ACTIVATE) {
        activeAfter.add(newSegment(request.subscriptionId(), 1, newPlan, atMs));
      }
      if (request.action() == Action.RESUME) {
        resumed = resume(subscriptions, balanceMinor - plan.totalMinor());
        resumed.forEach(
            r -> activeAfter.add(newSegment(r.subscriptionId(), r.segment() + 1, r.plan(), atMs)));
      }
    }
    long balanceAfter = balanceMinor - plan.totalMinor();
    Long next =
        plan.suspendedAtMs() != null
            ? null
            : WalletPlanner.nextCharge(activeAfter, balanceAfter, atMs);
    Long runout =
        plan.suspendedAtMs() != null
            ? null
            : WalletPlanner.lastCovered(activeAfter, balanceAfter, atMs);
    RunwayAlerts.Outcome alerts = RunwayAlerts.evaluate(config.runwayLowMs(), runway, runout, atMs);
    if (alerts.nextAtMs() != null && (next == null || alerts.nextAtMs() < next)) {
      // The timer falls due at the exact instant the runway crosses the next threshold.
      next = alerts.nextAtMs();
    }
    return new PendingRun(
        PendingRun.newRunId(),
        request,
        atMs,
        balanceMinor,
        List.copyOf(plan.charges()),
        List.copyOf(plan.after()),
        plan.suspendedAtMs(),
        plan.uncollectedMinor(),
        List.copyOf(resumed),
        next,
        alerts.alerts(),
        alerts.state());
  }

  private static Segment newSegment(String subscriptionId, int segment, PlanTerms plan, long atMs) {
    return new Segment(
        subscriptionId, plan.code(), segment, atMs, plan.priceMinor(), plan.periodMs(), 0, 0);
  }

  /**
   * The suspended subscriptions of the wallet that resume, all of them when the balance reaches the
   * threshold ({@code billing.resume_min_minor}, or one minute of the suspended subscriptions'
   * total rate), none otherwise. Each gets a new segment anchored now, so the suspended gap is
   * never charged.
   */
  private List<Resumed> resume(List<SubscriptionRow> subscriptions, long balanceMinor) {
    List<SubscriptionRow> suspended =
        subscriptions.stream().filter(s -> "suspended".equals(s.status())).toList();
    if (suspended.isEmpty()) {
      return new ArrayList<>();
    }
    long threshold = config.resumeMinMinor();
    if (threshold == 0) {
      for (SubscriptionRow subscription : suspended) {
        threshold =
            Math.addExact(threshold, minuteOf(subscription.priceMinor(), subscription.periodMs()));
      }
      threshold = Math.max(1, threshold);
    }
    if (balanceMinor < threshold) {
      return new ArrayList<>();
    }
    List<Resumed> resumed = new ArrayList<>();
    for (SubscriptionRow subscription : suspended) {
      resumed.add(
          new Resumed(
              subscription.id(),
              subscription.segment(),
              new PlanTerms(
                  subscription.planCode(), subscription.priceMinor(), subscription.periodMs())));
    }
    return resumed;
  }

  /** What {@link #RESUME_DEFAULT_MS} of a plan costs, rounded up. */
  static long minuteOf(long priceMinor, long periodMs) {
    long exact = Proration.owed(priceMinor, periodMs, 0, RESUME_DEFAULT_MS);
    return Math.multiplyExact(exact, periodMs) == Math.multiplyExact(priceMinor, RESUME_DEFAULT_MS)
        ? exact
        : exact + 1;
  }
}
