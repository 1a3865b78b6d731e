package dev.kopek.billing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code wallet.runway_low}: when the runway of a wallet's active subscriptions (the time until its
 * balance no longer covers them, where they would be suspended) crosses below each threshold. A
 * threshold fires once per crossing and re-arms when the runway is back above it (a top-up, a plan
 * change, a cancel, a suspension). The crossing instant is exact: the wallet's timer falls due at
 * {@code runout − threshold}, and a crossing that came with time is dated there even when the timer
 * ran late; one that a change brought (a debit, a new subscription) is dated at the change. Pure,
 * like the rest of the planning.
 */
final class RunwayAlerts {

  private RunwayAlerts() {}

  /**
   * What the wallet's alerts stood at after its last run.
   *
   * @param alertedMs the smallest threshold announced since the runway was last above it, or null
   * @param runoutAtMs the last millisecond the balance covered, as projected then, or null
   */
  record State(Long alertedMs, Long runoutAtMs) {
    static final State NONE = new State(null, null);
  }

  /**
   * A threshold crossed.
   *
   * @param thresholdMs the threshold
   * @param occurredAtMs when the runway crossed it
   * @param runoutAtMs the last millisecond the balance covers
   */
  record Alert(long thresholdMs, long occurredAtMs, long runoutAtMs) {}

  /**
   * The outcome of a run for the alerts.
   *
   * @param alerts thresholds crossed now, largest first
   * @param state the state to store
   * @param nextAtMs when the next armed threshold is crossed if nothing changes, or null
   */
  record Outcome(List<Alert> alerts, State state, Long nextAtMs) {}

  /**
   * @param thresholdsMs the thresholds, largest first
   * @param before the stored state
   * @param runoutAtMs the wallet's runway end after the run, or null when nothing is active
   * @param atMs the run's time
   */
  static Outcome evaluate(List<Long> thresholdsMs, State before, Long runoutAtMs, long atMs) {
    if (runoutAtMs == null) {
      return new Outcome(List.of(), State.NONE, null);
    }
    long runway = runoutAtMs - atMs;
    boolean sameProjection = Objects.equals(before.runoutAtMs(), runoutAtMs);
    List<Alert> alerts = new ArrayList<>();
    Long alerted = null;
    Long next = null;
    for (long threshold : thresholdsMs) {
      if (runway <= threshold) {
        boolean announced = before.alertedMs() != null && threshold >= before.alertedMs();
        if (!announced) {
          long occurred = sameProjection ? Math.min(atMs, runoutAtMs - threshold) : atMs;
          alerts.add(new Alert(threshold, occurred, runoutAtMs));
        }
        alerted = threshold;
      } else {
        long crossing = runoutAtMs - threshold;
        next = next == null ? crossing : Math.min(next, crossing);
      }
    }
    return new Outcome(List.copyOf(alerts), new State(alerted, runoutAtMs), next);
  }
}
