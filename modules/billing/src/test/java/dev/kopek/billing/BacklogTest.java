package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * More wallets due than one poll takes up ({@code billing.batch_max}): the polls that stop at the
 * limit are followed at once by the next, so that a backlog does not wait a poll interval per
 * {@code batch_max} wallets.
 */
@DisplayName("A backlog larger than billing.batch_max")
@Timeout(120)
class BacklogTest {

  private static final List<String> USERS =
      List.of("b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10");

  private BillingFixture billing;

  @BeforeEach
  void start() throws Exception {
    // One wallet per poll, and a poll a second: a backlog of ten billed a poll interval apart
    // would take nine seconds at least.
    billing =
        new BillingFixture(new JsonObject().put("poll_interval_ms", 1000).put("batch_max", 1));
    billing.plan("pro", 120, "USD", "PT1H");
    billing.subscribeAll(USERS, "pro", 1_000, "USD");
  }

  @AfterEach
  void stop() throws Exception {
    billing.close();
  }

  @Test
  @DisplayName("is billed poll after poll, without waiting a poll interval between them")
  void billedWithoutPauses() throws Exception {
    for (String user : USERS) {
      assertThat(billing.billed(user)).as("nothing before the first hour ends").isZero();
    }
    long started = System.nanoTime();
    billing.advance(Duration.ofHours(1));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    for (String user : USERS) {
      assertThat(billing.billed(user)).as("the first hour of " + user).isEqualTo(120);
      assertThat(billing.billingEntries(user)).isEqualTo(1);
    }
    // A poll interval to find the first due wallet, then the nine others without pauses; billed a
    // poll interval apart, they would take 9 s after the first.
    assertThat(tookMs).isLessThan(6_000);
  }
}
