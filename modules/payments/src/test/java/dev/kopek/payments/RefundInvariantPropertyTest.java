package dev.kopek.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.payments.PaymentsAddresses;
import dev.kopek.testkit.ScriptedProvider;
import dev.kopek.testkit.ScriptedProvider.RefundFault;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Refund requests with random amounts and keys, sent alone or at once, retried or not, against a
 * provider that refuses, declines, loses answers after acting, returns unreadable answers and drops
 * connections in random order, with lookups at the provider failing at random. Once the janitor has
 * resolved everything, the invariant holds: for every refund the provider holds, exactly one net
 * debit of its amount in the ledger; for every reversed or rejected refund, no refund at the
 * provider; never more refunded than paid. Each try runs on a fresh database.
 */
@Label("Refund invariant")
class RefundInvariantPropertyTest {

  private static final long PAID = 1_000;

  private PaymentsFixture fixture;

  /** One refund request: its key, its amount (null: all that is left), how often it is retried. */
  record Request(int key, Long amountMinor, int retries) {}

  /** Requests sent at once, after the provider is told which faults the next calls meet. */
  record Round(
      List<Request> requests, List<RefundFault> faults, boolean lookupsDown, boolean declining) {}

  @BeforeTry
  void start() throws Exception {
    fixture = new PaymentsFixture();
  }

  @AfterTry
  void stop() throws Exception {
    fixture.close();
  }

  @Provide
  Arbitrary<List<Round>> rounds() {
    Arbitrary<Long> amount =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(1, 600).map(Long::valueOf)),
            net.jqwik.api.Tuple.of(1, Arbitraries.just((Long) null)));
    Arbitrary<Request> request =
        Combinators.combine(
                Arbitraries.integers().between(0, 4), amount, Arbitraries.integers().between(0, 2))
            .as(Request::new);
    Arbitrary<Round> round =
        Combinators.combine(
                request.list().ofMinSize(1).ofMaxSize(3),
                Arbitraries.of(RefundFault.class).list().ofMaxSize(3),
                Arbitraries.of(true, false),
                Arbitraries.frequency(
                    net.jqwik.api.Tuple.of(4, false), net.jqwik.api.Tuple.of(1, true)))
            .as(Round::new);
    return round.list().ofMinSize(1).ofMaxSize(5);
  }

  @Property(tries = 12)
  @Label("every provider refund has exactly one net debit; no reversed debit has a refund")
  void providerAndLedgerAgree(@ForAll("rounds") List<Round> rounds) throws Exception {
    String topupId = paidTopup();
    for (Round round : rounds) {
      ScriptedProvider.REFUND_FAULTS.clear();
      ScriptedProvider.REFUND_FAULTS.addAll(round.faults());
      ScriptedProvider.refundLookupsDown = round.lookupsDown();
      ScriptedProvider.declineRefunds = round.declining();
      List<Future<JsonObject>> sent = new ArrayList<>();
      for (Request request : round.requests()) {
        sent.add(sendWithRetries(topupId, request, request.retries()));
      }
      Future.join(sent).otherwiseEmpty().await(30, TimeUnit.SECONDS);
    }

    // Everything unfinished is resolved by the janitor once the provider answers again.
    ScriptedProvider.REFUND_FAULTS.clear();
    ScriptedProvider.refundLookupsDown = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (TestDatabase.queryLong(
            fixture.database,
            "SELECT count(*) FROM payment_refunds WHERE "
                + "status NOT IN ('succeeded', 'reversed', 'rejected')")
        > 0) {
      assertThat(System.nanoTime()).as("refunds left unresolved").isLessThan(deadline);
      fixture.clock.advance(Duration.ofSeconds(5));
      Thread.sleep(100);
    }

    Map<String, Long> atProvider = Map.copyOf(ScriptedProvider.REFUNDS);
    long refundedAtProvider = atProvider.values().stream().mapToLong(Long::longValue).sum();
    List<String> ids = new ArrayList<>();
    for (int key = 0; key < 5; key++) {
      String id =
          TestDatabase.queryString(
              fixture.database,
              "SELECT id FROM payment_refunds "
                  + "WHERE idempotency_key = 'refund:ops:k"
                  + key
                  + "'");
      if (id == null) {
        assertThat(netDebit(key)).isZero();
        continue;
      }
      ids.add(id);
      String status =
          TestDatabase.queryString(
              fixture.database, "SELECT status FROM payment_refunds WHERE id = '" + id + "'");
      // Each attempt sends its own provider key: the id, then id_a2, id_a3, ...
      long expected =
          atProvider.entrySet().stream()
              .filter(refund -> refund.getKey().equals(id) || refund.getKey().startsWith(id + "_a"))
              .mapToLong(Map.Entry::getValue)
              .sum();
      assertThat(netDebit(key)).as("net debit of refund %s (%s)", id, status).isEqualTo(expected);
      if (!"succeeded".equals(status)) {
        assertThat(expected).as("a %s refund has no refund at the provider", status).isZero();
      } else {
        assertThat(
                TestDatabase.queryLong(
                    fixture.database,
                    "SELECT amount_minor FROM " + "payment_refunds WHERE id = '" + id + "'"))
            .isEqualTo(expected);
      }
    }
    assertThat(atProvider.keySet())
        .allSatisfy(key -> assertThat(ids).contains(key.replaceFirst("_a\\d+$", "")));
    assertThat(refundedAtProvider).isLessThanOrEqualTo(PAID);
    assertThat(
            TestDatabase.queryLong(
                fixture.database,
                "SELECT refunded_minor FROM payments " + "WHERE id = '" + topupId + "'"))
        .isEqualTo(refundedAtProvider);
    assertThat(fixture.balance("alice")).isEqualTo(PAID - refundedAtProvider);
    assertThat(fixture.request(LedgerAddresses.VERIFY, new JsonObject()).getBoolean("ok")).isTrue();
  }

  private Future<JsonObject> sendWithRetries(String topupId, Request request, int retries) {
    JsonObject body =
        new JsonObject()
            .put("id", topupId)
            .put("idempotency_key", "k" + request.key())
            .put("admin_id", "ops")
            .put("amount_minor", request.amountMinor());
    Future<JsonObject> first = fixture.send(PaymentsAddresses.REFUND, body);
    if (retries == 0) {
      return first;
    }
    return first.transform(done -> sendWithRetries(topupId, request, retries - 1));
  }

  private long netDebit(int key) {
    return -TestDatabase.queryLong(
        fixture.database,
        "SELECT COALESCE(SUM(amount_minor), 0) "
            + "FROM ledger_entries WHERE idempotency_key LIKE 'refund:ops:k"
            + key
            + ":%'");
  }

  private String paidTopup() throws Exception {
    JsonObject topup =
        fixture.request(
            PaymentsAddresses.TOPUP_CREATE,
            new JsonObject()
                .put("user_id", "alice")
                .put("idempotency_key", "t1")
                .put("amount_minor", PAID)
                .put("currency", "USD"));
    String url = topup.getString("checkout_url");
    fixture.request(
        PaymentsAddresses.CHECKOUT_SUBMIT,
        new JsonObject()
            .put("token", url.substring(url.lastIndexOf('/') + 1))
            .put("form", new JsonObject().put("outcome", "succeed")));
    return topup.getString("id");
  }
}
