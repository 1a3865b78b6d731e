package dev.kopek.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.payments.PaymentsAddresses;
import dev.kopek.testkit.ScriptedProvider;
import dev.kopek.testkit.ScriptedProvider.RefundFault;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Refunds as a durable state machine, against a provider that fails the ways real ones do: a
 * refusal, an answer lost after the provider acted, an unreadable answer, a connection dropped
 * before it acted. Whatever happens, the provider's refunds and the ledger's net debits agree.
 */
@DisplayName("Refunds: every provider refund has exactly one net debit")
@Timeout(60)
class RefundStatesTest {

  private PaymentsFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new PaymentsFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  /** A succeeded top-up of {@code amount} USD for alice; returns its id. */
  private String paidTopup(String key, long amount) throws Exception {
    JsonObject topup =
        fixture.request(
            PaymentsAddresses.TOPUP_CREATE,
            new JsonObject()
                .put("user_id", "alice")
                .put("idempotency_key", key)
                .put("amount_minor", amount)
                .put("currency", "USD"));
    String url = topup.getString("checkout_url");
    JsonObject paid =
        fixture.request(
            PaymentsAddresses.CHECKOUT_SUBMIT,
            new JsonObject()
                .put("token", url.substring(url.lastIndexOf('/') + 1))
                .put("form", new JsonObject().put("outcome", "succeed")));
    assertThat(paid.getString("status")).isEqualTo("succeeded");
    return topup.getString("id");
  }

  private JsonObject refundRequest(String topupId, String key, Long amount) {
    return new JsonObject()
        .put("id", topupId)
        .put("idempotency_key", key)
        .put("admin_id", "ops")
        .put("amount_minor", amount);
  }

  private JsonObject refund(String topupId, String key, Long amount) throws Exception {
    return fixture.request(PaymentsAddresses.REFUND, refundRequest(topupId, key, amount));
  }

  /** The refund's net effect on the wallet: its debits and reversals, over all attempts. */
  private long netDebit(String key) {
    return -TestDatabase.queryLong(
        fixture.database,
        "SELECT COALESCE(SUM(amount_minor), 0) "
            + "FROM ledger_entries WHERE idempotency_key LIKE 'refund:ops:"
            + key
            + ":%'");
  }

  private String status(String refundKey) {
    return TestDatabase.queryString(
        fixture.database,
        "SELECT status FROM payment_refunds "
            + "WHERE idempotency_key = 'refund:ops:"
            + refundKey
            + "'");
  }

  private long refundedMinor(String topupId) {
    return TestDatabase.queryLong(
        fixture.database, "SELECT refunded_minor FROM payments WHERE id = '" + topupId + "'");
  }

  private static String providerKey(JsonObject refund) {
    return refund.getString("id");
  }

