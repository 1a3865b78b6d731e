package dev.kopek.billing;

import static dev.kopek.billing.BillingFixture.HOUR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.billing.BillingAddresses;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Billing on a real ledger with a driven clock")
@Timeout(120)
class BillingFlowTest {

  private BillingFixture billing;

  @BeforeEach
  void start() throws Exception {
    billing = new BillingFixture();
    billing.plan("pro", 120, "USD", "PT1H");
    billing.plan("basic", 60, "USD", "PT1H");
  }

  @AfterEach
  void stop() throws Exception {
    billing.close();
  }

  private static ErrorCode code(Throwable error) {
    return Failure.from(error).code();
  }

  @Test
  @DisplayName(
      "subscribing needs money; the timer then charges one entry per hour, and 5 h 17 min "
          + "of downtime is caught up with 5 entries, the partial hour at the next boundary")
  void hourlyAndDowntime() throws Exception {
    assertThatThrownBy(() -> billing.subscribe("alice", "pro", "s1"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS));
    billing.credit("alice", 10_000, "USD");
    JsonObject subscription = billing.subscribe("alice", "pro", "s1");
    String id = subscription.getString("id");
    Instant start = billing.clock.instant();
    assertThat(subscription.getString("status")).isEqualTo("active");
    assertThat(subscription.getString("next_charge_at"))
        .isEqualTo(start.plusMillis(HOUR).toString());
    assertThat(subscription.getLong("runway_ms"))
        .isEqualTo(10_001L * 30_000 - 1); // 10000 covers 83 h 20 min of 120 an hour
    // The last millisecond covered: where the runway ends, whatever the time it is read at.
    assertThat(Instant.parse(subscription.getString("runs_out_at")))
        .isEqualTo(start.plusMillis(10_001L * 30_000 - 1));
    assertThat(billing.subscribe("alice", "pro", "s1").getString("id")).isEqualTo(id);

    billing.advance(Duration.ofMinutes(59));
    assertThat(billing.billingEntries("alice")).isZero();
    billing.advance(Duration.ofMinutes(1));
    assertThat(billing.billingEntries("alice")).isEqualTo(1);
    assertThat(billing.balance("alice", "USD")).isEqualTo(9_880);

    billing.advance(Duration.ofHours(5).plusMinutes(17));
    assertThat(billing.billingEntries("alice")).isEqualTo(6);
    assertThat(billing.balance("alice", "USD")).isEqualTo(10_000 - 6 * 120);
    assertThat(billing.nextChargeAt("alice", "USD")).isEqualTo(start.plusMillis(7 * HOUR));
    billing.advance(Duration.ofMinutes(43));
    assertThat(billing.billingEntries("alice")).isEqualTo(7);
    assertThat(billing.balance("alice", "USD")).isEqualTo(10_000 - 7 * 120);
    assertThat(
            TestDatabase.queryLong(
                billing.database,
                "SELECT count(DISTINCT reference) FROM " + "ledger_entries WHERE kind = 'billing'"))
        .isEqualTo(7);
    assertThat(
            TestDatabase.queryLong(
                billing.database,
                "SELECT count(*) FROM ledger_entries "
                    + "WHERE reference = 'billing:"
                    + id
                    + ":1:7'"))
        .isEqualTo(1);
    BillingFixture.waitFor(() -> billing.charged.size() == 7);
  }

