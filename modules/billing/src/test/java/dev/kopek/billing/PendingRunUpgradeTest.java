package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.billing.BillingAddresses;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run left pending by the previous release, in the shape it stored (no {@code format} field, the
 * new plan as the whole plan view), completes exactly once after the upgrade: one set of ledger
 * entries, the subscription's progress moved once. The pending runs and postings below were written
 * by that release's own serialization, and are kept here verbatim.
 */
@DisplayName("A billing run pending across the upgrade")
@Timeout(120)
class PendingRunUpgradeTest {

  /** A timer run of alice's subscription for its first hour, 00:00 to 01:00, planned at 01:00. */
  static final String TIMER_RUN =
      """
      {"run_id":"37ba64ca-6207-4f7e-aa2a-a2256b8d3570","request_id":"TIMER:null:","user_id":"alice",\
      "currency":"USD","action":"TIMER","subscription_id":null,"new_plan":null,"command":null,\
      "at_ms":1772326800000,"balance_minor":1000,"charges":[{"subscription_id":"sub_legacy",\
      "plan":"pro","segment":1,"k":1,"amount_minor":120,"from_ms":1772323200000,\
      "to_ms":1772326800000,"partial":false,"reference":"billing:sub_legacy:1:1"}],\
      "after":[{"subscription_id":"sub_legacy","plan":"pro","segment":1,"anchor_ms":1772323200000,\
      "price_minor":120,"period_ms":3600000,"periods_charged":1,"charged_minor":120}],\
      "suspended_at_ms":null,"uncollected_minor":0,"resumed":[],"next_charge_at_ms":1772330400000}""";

  /** Bob's change from pro to basic at 01:20: period 1 and the prorated 20 minutes of period 2. */
  static final String CHANGE_RUN =
      """
      {"run_id":"55702a2c-c16b-4d8d-b886-1479b37d0634","request_id":"CHANGE:sub_legacy_bob:change:c1",\
      "user_id":"bob","currency":"USD","action":"CHANGE","subscription_id":"sub_legacy_bob",\
      "new_plan":{"code":"basic","name":"basic","price_minor":60,"currency":"USD","period":"PT1H",\
      "period_ms":3600000,"status":"active","retired_at":null,"created_at":"2026-03-01T00:00:00Z"},\
      "command":{"key":"change:c1","hash":"YO1DJkh7tF6mIcJIkSSDcZQxZiqsQ6InhnAbw+nH9vQ="},\
      "at_ms":1772328000000,"balance_minor":1000,"charges":[{"subscription_id":"sub_legacy_bob",\
      "plan":"pro","segment":1,"k":1,"amount_minor":120,"from_ms":1772323200000,\
      "to_ms":1772326800000,"partial":false,"reference":"billing:sub_legacy_bob:1:1"},\
      {"subscription_id":"sub_legacy_bob","plan":"pro","segment":1,"k":2,"amount_minor":40,\
      "from_ms":1772326800000,"to_ms":1772328000000,"partial":true,\
      "reference":"billing:sub_legacy_bob:1:2"}],"after":[{"subscription_id":"sub_legacy_bob",\
      "plan":"pro","segment":1,"anchor_ms":1772323200000,"price_minor":120,"period_ms":3600000,\
      "periods_charged":1,"charged_minor":160}],"suspended_at_ms":null,"uncollected_minor":0,\
      "resumed":[],"next_charge_at_ms":1772331600000}""";

  /** The postings the previous release sent for {@link #CHANGE_RUN}, before it died. */
  static final String CHANGE_POSTINGS =
      """
      [{"idempotency_key":"billing:sub_legacy_bob:1:1","user_id":"bob","currency":"USD",\
      "amount_minor":-120,"kind":"billing","reason":"Plan pro, 2026-03-01T00:00:00Z to \
      2026-03-01T01:00:00Z","reference":"billing:sub_legacy_bob:1:1","counter_account":"revenue"},\
      {"idempotency_key":"billing:sub_legacy_bob:1:2","user_id":"bob","currency":"USD",\
      "amount_minor":-40,"kind":"billing","reason":"Plan pro, 2026-03-01T01:00:00Z to \
      2026-03-01T01:20:00Z (prorated)","reference":"billing:sub_legacy_bob:1:2",\
      "counter_account":"revenue"}]""";

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

  @Test
  @DisplayName("a timer run whose entries never reached the ledger is posted and recorded once")
  void timerRunNotPostedYet() throws Exception {
    billing.credit("alice", 1_000, "USD");
    billing.advance(Duration.ofHours(1));
    leavePending("sub_legacy", "alice", TIMER_RUN);

    billing.settle();

    assertThat(billing.billingEntries("alice")).isEqualTo(1);
    assertThat(entriesOf("billing:sub_legacy:1:1")).isEqualTo(1);
    assertThat(billing.balance("alice", "USD")).isEqualTo(880);
    assertThat(progress("sub_legacy")).isEqualTo("1 120 2026-03-01T01:00:00Z");
    assertThat(billing.nextChargeAt("alice", "USD")).isEqualTo(at("02:00"));
    BillingFixture.waitFor(() -> billing.charged.size() == 1);
    assertThat(billing.charged.get(0).getString("reference")).isEqualTo("billing:sub_legacy:1:1");
    assertThat(billing.charged.get(0).getLong("entry_id"))
        .isEqualTo(entryId("billing:sub_legacy:1:1"));

    billing.advance(Duration.ofHours(1));
    assertThat(billing.billingEntries("alice")).isEqualTo(2);
    assertThat(billing.balance("alice", "USD")).isEqualTo(760);
    assertThat(progress("sub_legacy")).isEqualTo("2 240 2026-03-01T02:00:00Z");
    BillingFixture.waitFor(() -> billing.charged.size() == 2);
    Thread.sleep(200);
    assertThat(billing.charged).hasSize(2);
  }

