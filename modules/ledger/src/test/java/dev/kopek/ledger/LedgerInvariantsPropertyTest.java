package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;

/**
 * Random credits and debits over a few users and currencies, sent in groups that run concurrently
 * (one group at a time, as single posts or as one batch): whatever the interleaving, the ledger's
 * invariants hold. Each try runs on a fresh database.
 */
@Label("Ledger invariants")
class LedgerInvariantsPropertyTest {

  private static final List<String> USERS = List.of("ann", "ben", "cy");
  private static final List<String> CURRENCIES = List.of("USD", "JPY", "KWD");

  private static Vertx vertx;
  private LedgerFixture ledger;

  /** A credit (positive) or debit (negative) of a user's wallet in one currency. */
  record Op(String user, String currency, long amountMinor) {}

  /** Operations sent at once, either as concurrent single posts or as one batch. */
  record Group(List<Op> ops, boolean asBatch) {}

  /** What became of one command: the entry posted, or the failure. */
  private record Result(PostingRequest command, JsonObject entry, Failure failure) {}

  @BeforeContainer
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterContainer
  static void closeVertx() {
    await(vertx.close());
  }

  @BeforeTry
  void deploy() {
    ledger = await(LedgerFixture.deploy(vertx, TestDatabase.create()));
  }

  @AfterTry
  void undeploy() {
    await(ledger.undeploy());
  }

