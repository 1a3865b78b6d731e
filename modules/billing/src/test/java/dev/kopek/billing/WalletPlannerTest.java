package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The seed's hazards, each checked to the minor unit against the billing contract. */
@DisplayName("WalletPlanner")
class WalletPlannerTest {

  static final long SECOND = 1000;
  static final long MINUTE = 60 * SECOND;
  static final long HOUR = 60 * MINUTE;

  static Segment pro(long anchor) {
    return new Segment("sub_a", "pro", 1, anchor, 120, HOUR, 0, 0);
  }

  /** Applies a plan the way the billing verticle does, returning the segments afterwards. */
  static List<Segment> after(WalletPlan plan) {
    return plan.after();
  }

  @Test
  @DisplayName(
      "timers firing early, late or twice charge the same: one entry per period, N x price")
  void irregularTimers() {
    long[][] patterns = {
      {HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR, 5 * HOUR},
      {HOUR - 1, HOUR, HOUR, 2 * HOUR + 7, 5 * HOUR},
      {5 * HOUR},
      {30 * MINUTE, 90 * MINUTE, 90 * MINUTE, 4 * HOUR + 59 * MINUTE, 5 * HOUR, 5 * HOUR}
    };
    for (long[] firings : patterns) {
      List<Segment> state = List.of(pro(0));
      long charged = 0;
      long entries = 0;
      java.util.Set<String> references = new java.util.HashSet<>();
      for (long at : firings) {
        WalletPlan plan = WalletPlanner.run(state, 1_000_000, at);
        charged += plan.totalMinor();
        entries += plan.charges().size();
        plan.charges().forEach(c -> assertThat(references.add(c.reference())).isTrue());
        state = after(plan);
      }
      assertThat(charged).isEqualTo(5 * 120);
      assertThat(entries).isEqualTo(5);
      assertThat(references).contains("billing:sub_a:1:1", "billing:sub_a:1:5");
    }
  }

  @Test
  @DisplayName(
      "a scheduler stopped for 5 h 17 min charges the 5 periods on restart and the partial "
          + "one at the next boundary")
  void downtime() {
    WalletPlan restart = WalletPlanner.run(List.of(pro(0)), 10_000, 5 * HOUR + 17 * MINUTE);
    assertThat(restart.charges())
        .hasSize(5)
        .allSatisfy(c -> assertThat(c.amountMinor()).isEqualTo(120));
    assertThat(restart.charges())
        .extracting(WalletPlan.Charge::k)
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(restart.nextChargeAtMs()).isEqualTo(6 * HOUR);
    WalletPlan next = WalletPlanner.run(restart.after(), 10_000 - 600, 6 * HOUR);
    assertThat(next.charges())
        .singleElement()
        .satisfies(c -> assertThat(c.amountMinor()).isEqualTo(120));
    assertThat(WalletPlanner.run(next.after(), 10_000 - 720, 6 * HOUR).charges()).isEmpty();
  }

  @Test
  @DisplayName(
      "the balance running out mid-period pays exactly the time it covers, and the timer "
          + "falls due at that moment, so nothing goes uncollected")
  void runningOut() {
    WalletPlan first = WalletPlanner.run(List.of(pro(0)), 300, 0);
    assertThat(first.nextChargeAtMs()).isEqualTo(HOUR);
    WalletPlan two = WalletPlanner.run(first.after(), 300, 2 * HOUR);
    assertThat(two.totalMinor()).isEqualTo(240);
    long due = two.nextChargeAtMs();
    // 60 left covers 30 minutes of 120 an hour; the timer falls due when it no longer does.
    assertThat(due).isBetween(2 * HOUR + 30 * MINUTE, 2 * HOUR + 31 * MINUTE);
    WalletPlan out = WalletPlanner.run(two.after(), 60, due);
    assertThat(out.suspendedAtMs()).isEqualTo(due - 1);
    assertThat(out.totalMinor()).isEqualTo(60);
    assertThat(out.uncollectedMinor()).isZero();
    assertThat(out.charges())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.partial()).isTrue();
              assertThat(c.k()).isEqualTo(3);
            });
  }

  @Test
  @DisplayName(
      "a late timer suspends at the instant the balance ran out and reports the uncollected usage")
  void runningOutLate() {
    WalletPlan late = WalletPlanner.run(List.of(pro(0)), 300, 4 * HOUR);
    assertThat(late.totalMinor()).isEqualTo(300);
    assertThat(late.suspendedAtMs()).isBetween(2 * HOUR + 30 * MINUTE, 2 * HOUR + 31 * MINUTE);
    // From about 2 h 30 min to 4 h: 90 minutes of 120 an hour.
    assertThat(late.uncollectedMinor()).isBetween(178L, 180L);
  }

  @Test
  @DisplayName("a plan change settles the old plan to the millisecond and starts the new one then")
  void planChange() {
    long at = HOUR + 20 * MINUTE;
    WalletPlan change = WalletPlanner.runAndEnd(List.of(pro(0)), 1000, at, "sub_a");
    assertThat(change.charges())
        .extracting(WalletPlan.Charge::amountMinor)
        .containsExactly(120L, 40L);
    assertThat(change.charges().get(1).partial()).isTrue();
    assertThat(change.charges().get(1).toMs()).isEqualTo(at);
    Segment basic = new Segment("sub_a", "basic", 2, at, 60, HOUR, 0, 0);
    WalletPlan later = WalletPlanner.run(List.of(basic), 840, at + HOUR);
    assertThat(later.charges())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.amountMinor()).isEqualTo(60);
              assertThat(c.reference()).isEqualTo("billing:sub_a:2:1");
            });
  }

  @Test
  @DisplayName(
      "prices that do not divide the period round once per segment: no drift over many periods")
  void noDrift() {
    Segment odd = new Segment("sub_b", "odd", 1, 0, 100, 7 * MINUTE, 0, 0);
    WalletPlan run =
        WalletPlanner.runAndEnd(List.of(odd), 1_000_000, 1000 * 7 * MINUTE + 123_456, "sub_b");
    assertThat(run.totalMinor())
        .isEqualTo(Proration.owed(100, 7 * MINUTE, 0, 1000 * 7 * MINUTE + 123_456));
    assertThat(run.charges()).hasSize(1001);
  }

  @Test
  @DisplayName("the default resume threshold is one minute of the rate, rounded up")
  void resumeThreshold() {
    assertThat(RunPlanner.minuteOf(120, HOUR)).isEqualTo(2);
    assertThat(RunPlanner.minuteOf(100, 7 * MINUTE)).isEqualTo(15);
    assertThat(RunPlanner.minuteOf(1, HOUR)).isEqualTo(1);
    assertThat(RunPlanner.minuteOf(60, MINUTE)).isEqualTo(60);
  }

  @Test
  @DisplayName("proration is exact where price x time exceeds 64 bits")
  void hugeProducts() {
    assertThat(Proration.owed(9_999_999_999L, 31L * 24 * HOUR, 0, 10L * 365 * 24 * HOUR))
        .isEqualTo(
            java.math.BigInteger.valueOf(9_999_999_999L)
                .multiply(java.math.BigInteger.valueOf(10L * 365 * 24 * HOUR))
                .divide(java.math.BigInteger.valueOf(31L * 24 * HOUR))
                .longValueExact());
  }
}