  /** Moves the clock past the janitor's wait until {@code done} holds, or fails. */
  private void janitorUntil(java.util.function.BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime())
          .as("the janitor did not get there in time")
          .isLessThan(deadline);
      fixture.clock.advance(Duration.ofSeconds(3));
      Thread.sleep(150);
    }
  }

  @Test
  @DisplayName(
      "defect: a refund refused (401), then retried with the same key once the provider "
          + "works, debits again under a new ledger key: one refund, one net debit")
  void refusalThenRetryDebitsAgain() throws Exception {
    String id = paidTopup("t1", 1000);
    ScriptedProvider.REFUND_FAULTS.add(RefundFault.REFUSE_AUTHENTICATION);
    assertThatThrownBy(() -> refund(id, "r1", 400L))
        .satisfies(
            e -> {
              Failure refused = Failure.from(e);
              assertThat(refused.code()).isEqualTo(ErrorCode.GATEWAY_ERROR);
              // The words match the ledger: a debit and its reversal, not "not debited".
              assertThat(refused.detail())
                  .contains("authentication", "was reversed (entry", "holds the money again");
            });
    assertThat(fixture.balance("alice")).isEqualTo(1000);
    assertThat(netDebit("r1")).isZero();
    assertThat(status("r1")).isEqualTo("reversed");
    assertThat(ScriptedProvider.REFUNDS).isEmpty();

    JsonObject retried = refund(id, "r1", 400L);
    assertThat(retried.getString("status")).isEqualTo("succeeded");
    assertThat(retried.getInteger("attempt")).isEqualTo(2);
    assertThat(retried.getBoolean("replayed")).isFalse();
    // The second attempt has a provider key of its own: a provider may replay a refused key.
    assertThat(ScriptedProvider.REFUNDS).containsOnlyKeys(retried.getString("id") + "_a2");
    assertThat(netDebit("r1")).isEqualTo(400);
    assertThat(fixture.balance("alice")).isEqualTo(600);
    assertThat(refundedMinor(id)).isEqualTo(400);
    assertThat(
            TestDatabase.queryLong(
                fixture.database,
                "SELECT count(*) FROM ledger_entries "
                    + "WHERE idempotency_key LIKE 'refund:ops:r1:%'"))
        .isEqualTo(3);

    // The refused attempt and the refund that went through are events, each once.
    String refundId = retried.getString("id");
    assertThat(
            TestDatabase.queryString(
                fixture.database,
                "SELECT string_agg(id, ',' ORDER BY seq) FROM events WHERE type LIKE 'refund.%'"))
        .isEqualTo("evt_refund_failed_" + refundId + "_1,evt_refund_succeeded_" + refundId);
    assertThat(
            TestDatabase.queryString(
                fixture.database,
                "SELECT object::json->>'reversal_entry_id' FROM events"
                    + " WHERE type = 'refund.failed'"))
        .isNotNull();

    JsonObject replay = refund(id, "r1", 400L);
    assertThat(replay.getString("id")).isEqualTo(retried.getString("id"));
    assertThat(replay.getBoolean("replayed")).isTrue();
    assertThat(netDebit("r1")).isEqualTo(400);
    assertThatThrownBy(() -> refund(id, "r1", 300L))
        .satisfies(
            e -> assertThat(Failure.from(e).code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT));
  }

  @Test
  @DisplayName(
      "defect: an unreadable answer after the provider refunded is not a refusal: the "
          + "debit stays, the refund is pending, and the janitor finds the refund at the provider")
  void garbledAnswerAfterRefundIsResolvedByLookup() throws Exception {
    String id = paidTopup("t1", 1000);
    ScriptedProvider.REFUND_FAULTS.add(RefundFault.GARBLED_AFTER_REFUNDING);
    JsonObject pending = refund(id, "r1", null);
    assertThat(pending.getString("status")).isEqualTo("pending");
    assertThat(pending.getLong("amount_minor")).isEqualTo(1000);
    assertThat(ScriptedProvider.REFUNDS).hasSize(1);
    assertThat(netDebit("r1")).isEqualTo(1000);
    assertThat(status("r1")).isEqualTo("unknown");
    assertThat(refundedMinor(id)).isZero();

    janitorUntil(() -> "succeeded".equals(status("r1")));
    assertThat(refundedMinor(id)).isEqualTo(1000);
    assertThat(
            TestDatabase.queryString(
                fixture.database, "SELECT status FROM payments WHERE id = '" + id + "'"))
        .isEqualTo("refunded");
    // Found by looking it up, not by refunding again.
    assertThat(ScriptedProvider.REFUND_CALLS.get(providerKey(pending)).get()).isEqualTo(1);
    assertThat(netDebit("r1")).isEqualTo(1000);
    JsonObject replay = refund(id, "r1", null);
    assertThat(replay.getString("status")).isEqualTo("succeeded");
    assertThat(replay.getString("gateway_reference")).isEqualTo("rf_" + providerKey(pending));
  }

  @Test
  @DisplayName(
      "a timeout after the provider refunded stays pending while the provider cannot be "
          + "asked; the retry with the same key resolves it once it can")
  void timeoutAfterRefundIsResolvedByTheRetry() throws Exception {
    String id = paidTopup("t1", 1000);
    ScriptedProvider.REFUND_FAULTS.add(RefundFault.TIMEOUT_AFTER_REFUNDING);
    ScriptedProvider.refundLookupsDown = true;
    assertThat(refund(id, "r1", 250L).getString("status")).isEqualTo("pending");
    assertThat(refund(id, "r1", 250L).getString("status")).isEqualTo("pending");
    assertThat(netDebit("r1")).isEqualTo(250);
    assertThat(fixture.balance("alice")).isEqualTo(750);

    ScriptedProvider.refundLookupsDown = false;
    assertThat(refund(id, "r1", 250L).getString("status")).isEqualTo("succeeded");
    assertThat(netDebit("r1")).isEqualTo(250);
    assertThat(ScriptedProvider.REFUNDS.values()).containsExactly(250L);
    assertThat(refundedMinor(id)).isEqualTo(250);
  }

  @Test
  @DisplayName(
      "a connection reset before the provider acted: the lookup finds no refund, so the "
          + "refund is sent again with the same key, once")
  void resetBeforeSendingIsResent() throws Exception {
    String id = paidTopup("t1", 1000);
    ScriptedProvider.REFUND_FAULTS.add(RefundFault.RESET_BEFORE_REFUNDING);
    JsonObject pending = refund(id, "r1", 100L);
    assertThat(pending.getString("status")).isEqualTo("pending");
    assertThat(ScriptedProvider.REFUNDS).isEmpty();
    janitorUntil(() -> "succeeded".equals(status("r1")));
    assertThat(ScriptedProvider.REFUND_CALLS.get(providerKey(pending)).get()).isEqualTo(2);
    assertThat(ScriptedProvider.REFUNDS).containsOnlyKeys(providerKey(pending));
    assertThat(netDebit("r1")).isEqualTo(100);
  }

  @Test
  @DisplayName("a decline found by the lookup reverses the debit; nothing is refunded")
  void declineFoundByLookupIsReversed() throws Exception {
    String id = paidTopup("t1", 1000);
    ScriptedProvider.REFUND_FAULTS.add(RefundFault.RESET_BEFORE_REFUNDING);
    assertThat(refund(id, "r1", 100L).getString("status")).isEqualTo("pending");
    ScriptedProvider.declineRefunds = true;
    janitorUntil(() -> "reversed".equals(status("r1")));
    assertThat(ScriptedProvider.REFUNDS).isEmpty();
    assertThat(netDebit("r1")).isZero();
    assertThat(fixture.balance("alice")).isEqualTo(1000);
    assertThatThrownBy(() -> refund(id, "r2", 2000L))
        .satisfies(
            e -> {
              assertThat(Failure.from(e).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
              assertThat(Failure.from(e).extras().getString("field")).isEqualTo("amount_minor");
            });
  }

  @Test
  @DisplayName(
      "concurrent refunds of one top-up with different keys never hold more than was " + "paid")
  void concurrentRefundsStayWithinThePayment() throws Exception {
    String id = paidTopup("t1", 1000);
    List<Future<JsonObject>> refunds = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      refunds.add(fixture.send(PaymentsAddresses.REFUND, refundRequest(id, "c" + i, 300L)));
    }
    Future.join(refunds).otherwiseEmpty().await(30, TimeUnit.SECONDS);
    List<Future<JsonObject>> succeeded = refunds.stream().filter(Future::succeeded).toList();
    assertThat(succeeded).hasSize(3);
    assertThat(refunds)
        .filteredOn(Future::failed)
        .allSatisfy(
            failed ->
                assertThat(Failure.from(failed.cause()).code())
                    .isEqualTo(ErrorCode.VALIDATION_FAILED));
    assertThat(ScriptedProvider.REFUNDS.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(900);
    assertThat(refundedMinor(id)).isEqualTo(900);
    assertThat(fixture.balance("alice")).isEqualTo(100);
    long netDebits = 0;
    for (int i = 0; i < 10; i++) {
      netDebits += netDebit("c" + i);
    }
    assertThat(netDebits).isEqualTo(900);
  }

  @Test
  @DisplayName(
      "money already spent is not refunded: 402, nothing debited or sent; the retry "
          + "once the wallet holds it again makes a new attempt")
  void insufficientFundsThenRetry() throws Exception {
    String id = paidTopup("t1", 1000);
    fixture.request(
        dev.kopek.model.ledger.LedgerAddresses.POST,
        new dev.kopek.model.ledger.PostingRequest(
                "spend-1",
                "alice",
                "USD",
                -800,
                dev.kopek.model.ledger.EntryKind.CHARGE,
                "spent",
                null,
                "revenue")
            .toJson());
    assertThatThrownBy(() -> refund(id, "r1", 500L))
        .satisfies(e -> assertThat(Failure.from(e).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS));
    assertThat(status("r1")).isEqualTo("rejected");
    assertThat(ScriptedProvider.REFUND_CALLS).isEmpty();
    assertThat(netDebit("r1")).isZero();
    fixture.request(
        dev.kopek.model.ledger.LedgerAddresses.POST,
        new dev.kopek.model.ledger.PostingRequest(
                "credit-1",
                "alice",
                "USD",
                800,
                dev.kopek.model.ledger.EntryKind.ADJUSTMENT,
                "back",
                null,
                "adjustments")
            .toJson());
    JsonObject retried = refund(id, "r1", 500L);
    assertThat(retried.getString("status")).isEqualTo("succeeded");
    assertThat(retried.getInteger("attempt")).isEqualTo(2);
    assertThat(netDebit("r1")).isEqualTo(500);
  }
}