  @Test
  @DisplayName(
      "the balance running out mid-period is charged exactly, the wallet is suspended at "
          + "that moment with nothing uncollected, and a top-up resumes it without charging the gap")
  void runOutAndResume() throws Exception {
    billing.credit("alice", 300, "USD");
    String id = billing.subscribe("alice", "pro", "s1").getString("id");
    billing.advance(Duration.ofHours(2));
    assertThat(billing.balance("alice", "USD")).isEqualTo(60);
    Instant due = billing.nextChargeAt("alice", "USD");
    assertThat(due)
        .isBetween(
            billing.clock.instant().plus(Duration.ofMinutes(30)),
            billing.clock.instant().plus(Duration.ofMinutes(31)));
    billing.advance(Duration.between(billing.clock.instant(), due));
    BillingFixture.waitFor(() -> billing.suspended.size() == 1);
    assertThat(billing.balance("alice", "USD")).isZero();
    assertThat(billing.suspended.get(0).getLong("uncollected_minor")).isZero();
    assertThat(billing.suspended.get(0).getString("suspended_at"))
        .isEqualTo(due.minusMillis(1).toString());
    assertThat(billing.nextChargeAt("alice", "USD")).isNull();

    billing.advance(Duration.ofHours(3));
    assertThat(billing.billed("alice")).isEqualTo(300);
    billing.credit("alice", 500, "USD");
    BillingFixture.waitFor(() -> billing.resumed.size() == 1);
    Instant resumedAt = billing.clock.instant();
    JsonObject view =
        billing
            .request(BillingAddresses.SUBSCRIPTIONS_LIST, new JsonObject().put("user_id", "alice"))
            .getJsonArray("data")
            .getJsonObject(0);
    assertThat(view.getString("status")).isEqualTo("active");
    assertThat(view.getInteger("segment")).isEqualTo(2);
    assertThat(view.getString("segment_started_at")).isEqualTo(resumedAt.toString());
    billing.advance(Duration.ofHours(1));
    assertThat(billing.billed("alice")).isEqualTo(300 + 120);
    assertThat(
            TestDatabase.queryLong(
                billing.database,
                "SELECT count(*) FROM ledger_entries WHERE "
                    + "reference = 'billing:"
                    + id
                    + ":2:1'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName(
      "a late timer suspends at the instant the money ran out and reports the uncollected usage")
  void lateTimerReportsUncollected() throws Exception {
    billing.credit("alice", 300, "USD");
    billing.subscribe("alice", "pro", "s1");
    billing.advance(Duration.ofHours(4));
    BillingFixture.waitFor(() -> billing.suspended.size() == 1);
    assertThat(billing.balance("alice", "USD")).isZero();
    assertThat(billing.billed("alice")).isEqualTo(300);
    assertThat(billing.suspended.get(0).getLong("uncollected_minor")).isBetween(178L, 180L);
  }

  @Test
  @DisplayName("a plan change settles the old plan to the millisecond; a cancel settles and ends")
  void changeAndCancel() throws Exception {
    billing.credit("alice", 1_000, "USD");
    String id = billing.subscribe("alice", "pro", "s1").getString("id");
    billing.advance(Duration.ofMinutes(80));
    JsonObject changed =
        billing.request(
            BillingAddresses.SUBSCRIPTION_CHANGE,
            new JsonObject()
                .put("user_id", "alice")
                .put("id", id)
                .put("plan", "basic")
                .put("idempotency_key", "c1"));
    assertThat(changed.getString("plan")).isEqualTo("basic");
    assertThat(changed.getInteger("segment")).isEqualTo(2);
    assertThat(billing.balance("alice", "USD")).isEqualTo(1_000 - 120 - 40);
    JsonObject replay =
        billing.request(
            BillingAddresses.SUBSCRIPTION_CHANGE,
            new JsonObject()
                .put("user_id", "alice")
                .put("id", id)
                .put("plan", "basic")
                .put("idempotency_key", "c1"));
    assertThat(replay.getBoolean("replayed")).isTrue();
    assertThat(billing.balance("alice", "USD")).isEqualTo(840);

    billing.advance(Duration.ofMinutes(90));
    assertThat(billing.balance("alice", "USD")).isEqualTo(840 - 60);
    JsonObject cancelled =
        billing.request(
            BillingAddresses.SUBSCRIPTION_CANCEL,
            new JsonObject().put("user_id", "alice").put("id", id).put("idempotency_key", "x1"));
    assertThat(cancelled.getString("status")).isEqualTo("cancelled");
    assertThat(cancelled.getValue("runway_ms")).isNull();
    assertThat(cancelled.getValue("runs_out_at")).isNull();
    assertThat(billing.balance("alice", "USD")).isEqualTo(780 - 30);
    billing.advance(Duration.ofHours(3));
    assertThat(billing.balance("alice", "USD")).isEqualTo(750);
    assertThat(billing.nextChargeAt("alice", "USD")).isNull();
    assertThatThrownBy(
            () ->
                billing.request(
                    BillingAddresses.SUBSCRIPTION_CANCEL,
                    new JsonObject()
                        .put("user_id", "bob")
                        .put("id", id)
                        .put("idempotency_key", "x2")))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  @DisplayName("a one-off charge brings the timer forward to the new moment the balance runs out")
  void chargesRescheduleTheTimer() throws Exception {
    billing.credit("alice", 1_000, "USD");
    billing.subscribe("alice", "pro", "s1");
    assertThat(billing.nextChargeAt("alice", "USD"))
        .isEqualTo(billing.clock.instant().plusMillis(HOUR));
    billing.debit("alice", 970, "USD");
    Instant expected = billing.clock.instant().plus(Duration.ofMinutes(15).plusSeconds(30));
    BillingFixture.waitFor(() -> expected.equals(billing.nextChargeAt("alice", "USD")));
  }

  @Test
  @DisplayName(
      "entries posted together to many wallets, looked up together, reschedule exactly the "
          + "subscribed ones")
  void entriesPostedTogetherRescheduleTheSubscribedWallets() throws Exception {
    List<String> subscribed = List.of("alice", "bob", "carol");
    billing.subscribeAll(subscribed, "pro", 1_000, "USD");
    for (int i = 0; i < 20; i++) {
      billing.credit("payg-" + i, 1_000, "USD");
    }
    // All at once, so that they arrive while a lookup is in flight and share the next one.
    List<io.vertx.core.Future<JsonObject>> debits = new java.util.ArrayList<>();
    for (String user : subscribed) {
      debits.add(
          dev.kopek.model.Bus.request(
              billing.vertx,
              LedgerAddresses.POST,
              new PostingRequest(
                      "debit-" + user,
                      user,
                      "USD",
                      -970,
                      EntryKind.CHARGE,
                      "one-off",
                      null,
                      "revenue")
                  .toJson(),
              10_000));
    }
    for (int i = 0; i < 20; i++) {
      debits.add(
          dev.kopek.model.Bus.request(
              billing.vertx,
              LedgerAddresses.POST,
              new PostingRequest(
                      "debit-payg-" + i,
                      "payg-" + i,
                      "USD",
                      -970,
                      EntryKind.CHARGE,
                      "one-off",
                      null,
                      "revenue")
                  .toJson(),
              10_000));
    }
    io.vertx.core.Future.all(debits).await(30, TimeUnit.SECONDS);

    Instant expected = billing.clock.instant().plus(Duration.ofMinutes(15).plusSeconds(30));
    for (String user : subscribed) {
      BillingFixture.waitFor(() -> expected.equals(billing.nextChargeAt(user, "USD")));
    }
    assertThat(
            TestDatabase.queryLong(
                billing.database,
                "SELECT count(*) FROM billing_wallets " + "WHERE user_id LIKE 'payg-%'"))
        .isZero();
  }

  @Test
  @DisplayName(
      "a run cut off before the ledger got its entries, or after it posted them but before "
          + "billing recorded it, completes exactly once on recovery")
  void crashRecovery() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> cut =
        new java.util.concurrent.atomic.AtomicReference<>("");
    java.util.Set<String> lostReplies = java.util.concurrent.ConcurrentHashMap.newKeySet();
    billing
        .vertx
        .eventBus()
        .addOutboundInterceptor(
            ctx -> {
              if (LedgerAddresses.POST_BATCH.equals(ctx.message().address())) {
                if ("request".equals(cut.get())) {
                  return;
                }
                if ("reply".equals(cut.get())) {
                  lostReplies.add(ctx.message().replyAddress());
                }
              }
              ctx.next();
            });
    billing
        .vertx
        .eventBus()
        .addInboundInterceptor(
            ctx -> {
              if (!lostReplies.contains(ctx.message().address())) {
                ctx.next();
              }
            });
    billing.credit("alice", 1_000, "USD");
    String id = billing.subscribe("alice", "pro", "s1").getString("id");

    cut.set("request");
    billing.clock.advance(Duration.ofHours(2));
    BillingFixture.waitFor(() -> pendingRuns() == 1);
    Thread.sleep(1500);
    assertThat(billing.billingEntries("alice")).isZero();
    cut.set("");
    billing.settle();
    assertThat(billing.billingEntries("alice")).isEqualTo(2);
    assertThat(billing.balance("alice", "USD")).isEqualTo(760);

    cut.set("reply");
    billing.clock.advance(Duration.ofHours(1));
    BillingFixture.waitFor(() -> billing.billingEntries("alice") == 3);
    assertThat(pendingRuns()).isEqualTo(1);
    cut.set("");
    billing.settle();
    assertThat(billing.billingEntries("alice")).isEqualTo(3);
    assertThat(billing.balance("alice", "USD")).isEqualTo(640);
    JsonObject view =
        billing
            .request(BillingAddresses.SUBSCRIPTIONS_LIST, new JsonObject().put("user_id", "alice"))
            .getJsonArray("data")
            .getJsonObject(0);
    assertThat(view.getString("billed_through"))
        .isEqualTo(
            Instant.parse(view.getString("segment_started_at")).plusMillis(3 * HOUR).toString());
    billing.advance(Duration.ofHours(1));
    assertThat(
            TestDatabase.queryLong(
                billing.database,
                "SELECT count(*) FROM ledger_entries "
                    + "WHERE reference LIKE 'billing:"
                    + id
                    + ":1:%'"))
        .isEqualTo(4);
  }

  private long pendingRuns() {
    return TestDatabase.queryLong(
        billing.database, "SELECT count(*) FROM billing_wallets WHERE pending_run IS NOT NULL");
  }
}