  @Test
  @DisplayName(
      "a plan change whose entries the ledger already wrote is replayed, applied and "
          + "answered once")
  void changeRunAlreadyPosted() throws Exception {
    billing.credit("bob", 1_000, "USD");
    billing.advance(Duration.ofMinutes(80));
    JsonArray posted =
        billing
            .request(
                LedgerAddresses.POST_BATCH,
                new JsonObject()
                    .put("postings", new JsonArray(CHANGE_POSTINGS))
                    .put("atomic", true))
            .getJsonArray("results");
    List<Long> entryIds =
        List.of(
            posted.getJsonObject(0).getJsonObject("entry").getLong("id"),
            posted.getJsonObject(1).getJsonObject("entry").getLong("id"));
    leavePending("sub_legacy_bob", "bob", CHANGE_RUN);

    billing.settle();

    assertThat(billing.billingEntries("bob")).isEqualTo(2);
    assertThat(billing.balance("bob", "USD")).isEqualTo(840);
    BillingFixture.waitFor(() -> billing.charged.size() == 2);
    assertThat(billing.charged)
        .extracting(c -> c.getLong("entry_id"))
        .containsExactlyElementsOf(entryIds);
    assertThat(billing.charged)
        .extracting(c -> c.getLong("amount_minor"))
        .containsExactly(120L, 40L);
    assertThat(
            TestDatabase.queryString(
                billing.database,
                "SELECT plan_code || ' ' || segment || "
                    + "' ' || anchor AT TIME ZONE 'UTC' FROM billing_subscriptions WHERE id = 'sub_legacy_bob'"))
        .isEqualTo("basic 2 2026-03-01 01:20:00");
    assertThat(
            TestDatabase.queryString(
                billing.database,
                "SELECT end_reason || ' ' || "
                    + "charged_minor FROM billing_segments WHERE subscription_id = 'sub_legacy_bob'"))
        .isEqualTo("plan_change 160");
    assertThat(billing.nextChargeAt("bob", "USD")).isEqualTo(at("02:20"));

    JsonObject replay =
        billing.request(
            BillingAddresses.SUBSCRIPTION_CHANGE,
            new JsonObject()
                .put("user_id", "bob")
                .put("id", "sub_legacy_bob")
                .put("plan", "basic")
                .put("idempotency_key", "c1"));
    assertThat(replay.getBoolean("replayed")).isTrue();
    assertThat(replay.getString("plan")).isEqualTo("basic");
    assertThat(replay.getInteger("segment")).isEqualTo(2);
    assertThat(billing.billingEntries("bob")).isEqualTo(2);

    billing.advance(Duration.ofHours(1));
    assertThat(billing.balance("bob", "USD")).isEqualTo(780);
    assertThat(entriesOf("billing:sub_legacy_bob:2:1")).isEqualTo(1);
  }

  /**
   * The state the previous release left when it died after storing {@code run}: the subscription as
   * it stood when the run was planned, the run pending, its lease over (and its run id in a column
   * of its own, as migration V4 of billing copies it; {@link PendingRunTextMigrationTest}).
   */
  private void leavePending(String subscription, String user, String run) {
    TestDatabase.execute(
        billing.database,
        """
        INSERT INTO billing_subscriptions (id, user_id, currency, plan_code, status, segment,
            anchor, price_minor, period_ms, billed_through, created_at, updated_at)
        VALUES ('%1$s', '%2$s', 'USD', 'pro', 'active', 1, '2026-03-01T00:00:00Z', 120, 3600000,
            '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z');
        INSERT INTO billing_wallets (user_id, currency, next_charge_at, pending_run,
            pending_run_id, lease_until, updated_at)
        VALUES ('%2$s', 'USD', NULL, '%3$s', '%3$s'::jsonb ->> 'run_id', NULL,
            '2026-03-01T00:00:00Z');
        """
            .formatted(subscription, user, run));
  }

  private long entriesOf(String reference) {
    return TestDatabase.queryLong(
        billing.database,
        "SELECT count(*) FROM ledger_entries WHERE reference = '" + reference + "'");
  }

  private long entryId(String reference) {
    return TestDatabase.queryLong(
        billing.database, "SELECT id FROM ledger_entries WHERE reference = '" + reference + "'");
  }

  /** Periods charged, segment charged and billed through, of the subscription. */
  private String progress(String subscription) {
    return TestDatabase.queryString(
        billing.database,
        "SELECT periods_charged || ' ' || "
            + "segment_charged_minor || ' ' || to_char(billed_through AT TIME ZONE 'UTC', "
            + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM billing_subscriptions WHERE id = '"
            + subscription
            + "'");
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-01T" + time + ":00Z");
  }
}
