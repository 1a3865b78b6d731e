package dev.kopek.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

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

  /** A value that may change while it is awaited. */
  @FunctionalInterface
  public interface Read<T> {
    /**
     * Reads the value.
     *
     * @return the value
     * @throws Exception when it cannot be read
     */
    T get() throws Exception;
  }

  /**
   * Reads {@code read} until {@code done} holds for its value or {@code within} has elapsed, and
   * returns the last value read either way, for the caller's assertion to show.
   *
   * @param within the longest wait
   * @param read reads the value
   * @param done whether the value is the awaited one
   * @return the last value read
   * @throws Exception what {@code read} threw
   */
  public static <T> T value(Duration within, Read<T> read, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    T value = read.get();
    while (!done.test(value) && System.nanoTime() < deadline) {
      Thread.sleep(PAUSE_MS);
      value = read.get();
    }
    return value;
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
