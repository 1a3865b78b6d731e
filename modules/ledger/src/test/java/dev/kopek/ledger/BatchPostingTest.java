package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Batch posting (kopek.ledger.post.batch)")
class BatchPostingTest {

  private LedgerFixture ledger;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    LedgerFixture.deploy(vertx, TestDatabase.create())
        .onComplete(
            context.succeeding(
                deployed -> {
                  ledger = deployed;
                  context.completeNow();
                }));
  }

  /**
   * Alice has 1000 USD. In order: a debit that fits, one that does not, a posting without a reason,
   * a credit, the credit's key with another amount, the credit again, a debit of the rest, another
   * user's credit, something that is not a posting, and a debit of an empty wallet.
   */
  private static JsonArray mixedBatch() {
    JsonObject noReason = credit("b-topup-x", "alice", "USD", 10).toJson();
    noReason.remove("reason");
    return new JsonArray()
        .add(debit("b-charge-1", "alice", "USD", 300).toJson())
        .add(debit("b-charge-2", "alice", "USD", 5000).toJson())
        .add(noReason)
        .add(credit("b-topup-2", "alice", "USD", 200).toJson())
        .add(credit("b-topup-2", "alice", "USD", 250).toJson())
        .add(credit("b-topup-2", "alice", "USD", 200).toJson())
        .add(debit("b-charge-3", "alice", "USD", 900).toJson())
        .add(credit("b-topup-bob", "bob", "JPY", 50).toJson())
        .add("not a posting")
        .add(debit("b-charge-4", "alice", "USD", 1).toJson());
  }

  private List<JsonObject> postBatch(JsonArray postings) {
    JsonArray results =
        ledger
            .call(LedgerAddresses.POST_BATCH, new JsonObject().put("postings", postings))
            .getJsonArray("results");
    return results.stream().map(JsonObject.class::cast).toList();
  }

  private static JsonObject entry(JsonObject result) {
    assertThat(result.containsKey("error")).as("result %s", result).isFalse();
    return result.getJsonObject("entry");
  }

  private static Failure error(JsonObject result) {
    assertThat(result.containsKey("entry")).as("result %s", result).isFalse();
    JsonObject error = result.getJsonObject("error");
    return new Failure(
        ErrorCode.fromWireName(error.getString("code")).orElseThrow(),
        error.getString("detail"),
        error.getJsonObject("extras"));
  }

  @Test
  @DisplayName("gives every posting its own outcome in order and writes only the good ones")
  void mixedOutcomes() {
    ledger.post(credit("topup-1", "alice", "USD", 1000));

    List<JsonObject> results = postBatch(mixedBatch());

    assertThat(results).hasSize(10);
    JsonObject charge1 = entry(results.get(0));
    assertThat(charge1.getLong("amount_minor")).isEqualTo(-300);
    assertThat(charge1.getLong("balance_after_minor")).isEqualTo(700);
    assertThat(results.get(0).getBoolean("replayed")).isFalse();

    Failure tooLarge = error(results.get(1));
    assertThat(tooLarge.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(tooLarge.extras().getLong("balance_minor")).isEqualTo(700);

    Failure noReason = error(results.get(2));
    assertThat(noReason.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(noReason.extras().getString("field")).isEqualTo("reason");

    JsonObject topup2 = entry(results.get(3));
    assertThat(topup2.getLong("amount_minor")).isEqualTo(200);
    assertThat(topup2.getLong("balance_after_minor")).isEqualTo(900);
    assertThat(results.get(3).getBoolean("replayed")).isFalse();

    assertThat(error(results.get(4)).code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);

    assertThat(entry(results.get(5))).isEqualTo(topup2);
    assertThat(results.get(5).getBoolean("replayed")).isTrue();

    JsonObject charge3 = entry(results.get(6));
    assertThat(charge3.getLong("amount_minor")).isEqualTo(-900);
    assertThat(charge3.getLong("balance_after_minor")).isZero();

    JsonObject bob = entry(results.get(7));
    assertThat(bob.getString("user_id")).isEqualTo("bob");
    assertThat(bob.getString("currency")).isEqualTo("JPY");
    assertThat(bob.getLong("balance_after_minor")).isEqualTo(50);

    Failure notAPosting = error(results.get(8));
    assertThat(notAPosting.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(notAPosting.extras().getString("field")).isEqualTo("postings");

    Failure emptyWallet = error(results.get(9));
    assertThat(emptyWallet.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(emptyWallet.extras().getLong("balance_minor")).isZero();

    assertThat(List.of(charge1, topup2, charge3, bob))
        .extracting(e -> e.getLong("id"))
        .doesNotHaveDuplicates();
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(5);
    for (String key : List.of("b-charge-1", "b-topup-2", "b-charge-3", "b-topup-bob")) {
      assertThat(ledger.entriesWithKey(key)).as(key).isEqualTo(1);
    }
    for (String key : List.of("b-charge-2", "b-topup-x", "b-charge-4")) {
      assertThat(ledger.entriesWithKey(key)).as(key).isZero();
    }
    assertThat(
            ledger.queryLong(
                "SELECT amount_minor FROM ledger_entries" + " WHERE idempotency_key = 'b-topup-2'"))
        .isEqualTo(200);
    assertThat(ledger.balance("alice", "USD")).isZero();
    assertThat(ledger.balance("bob", "JPY")).isEqualTo(50);
    ledger.assertConsistent(5);
  }

  @Test
  @DisplayName("a batch sent again replays every entry it posted and writes nothing new")
  void batchRetried() {
    ledger.post(credit("topup-1", "alice", "USD", 1000));
    List<JsonObject> first = postBatch(mixedBatch());

    List<JsonObject> again = postBatch(mixedBatch());

    assertThat(again).hasSize(10);
    for (int i : List.of(0, 3, 5, 6, 7)) {
      assertThat(entry(again.get(i))).as("result %d", i).isEqualTo(entry(first.get(i)));
      assertThat(again.get(i).getBoolean("replayed")).as("result %d", i).isTrue();
    }
    assertThat(error(again.get(1)).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(error(again.get(1)).extras().getLong("balance_minor")).isZero();
    assertThat(error(again.get(2)).extras().getString("field")).isEqualTo("reason");
    assertThat(error(again.get(4)).code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);
    assertThat(error(again.get(8)).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(error(again.get(9)).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(5);
    assertThat(ledger.balance("alice", "USD")).isZero();
    assertThat(ledger.balance("bob", "JPY")).isEqualTo(50);
    ledger.assertConsistent(5);
  }

  @Test
  @DisplayName(
      "a key refused earlier in a batch is not remembered: repeated after a credit, it posts")
  void refusalInBatchIsNotRemembered() {
    // The writer takes the first posting alone and the other three together, in one transaction.
    List<JsonObject> results =
        postBatch(
            new JsonArray()
                .add(credit("b-other", "bob", "USD", 1).toJson())
                .add(debit("b-charge", "alice", "KWD", 100).toJson())
                .add(credit("b-topup", "alice", "KWD", 500).toJson())
                .add(debit("b-charge", "alice", "KWD", 100).toJson()));

    Failure refused = error(results.get(1));
    assertThat(refused.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(refused.extras().getLong("balance_minor")).isZero();
    assertThat(entry(results.get(2)).getLong("balance_after_minor")).isEqualTo(500);
    JsonObject charged = entry(results.get(3));
    assertThat(charged.getLong("amount_minor")).isEqualTo(-100);
    assertThat(charged.getLong("balance_after_minor")).isEqualTo(400);
    assertThat(results.get(3).getBoolean("replayed")).isFalse();
    assertThat(ledger.entriesWithKey("b-charge")).isEqualTo(1);
    assertThat(ledger.balance("alice", "KWD")).isEqualTo(400);
    ledger.assertConsistent(3);
  }

  @Test
  @DisplayName("refuses a request without postings, naming the field")
  void refusesEmptyBatch() {
    Failure empty =
        ledger.callRefused(
            LedgerAddresses.POST_BATCH, new JsonObject().put("postings", new JsonArray()));
    Failure missing = ledger.callRefused(LedgerAddresses.POST_BATCH, new JsonObject());

    assertThat(empty.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(empty.extras().getString("field")).isEqualTo("postings");
    assertThat(missing.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(missing.extras().getString("field")).isEqualTo("postings");
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isZero();
  }

  @Test
  @DisplayName(
      "an atomic batch is posted all or none, and a refused one leaves no trace for "
          + "the postings batched with it")
  void atomicBatches() {
    ledger.post(credit("a-open", "alice", "USD", 1000));
    JsonObject tooMuch =
        new JsonObject()
            .put("atomic", true)
            .put(
                "postings",
                new JsonArray()
                    .add(debit("a-1", "alice", "USD", 300).toJson())
                    .add(debit("a-2", "alice", "USD", 800).toJson()));
    // A batch already being written makes the group and the single debit queue up together, so
    // the next batch holds both and the group's refusal must be undone within that batch.
    JsonArray busy = new JsonArray();
    for (int i = 0; i < 200; i++) {
      busy.add(credit("a-busy-" + i, "user" + i, "USD", 1).toJson());
    }
    io.vertx.core.Future<JsonObject> blocker =
        ledger.request(
            dev.kopek.model.ledger.LedgerAddresses.POST_BATCH,
            new JsonObject().put("postings", busy));
    io.vertx.core.Future<JsonObject> group =
        ledger.request(dev.kopek.model.ledger.LedgerAddresses.POST_BATCH, tooMuch);
    io.vertx.core.Future<JsonObject> single =
        ledger.postAsync(debit("a-single", "alice", "USD", 600));

    JsonArray refused = LedgerFixture.await(group).getJsonArray("results");
    assertThat(refused)
        .hasSize(2)
        .allSatisfy(
            result ->
                assertThat(((JsonObject) result).getJsonObject("error").getString("code"))
                    .isEqualTo("insufficient_funds"));
    assertThat(LedgerFixture.await(single).getLong("balance_after_minor")).isEqualTo(400);
    assertThat(ledger.entriesWithKey("a-1")).isZero();
    LedgerFixture.await(blocker);

    JsonObject fits =
        new JsonObject()
            .put("atomic", true)
            .put(
                "postings",
                new JsonArray()
                    .add(debit("a-3", "alice", "USD", 300).toJson())
                    .add(debit("a-4", "alice", "USD", 100).toJson()));
    JsonArray posted =
        ledger
            .call(dev.kopek.model.ledger.LedgerAddresses.POST_BATCH, fits)
            .getJsonArray("results");
    assertThat(posted.getJsonObject(1).getJsonObject("entry").getLong("balance_after_minor"))
        .isZero();
    JsonArray replayed =
        ledger
            .call(dev.kopek.model.ledger.LedgerAddresses.POST_BATCH, fits)
            .getJsonArray("results");
    assertThat(replayed)
        .allSatisfy(r -> assertThat(((JsonObject) r).getBoolean("replayed")).isTrue());
    assertThat(ledger.balance("alice", "USD")).isZero();
    ledger.assertConsistent(4 + 200);
  }

  @Test
  @DisplayName(
      "independent groups in one request: each is all or none on its own, and a refused "
          + "or malformed group leaves the others posted")
  void independentGroups() {
    ledger.post(credit("g-open-alice", "alice", "USD", 1000));
    ledger.post(credit("g-open-bob", "bob", "USD", 100));
    ledger.post(credit("g-open-carol", "carol", "USD", 500));
    JsonObject malformed = debit("g-carol-2", "carol", "USD", 10).toJson();
    malformed.remove("reason");
    JsonObject request =
        new JsonObject()
            .put(
                "groups",
                new JsonArray()
                    .add(
                        new JsonArray()
                            .add(debit("g-alice-1", "alice", "USD", 300).toJson())
                            .add(debit("g-alice-2", "alice", "USD", 200).toJson()))
                    .add(
                        new JsonArray()
                            .add(debit("g-bob-1", "bob", "USD", 60).toJson())
                            .add(debit("g-bob-2", "bob", "USD", 60).toJson()))
                    .add(
                        new JsonArray()
                            .add(debit("g-carol-1", "carol", "USD", 10).toJson())
                            .add(malformed))
                    .add(new JsonArray().add(debit("g-dave-1", "dave", "USD", 1).toJson()))
                    .add(new JsonArray().add(debit("g-carol-3", "carol", "USD", 400).toJson())));

    JsonArray groups = ledger.call(LedgerAddresses.POST_BATCH, request).getJsonArray("groups");

    assertThat(groups).hasSize(5);
    List<JsonObject> alice = results(groups, 0);
    assertThat(alice).hasSize(2);
    assertThat(entry(alice.get(1)).getLong("balance_after_minor")).isEqualTo(500);
    List<JsonObject> bob = results(groups, 1);
    assertThat(bob)
        .hasSize(2)
        .allSatisfy(r -> assertThat(error(r).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS));
    List<JsonObject> carol = results(groups, 2);
    assertThat(carol)
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(error(r).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
              assertThat(error(r).extras().getString("field")).isEqualTo("reason");
            });
    assertThat(error(results(groups, 3).get(0)).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(entry(results(groups, 4).get(0)).getLong("balance_after_minor")).isEqualTo(100);
    // Queued together, the groups were written in one transaction (one batch, one timestamp),
    // the first group included.
    assertThat(entry(alice.get(0)).getString("created_at"))
        .isEqualTo(entry(results(groups, 4).get(0)).getString("created_at"));
    for (String key : List.of("g-bob-1", "g-bob-2", "g-carol-1", "g-carol-2", "g-dave-1")) {
      assertThat(ledger.entriesWithKey(key)).as(key).isZero();
    }
    assertThat(ledger.balance("alice", "USD")).isEqualTo(500);
    assertThat(ledger.balance("bob", "USD")).isEqualTo(100);
    assertThat(ledger.balance("carol", "USD")).isEqualTo(100);

    // Sent again (a retry after a lost reply): the posted groups replay, nothing new is written.
    JsonArray again = ledger.call(LedgerAddresses.POST_BATCH, request).getJsonArray("groups");
    assertThat(results(again, 0)).allSatisfy(r -> assertThat(r.getBoolean("replayed")).isTrue());
    assertThat(results(again, 4).get(0).getBoolean("replayed")).isTrue();
    assertThat(error(results(again, 1).get(0)).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(ledger.balance("alice", "USD")).isEqualTo(500);
    ledger.assertConsistent(3 + 3);
  }

  @Test
  @DisplayName("refuses groups that are empty, not lists, too many, or sent with postings")
  void refusesMalformedGroups() {
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 10_001; i++) {
      tooMany.add(new JsonArray().add(debit("g-" + i, "alice", "USD", 1).toJson()));
    }
    for (JsonObject body :
        List.of(
            new JsonObject().put("groups", new JsonArray()),
            new JsonObject().put("groups", new JsonArray().add(new JsonArray())),
            new JsonObject().put("groups", new JsonArray().add("not a group")),
            new JsonObject().put("groups", tooMany),
            new JsonObject()
                .put(
                    "groups",
                    new JsonArray()
                        .add(new JsonArray().add(debit("g-x", "alice", "USD", 1).toJson())))
                .put("postings", new JsonArray().add(debit("g-y", "alice", "USD", 1).toJson())))) {
      Failure refused = ledger.callRefused(LedgerAddresses.POST_BATCH, body);
      assertThat(refused.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
      assertThat(refused.extras().getString("field")).isEqualTo("groups");
    }
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isZero();
  }

  @Test
  @DisplayName("reads many wallets' balances at once, in the order asked, zero for unused ones")
  void readsManyWallets() {
    ledger.post(credit("w-alice-usd", "alice", "USD", 1000));
    ledger.post(credit("w-alice-eur", "alice", "EUR", 70));
    ledger.post(credit("w-bob-usd", "bob", "USD", 5));
    JsonArray wallets =
        new JsonArray()
            .add(new JsonObject().put("user_id", "bob").put("currency", "USD"))
            .add(new JsonObject().put("user_id", "alice").put("currency", "EUR"))
            .add(new JsonObject().put("user_id", "carol").put("currency", "USD"))
            .add(new JsonObject().put("user_id", "alice").put("currency", "USD"))
            .add(new JsonObject().put("user_id", "bob").put("currency", "JPY"));

    JsonArray data =
        ledger
            .call(LedgerAddresses.WALLETS_GET, new JsonObject().put("wallets", wallets))
            .getJsonArray("data");

    assertThat(
            data.stream()
                .map(JsonObject.class::cast)
                .map(
                    w ->
                        w.getString("user_id")
                            + " "
                            + w.getString("currency")
                            + " "
                            + w.getLong("balance_minor")))
        .containsExactly("bob USD 5", "alice EUR 70", "carol USD 0", "alice USD 1000", "bob JPY 0");

    Failure empty =
        ledger.callRefused(
            LedgerAddresses.WALLETS_GET, new JsonObject().put("wallets", new JsonArray()));
    assertThat(empty.extras().getString("field")).isEqualTo("wallets");
    Failure badCurrency =
        ledger.callRefused(
            LedgerAddresses.WALLETS_GET,
            new JsonObject()
                .put(
                    "wallets",
                    new JsonArray()
                        .add(new JsonObject().put("user_id", "a").put("currency", "usd"))));
    assertThat(badCurrency.extras().getString("field")).isEqualTo("currency");
    Failure noUser =
        ledger.callRefused(
            LedgerAddresses.WALLETS_GET,
            new JsonObject()
                .put("wallets", new JsonArray().add(new JsonObject().put("currency", "USD"))));
    assertThat(noUser.extras().getString("field")).isEqualTo("user_id");
  }

  private static List<JsonObject> results(JsonArray groups, int group) {
    return groups.getJsonArray(group).stream().map(JsonObject.class::cast).toList();
  }
}
