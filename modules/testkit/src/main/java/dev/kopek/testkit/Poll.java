package dev.kopek.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests for something that happens on another thread (a timer, a janitor round, a
 * process): polls until it holds or the time is up, then fails naming what was awaited. The one
 * polling loop of Kopek's tests.
 */
public final class Poll {

  /** How long a poll sleeps between two looks. */
  private static final long PAUSE_MS = 20;

  private Poll() {}

  /** An assertion that may fail for a while. */
  @FunctionalInterface
  public interface Check {
    /**
     * Runs the assertion.
     *
     * @throws Exception when it does not hold yet
     */
    void run() throws Exception;
  }

  /**
   * Waits until {@code condition} holds.
   *
   * @param within the longest wait
   * @param what what is awaited, for the failure
   * @param condition the condition
   * @throws InterruptedException when interrupted
   */
  public static void until(Duration within, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      Thread.sleep(PAUSE_MS);
    }
  }

  /**
   * Retries {@code check} until it passes or {@code within} has elapsed, then fails with its last
   * failure.
   *
   * @param within the longest wait
   * @param check the assertion
   * @throws Exception the assertion's last failure
   */
  public static void eventually(Duration within, Check check) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | Exception failed) {
        if (System.nanoTime() > deadline) {
          throw failed;
        }
      }
      Thread.sleep(PAUSE_MS);
    }
  }
}
