package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Timers that fall due together are billed together, in chunks: one ledger request carries every
 * wallet's entries as a group of its own. What happens to one wallet of a chunk must not change
 * what happens to the others.
 */
@DisplayName("Billing due wallets together, in chunks")
@Timeout(120)
class ChunkBillingTest {

  private static final List<String> USERS = List.of("u1", "u2", "u3", "u4", "u5");

  private BillingFixture billing;

  /** The group requests billing sent to the ledger. */
  private final List<JsonObject> groupRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    billing = new BillingFixture();
    billing.plan("pro", 120, "USD", "PT1H");
    billing
        .vertx
        .eventBus()
        .addOutboundInterceptor(
            ctx -> {
              if (LedgerAddresses.POST_BATCH.equals(ctx.message().address())
                  && ctx.message().body() instanceof JsonObject body
                  && body.containsKey("groups")) {
                groupRequests.add(body.copy());
              }
              ctx.next();
            });
    billing.subscribeAll(USERS, "pro", 1_000, "USD");
  }

  @AfterEach
  void stop() throws Exception {
    billing.close();
  }

  @Test
  @DisplayName(
      "a wallet whose balance was spent between the plan and the posting is refused alone "
          + "and planned again (suspended); the others of its chunk are charged")
  void refusedGroupIsPlannedAgainAlone() throws Exception {
    // Hold billing's group request until u3's balance is spent by a one-off charge.
    AtomicBoolean spent = new AtomicBoolean();
    billing
        .vertx
        .eventBus()
        .addOutboundInterceptor(
            ctx -> {
              if (LedgerAddresses.POST_BATCH.equals(ctx.message().address())
                  && ctx.message().body() instanceof JsonObject body
                  && body.containsKey("groups")
                  && spent.compareAndSet(false, true)) {
                billing
                    .vertx
                    .eventBus()
                    .request(
                        LedgerAddresses.POST,
                        new PostingRequest(
                                "spend-u3",
                                "u3",
                                "USD",
                                -1_000,
                                EntryKind.CHARGE,
                                "one-off",
                                null,
                                "revenue")
                            .toJson())
                    .onComplete(done -> ctx.next());
                return;
              }
              ctx.next();
            });

    billing.advance(Duration.ofHours(1));
    BillingFixture.waitFor(() -> billing.suspended.size() == 1);

    assertThat(groupRequests).isNotEmpty();
    assertThat(groupRequests.get(0).getJsonArray("groups")).hasSize(USERS.size());
    for (String user : List.of("u1", "u2", "u4", "u5")) {
      assertThat(billing.billingEntries(user)).as(user).isEqualTo(1);
      assertThat(billing.balance(user, "USD")).as(user).isEqualTo(880);
      assertThat(billing.nextChargeAt(user, "USD"))
          .as(user)
          .isEqualTo(billing.clock.instant().plusMillis(BillingFixture.HOUR));
    }
    assertThat(billing.billingEntries("u3")).isZero();
    assertThat(billing.balance("u3", "USD")).isZero();
    assertThat(billing.suspended.get(0).getString("user_id")).isEqualTo("u3");
    assertThat(billing.nextChargeAt("u3", "USD")).isNull();
    assertThat(status("u3")).isEqualTo("suspended");
    BillingFixture.waitFor(() -> billing.charged.size() == 4);
    assertThat(billing.charged)
        .extracting(c -> c.getString("user_id"))
        .containsExactlyInAnyOrder("u1", "u2", "u4", "u5");
    assertThat(pendingRuns()).isZero();
  }

  @Test
  @DisplayName(
      "a wallet whose run cannot be recorded does not hold back the others of its chunk, "
          + "and is charged exactly once when it can")
  void failingWalletDoesNotAffectTheOthers() throws Exception {
    String broken = subscriptionOf("u2");
    TestDatabase.execute(
        billing.database,
        """
        CREATE FUNCTION refuse_u2() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'refused for the test';
        END $$;
        CREATE TRIGGER refuse_u2 BEFORE UPDATE ON billing_subscriptions
          FOR EACH ROW WHEN (OLD.id = '%s') EXECUTE FUNCTION refuse_u2();
        """
            .formatted(broken));

    billing.clock.advance(Duration.ofHours(1));
    BillingFixture.waitFor(
        () ->
            USERS.stream()
                .filter(u -> !u.equals("u2"))
                .allMatch(
                    u ->
                        billing.nextChargeAt(u, "USD") != null
                            && billing.nextChargeAt(u, "USD").isAfter(billing.clock.instant())));

    // The chunk's record failed for all, so each wallet was completed alone; u2 could not be.
    assertThat(groupRequests).isNotEmpty();
    for (String user : List.of("u1", "u3", "u4", "u5")) {
      assertThat(billing.billingEntries(user)).as(user).isEqualTo(1);
      assertThat(billing.balance(user, "USD")).as(user).isEqualTo(880);
    }
    BillingFixture.waitFor(() -> billing.charged.size() == 4);
    assertThat(
            TestDatabase.queryLong(
                billing.database,
                "SELECT count(*) FROM billing_wallets "
                    + "WHERE pending_run IS NOT NULL AND user_id = 'u2'"))
        .isEqualTo(1);
    // Its entry reached the ledger with the chunk; the run stays pending, never posted twice.
    assertThat(billing.billingEntries("u2")).isEqualTo(1);

    TestDatabase.execute(billing.database, "DROP TRIGGER refuse_u2 ON billing_subscriptions");
    billing.settle();
    for (String user : USERS) {
      assertThat(billing.billingEntries(user)).as(user).isEqualTo(1);
      assertThat(billing.balance(user, "USD")).as(user).isEqualTo(880);
    }
    assertThat(
            TestDatabase.queryLong(
                billing.database,
                "SELECT periods_charged FROM "
                    + "billing_subscriptions WHERE id = '"
                    + broken
                    + "'"))
        .isEqualTo(1);
    BillingFixture.waitFor(() -> billing.charged.size() == 5);
    assertThat(pendingRuns()).isZero();

    // The next hour is billed together again, once each.
    groupRequests.clear();
    billing.advance(Duration.ofHours(1));
    for (String user : USERS) {
      assertThat(billing.billingEntries(user)).as(user).isEqualTo(2);
    }
    assertThat(groupRequests.stream().mapToInt(r -> r.getJsonArray("groups").size()).sum())
        .isEqualTo(USERS.size());
  }

  @Test
  @DisplayName("a run left pending by an unreadable earlier attempt fails alone")
  void malformedPendingRunFailsAlone() throws Exception {
    TestDatabase.execute(
        billing.database,
        "UPDATE billing_wallets SET pending_run = "
            + "'{\"run_id\": \"broken\", \"user_id\": \"u4\", \"currency\": \"USD\"}', "
            + "lease_until = NULL WHERE user_id = 'u4'");

    billing.clock.advance(Duration.ofHours(1));
    BillingFixture.waitFor(() -> billing.charged.size() == 4);

    for (String user : List.of("u1", "u2", "u3", "u5")) {
      assertThat(billing.billingEntries(user)).as(user).isEqualTo(1);
      assertThat(billing.balance(user, "USD")).as(user).isEqualTo(880);
    }
    assertThat(billing.billingEntries("u4")).isZero();
    assertThat(billing.balance("u4", "USD")).isEqualTo(1_000);
  }

  private String subscriptionOf(String user) throws Exception {
    JsonArray data =
        billing
            .request(
                dev.kopek.model.billing.BillingAddresses.SUBSCRIPTIONS_LIST,
                new JsonObject().put("user_id", user))
            .getJsonArray("data");
    return data.getJsonObject(0).getString("id");
  }

  private String status(String user) throws Exception {
    JsonArray data =
        billing
            .request(
                dev.kopek.model.billing.BillingAddresses.SUBSCRIPTIONS_LIST,
                new JsonObject().put("user_id", user))
            .getJsonArray("data");
    return data.getJsonObject(0).getString("status");
  }

  private long pendingRuns() {
    return TestDatabase.queryLong(
        billing.database, "SELECT count(*) FROM billing_wallets WHERE pending_run IS NOT NULL");
  }
}
