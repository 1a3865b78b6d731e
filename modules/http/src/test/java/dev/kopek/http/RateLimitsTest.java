package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The budget arithmetic on a clock the test moves. */
class RateLimitsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

  private RateLimits limits(int perSecond, int burst) {
    return new RateLimits(new RateLimits.Limit(perSecond, burst), RateLimits.Limit.NONE, now::get);
  }

  @Test
  @DisplayName("a burst is let through whole, the next request waits one interval, then the rate")
  void burstThenRate() {
    RateLimits limits = limits(10, 5);
    RateLimits.Limit limit = limits.users();
    for (int i = 0; i < 5; i++) {
      assertThat(limits.take("user:a", limit)).as("request %d of the burst", i).isZero();
    }
    long wait = limits.take("user:a", limit);
    assertThat(wait).isEqualTo(100_000_000L);
    now.addAndGet(99_999_999L);
    assertThat(limits.take("user:a", limit)).isEqualTo(1L);
    now.addAndGet(1L);
    assertThat(limits.take("user:a", limit)).isZero();
    assertThat(limits.take("user:a", limit)).isEqualTo(100_000_000L);
    // Another caller has a budget of its own.
    assertThat(limits.take("user:b", limit)).isZero();
    // Over ten seconds, exactly the rate (plus nothing: the burst was spent).
    int admitted = 0;
    for (int step = 0; step < 10_000; step++) {
      now.addAndGet(1_000_000L);
      if (limits.take("user:a", limit) == 0) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(100);
  }

  @Test
  @DisplayName("an idle caller's budget refills to its burst, never beyond")
  void refillsToBurstOnly() {
    RateLimits limits = limits(2, 3);
    RateLimits.Limit limit = limits.users();
    for (int i = 0; i < 3; i++) {
      assertThat(limits.take("user:a", limit)).isZero();
    }
    now.addAndGet(3_600_000_000_000L);
    for (int i = 0; i < 3; i++) {
      assertThat(limits.take("user:a", limit)).isZero();
    }
    assertThat(limits.take("user:a", limit)).isEqualTo(500_000_000L);
  }

  @Test
  @DisplayName("callers whose budget is whole again are forgotten; spending ones are kept")
  void sweepForgetsWholeBudgets() {
    RateLimits limits = limits(1, 10);
    RateLimits.Limit limit = limits.users();
    limits.take("user:idle", limit);
    for (int i = 0; i < 10; i++) {
      limits.take("user:busy", limit);
    }
    now.addAndGet(1_500_000_000L);
    limits.sweep();
    assertThat(limits.tracked()).isEqualTo(1);
    assertThat(limits.take("user:busy", limit)).isZero();
    assertThat(limits.take("user:busy", limit)).isPositive();
  }

  @Test
  @DisplayName("threads racing for one budget are admitted exactly the burst, no more")
  void concurrentCallersShareOneBudget() throws Exception {
    RateLimits limits = limits(1, 1_000);
    RateLimits.Limit limit = limits.users();
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < 500; i++) {
                  if (limits.take("user:hot", limit) == 0) {
                    admitted.incrementAndGet();
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(admitted.get()).isEqualTo(1_000);
  }

  @Test
  @DisplayName("settings: defaults, 0 turns a limit off, bad values name the key")
  void settings() {
    RateLimits defaults = RateLimits.from(new JsonObject(), now::get);
    assertThat(defaults.users()).isEqualTo(new RateLimits.Limit(100, 200));
    assertThat(defaults.apiKeys()).isEqualTo(new RateLimits.Limit(1_000, 2_000));
    RateLimits off =
        RateLimits.from(
            new JsonObject()
                .put(
                    "rate_limits",
                    new JsonObject().put("user_per_second", 0).put("api_key_per_second", 0)),
            now::get);
    assertThat(off.users().limited()).isFalse();
    assertThat(off.apiKeys().limited()).isFalse();
    assertThatThrownBy(
            () ->
                RateLimits.from(
                    new JsonObject().put("rate_limits", new JsonObject().put("api_key_burst", 0)),
                    now::get))
        .hasMessageContaining("rate_limits.api_key_burst");
    assertThatThrownBy(
            () ->
                RateLimits.from(
                    new JsonObject()
                        .put("rate_limits", new JsonObject().put("user_per_second", -1)),
                    now::get))
        .hasMessageContaining("rate_limits.user_per_second");
  }
}
