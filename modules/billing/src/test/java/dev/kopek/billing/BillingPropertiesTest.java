package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The billing contract over random plans, balances, event sequences and timer jitter, simulated
 * with the production planner and the verticle's rules for applying its plans: every segment is
 * charged exactly the floor-rounded price of the time it ran funded, no balance ever goes negative,
 * and no period reference is charged twice.
 */
class BillingPropertiesTest {

  /** Fixed-length periods from a second to 31 days, including ones prices do not divide. */
  static final long[] PERIODS_MS = {
    1_000, 7_000, 60_000, 420_000, 3_600_000, 86_400_000, 31L * 86_400_000
  };

  record Plan(String code, long priceMinor, long periodMs) {}

  record Event(int kind, long afterMs, long amount, int target) {}

  @Provide
  Arbitrary<Plan> plans() {
    return Combinators.combine(
            Arbitraries.longs().between(1, 10_000_000), Arbitraries.of(0, 1, 2, 3, 4, 5, 6))
        .as((price, period) -> new Plan("p" + price + "_" + period, price, PERIODS_MS[period]));
  }

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Event> event =
        Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.longs().between(0, 4 * 86_400_000L),
                Arbitraries.longs().between(1, 50_000_000),
                Arbitraries.integers().between(0, 3))
            .as(Event::new);
    return event.list().ofMinSize(1).ofMaxSize(40);
  }

  /** A segment as it ran: for the final check against the formula. */
  static final class Ran {
    final String subscription;
    final long anchor;
    final long price;
    final long period;
    long end = -1;
    long charged;

    Ran(String subscription, long anchor, long price, long period) {
      this.subscription = subscription;
      this.anchor = anchor;
      this.price = price;
      this.period = period;
    }
  }

  /** The wallet as the billing verticle would leave it. */
  static final class Wallet {
    long balance;
    long now;
    long toppedUp;
    final Map<String, Segment> active = new HashMap<>();
    final Map<String, Plan> suspended = new HashMap<>();
    final Map<String, Integer> segmentNumbers = new HashMap<>();
    final Map<String, Ran> running = new HashMap<>();
    final List<Ran> ran = new ArrayList<>();
    final Set<String> references = new HashSet<>();

    void apply(WalletPlan plan, long at, String ending) {
      for (WalletPlan.Charge charge : plan.charges()) {
        assertThat(references.add(charge.reference())).as("reference charged twice").isTrue();
        assertThat(charge.amountMinor()).isPositive();
        balance -= charge.amountMinor();
        running.get(charge.subscriptionId()).charged += charge.amountMinor();
      }
      assertThat(balance).as("balance").isNotNegative();
      for (Segment segment : plan.after()) {
        active.put(segment.subscriptionId(), segment);
      }
      if (plan.suspendedAtMs() != null) {
        for (Segment segment : plan.after()) {
          end(segment.subscriptionId(), plan.suspendedAtMs());
          suspended.put(
              segment.subscriptionId(),
              new Plan(segment.planCode(), segment.priceMinor(), segment.periodMs()));
        }
        active.clear();
      } else if (ending != null && active.containsKey(ending)) {
        end(ending, at);
        active.remove(ending);
      }
    }

    void end(String subscription, long at) {
      Ran segment = running.remove(subscription);
      segment.end = at;
      ran.add(segment);
    }

    void start(String subscription, Plan plan, long at) {
      int number = segmentNumbers.merge(subscription, 1, Integer::sum);
      active.put(
          subscription,
          new Segment(
              subscription, plan.code(), number, at, plan.priceMinor(), plan.periodMs(), 0, 0));
      running.put(subscription, new Ran(subscription, at, plan.priceMinor(), plan.periodMs()));
    }

    void timer(long at) {
      apply(WalletPlanner.run(List.copyOf(active.values()), balance, at), at, null);
    }

    void credit(long amount, long at) {
      balance += amount;
      toppedUp += amount;
      timer(at);
      long threshold =
          suspended.values().stream()
              .mapToLong(p -> RunPlanner.minuteOf(p.priceMinor(), p.periodMs()))
              .sum();
      if (!suspended.isEmpty() && active.isEmpty() && balance >= threshold) {
        suspended.forEach((id, plan) -> start(id, plan, at));
        suspended.clear();
      }
    }

    void endNow(String subscription, long at) {
      if (active.containsKey(subscription)) {
        apply(
            WalletPlanner.runAndEnd(List.copyOf(active.values()), balance, at, subscription),
            at,
            subscription);
      }
    }
  }

  @Property(tries = 300)
  void everySegmentCostsTheFloorOfItsFundedTime(
      @ForAll("plans") Plan first,
      @ForAll("plans") Plan second,
      @ForAll @LongRange(min = 0, max = 100_000_000) long opening,
      @ForAll("events") List<Event> events) {
    Wallet wallet = new Wallet();
    wallet.balance = opening;
    wallet.toppedUp = opening;
    List<Plan> plans = List.of(first, second);
    int created = 0;
    if (opening > 0) {
      wallet.start("s0", first, 0);
      created++;
    }
    for (Event event : events) {
      long at = wallet.now + event.afterMs();
      wallet.now = at;
      String target = "s" + (event.target() % Math.max(1, created));
      switch (event.kind()) {
        case 0, 1, 2, 3 -> wallet.timer(at);
        case 4 -> wallet.timer(at - Math.min(event.afterMs(), 1)); // a timer firing early
        case 5, 6 -> wallet.credit(event.amount(), at);
        case 7 -> {
          wallet.endNow(target, at);
          if (!wallet.running.containsKey(target)
              && wallet.segmentNumbers.containsKey(target)
              && !wallet.suspended.containsKey(target)) {
            wallet.start(target, plans.get(event.target() % 2), at);
          }
        }
        case 8 -> {
          if (wallet.balance > 0 && created < 4) {
            wallet.timer(at);
            if (!wallet.active.isEmpty() || wallet.suspended.isEmpty()) {
              wallet.start("s" + created++, plans.get(event.target() % 2), at);
            }
          }
        }
        default -> wallet.endNow(target, at);
      }
    }
    long end = wallet.now + 1;
    for (String subscription : List.copyOf(wallet.active.keySet())) {
      wallet.endNow(subscription, end);
    }
    wallet
        .running
        .values()
        .forEach(
            r -> {
              r.end = end;
              wallet.ran.add(r);
            });
    long charged = 0;
    for (Ran segment : wallet.ran) {
      long exact = Proration.owed(segment.price, segment.period, segment.anchor, segment.end);
      if (wallet.active.containsKey(segment.subscription)) {
        continue;
      }
      assertThat(segment.charged)
          .as("segment of %s from %d to %d", segment.subscription, segment.anchor, segment.end)
          .isEqualTo(exact);
      charged += segment.charged;
    }
    assertThat(wallet.balance).isNotNegative();
    assertThat(charged + wallet.balance).isEqualTo(wallet.toppedUp);
  }

  @Property(tries = 200)
  void jitteredTimersChargeTheSameAsPunctualOnes(
      @ForAll("plans") Plan plan,
      @ForAll @IntRange(min = 1, max = 200) int periods,
      @ForAll("events") List<Event> jitter) {
    long horizon = periods * plan.periodMs();
    Segment start = new Segment("s", plan.code(), 1, 0, plan.priceMinor(), plan.periodMs(), 0, 0);
    long rich = Long.MAX_VALUE / 4;
    List<Segment> punctual = List.of(start);
    for (long k = 1; k <= periods; k++) {
      punctual = WalletPlanner.run(punctual, rich, k * plan.periodMs()).after();
    }
    List<Segment> jittered = List.of(start);
    long at = 0;
    for (Event event : jitter) {
      at = Math.min(horizon, at + event.afterMs() % (3 * plan.periodMs()));
      jittered = WalletPlanner.run(jittered, rich, at).after();
      if (event.kind() % 3 == 0) {
        jittered = WalletPlanner.run(jittered, rich, at).after();
      }
    }
    jittered = WalletPlanner.run(jittered, rich, horizon).after();
    assertThat(jittered.get(0).chargedMinor())
        .isEqualTo(punctual.get(0).chargedMinor())
        .isEqualTo(Math.multiplyExact(plan.priceMinor(), (long) periods));
  }
}