  @Provide
  Arbitrary<List<Group>> groups() {
    Arbitrary<Long> magnitude =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.longs().between(1, 1_000)),
            Tuple.of(1, Arbitraries.longs().between(1, Limits.AMOUNT_MINOR_MAX)));
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.of(USERS),
                Arbitraries.of(CURRENCIES),
                magnitude,
                Arbitraries.of(true, false))
            .as(
                (user, currency, amount, credit) ->
                    new Op(user, currency, credit ? amount : -amount));
    Arbitrary<Group> group =
        Combinators.combine(op.list().ofMinSize(1).ofMaxSize(10), Arbitraries.of(true, false))
            .as(Group::new);
    return group.list().ofMinSize(1).ofMaxSize(6);
  }

  @Property(tries = 30)
  @Label(
      "wallets stay non-negative, accounts sum to zero, chains carry running balances, verify is ok")
  void invariantsHold(@ForAll("groups") List<Group> groups) {
    List<Result> results = new ArrayList<>();
    int next = 0;
    for (Group group : groups) {
      List<PostingRequest> commands = new ArrayList<>();
      for (Op op : group.ops()) {
        String key = "op-" + next++;
        commands.add(
            op.amountMinor() > 0
                ? new PostingRequest(
                    key,
                    op.user(),
                    op.currency(),
                    op.amountMinor(),
                    EntryKind.TOPUP,
                    "Top-up",
                    key,
                    "gateway:sandbox")
                : new PostingRequest(
                    key,
                    op.user(),
                    op.currency(),
                    op.amountMinor(),
                    EntryKind.CHARGE,
                    "Charge",
                    key,
                    "revenue"));
      }
      results.addAll(group.asBatch() ? postAsBatch(commands) : postConcurrently(commands));
    }

    Map<String, Long> expectedBalance = new HashMap<>();
    Set<Long> acceptedIds = new HashSet<>();
    for (Result result : results) {
      PostingRequest command = result.command();
      if (result.entry() != null) {
        assertThat(result.entry().getLong("amount_minor")).isEqualTo(command.amountMinor());
        assertThat(result.entry().getString("reference")).isEqualTo(command.idempotencyKey());
        assertThat(result.entry().getBoolean("replayed", false)).isFalse();
        expectedBalance.merge(
            command.userId() + "/" + command.currency(), command.amountMinor(), Long::sum);
        acceptedIds.add(result.entry().getLong("id"));
      } else {
        // only a debit can be refused, and only for a balance that did not cover it
        assertThat(result.failure().code())
            .as("%s", result)
            .isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
        assertThat(command.amountMinor()).isNegative();
        long balance = result.failure().extras().getLong("balance_minor");
        assertThat(balance).isNotNegative().isLessThan(-command.amountMinor());
      }
    }
    assertThat(acceptedIds).hasSize((int) results.stream().filter(r -> r.entry() != null).count());

    for (String user : USERS) {
      for (String currency : CURRENCIES) {
        long expected = expectedBalance.getOrDefault(user + "/" + currency, 0L);
        assertThat(expected).as("sum of %s's accepted %s amounts", user, currency).isNotNegative();
        assertThat(ledger.balance(user, currency)).as("%s %s", user, currency).isEqualTo(expected);
      }
    }
    assertThat(
            ledger.queryLong(
                "SELECT COUNT(*) FROM ledger_accounts"
                    + " WHERE account_kind = 'wallet' AND balance_minor < 0"))
        .isZero();

    Map<String, Long> running = new HashMap<>();
    Map<String, Long> entriesSoFar = new HashMap<>();
    Set<Long> storedIds = new HashSet<>();
    for (Map<String, Object> row :
        ledger.rows(
            "SELECT id, user_id, currency, seq, amount_minor,"
                + " balance_after_minor FROM ledger_entries ORDER BY user_id, currency, seq")) {
      String wallet = row.get("user_id") + "/" + row.get("currency");
      long seq = entriesSoFar.merge(wallet, 1L, Long::sum);
      long after = running.getOrDefault(wallet, 0L) + (Long) row.get("amount_minor");
      assertThat((Long) row.get("seq")).as("%s chain position", wallet).isEqualTo(seq);
      assertThat((Long) row.get("balance_after_minor"))
          .as("%s entry %d", wallet, seq)
          .isEqualTo(after);
      assertThat(after).as("%s entry %d", wallet, seq).isNotNegative();
      running.put(wallet, after);
      storedIds.add((Long) row.get("id"));
    }
    assertThat(storedIds).isEqualTo(acceptedIds);
    assertThat(running).isEqualTo(expectedBalance);

    ledger.assertConsistent(acceptedIds.size());

    // The generator must exercise both sides of the guard, not only credits and hopeless debits.
    // About 40 % of tries post a debit and 60 % refuse one; three of 30 leaves no room for chance.
    boolean debitPosted =
        results.stream().anyMatch(r -> r.entry() != null && r.command().amountMinor() < 0);
    boolean debitRefused = results.stream().anyMatch(r -> r.failure() != null);
    Statistics.label("debit posted").collect(debitPosted);
    Statistics.label("debit refused").collect(debitRefused);
    Statistics.label("debit posted")
        .coverage(coverage -> coverage.check(true).count(tries -> tries >= 3));
    Statistics.label("debit refused")
        .coverage(coverage -> coverage.check(true).count(tries -> tries >= 3));
  }

  private List<Result> postConcurrently(List<PostingRequest> commands) {
    List<Future<JsonObject>> replies =
        LedgerFixture.settle(commands.stream().map(ledger::postAsync).toList());
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      Future<JsonObject> reply = replies.get(i);
      results.add(
          reply.succeeded()
              ? new Result(commands.get(i), reply.result(), null)
              : new Result(commands.get(i), null, Failure.from(reply.cause())));
    }
    return results;
  }

  private List<Result> postAsBatch(List<PostingRequest> commands) {
    JsonArray postings = new JsonArray();
    commands.forEach(command -> postings.add(command.toJson()));
    JsonArray replies =
        ledger
            .call(LedgerAddresses.POST_BATCH, new JsonObject().put("postings", postings))
            .getJsonArray("results");
    assertThat(replies).hasSize(commands.size());
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      JsonObject reply = replies.getJsonObject(i);
      if (reply.containsKey("entry")) {
        assertThat(reply.getBoolean("replayed")).isFalse();
        results.add(new Result(commands.get(i), reply.getJsonObject("entry"), null));
      } else {
        JsonObject error = reply.getJsonObject("error");
        results.add(
            new Result(
                commands.get(i),
                null,
                new Failure(
                    ErrorCode.fromWireName(error.getString("code")).orElseThrow(),
                    error.getString("detail"),
                    error.getJsonObject("extras"))));
      }
    }
    return results;
  }
}
