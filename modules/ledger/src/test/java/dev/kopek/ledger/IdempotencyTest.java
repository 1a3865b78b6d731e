package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Idempotency keys")
class IdempotencyTest {

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

  private static JsonObject withoutReplayed(JsonObject reply) {
    JsonObject entry = reply.copy();
    entry.remove("replayed");
    return entry;
  }

  @Test
  @DisplayName("a command sent twice posts once; the second reply is the same entry, replayed")
  void sequentialRepeat() {
    ledger.post(credit("topup-1", "alice", "USD", 1000));
    PostingRequest charge = debit("charge-1", "alice", "USD", 300);

    JsonObject first = ledger.post(charge);
    JsonObject second = ledger.post(charge);

    assertThat(first.getBoolean("replayed")).isFalse();
    assertThat(second.getBoolean("replayed")).isTrue();
    assertThat(second.getLong("id")).isEqualTo(first.getLong("id"));
    assertThat(withoutReplayed(second)).isEqualTo(withoutReplayed(first));
    assertThat(second.getLong("balance_after_minor")).isEqualTo(700);
    assertThat(ledger.entriesWithKey("charge-1")).isEqualTo(1);
    assertThat(ledger.balance("alice", "USD")).isEqualTo(700);
    ledger.assertConsistent(2);
  }

  @Test
  @DisplayName("20 concurrent copies of a command post once and all get the same entry")
  void concurrentCopies() {
    PostingRequest topup = credit("topup-1", "bob", "JPY", 5000);

    List<JsonObject> replies =
        LedgerFixture.await(
                Future.all(IntStream.range(0, 20).mapToObj(i -> ledger.postAsync(topup)).toList()))
            .list();

    assertThat(replies).hasSize(20);
    assertThat(replies)
        .extracting(reply -> reply.getLong("id"))
        .containsOnly(replies.get(0).getLong("id"));
    assertThat(replies).filteredOn(reply -> !reply.getBoolean("replayed")).hasSize(1);
    assertThat(replies)
        .allSatisfy(reply -> assertThat(reply.getLong("balance_after_minor")).isEqualTo(5000));
    assertThat(ledger.entriesWithKey("topup-1")).isEqualTo(1);
    assertThat(ledger.balance("bob", "JPY")).isEqualTo(5000);
    ledger.assertConsistent(1);
  }

  @Test
  @DisplayName(
      "20 concurrent copies of a debit that fits the balance once all succeed with one entry")
  void concurrentCopiesOfADebitThatFitsOnce() {
    ledger.post(credit("topup-1", "carol", "USD", 100));
    PostingRequest charge = debit("charge-1", "carol", "USD", 100);

    List<JsonObject> replies =
        LedgerFixture.await(
                Future.all(IntStream.range(0, 20).mapToObj(i -> ledger.postAsync(charge)).toList()))
            .list();

    assertThat(replies)
        .extracting(reply -> reply.getLong("id"))
        .containsOnly(replies.get(0).getLong("id"));
    assertThat(replies).filteredOn(reply -> !reply.getBoolean("replayed")).hasSize(1);
    assertThat(ledger.entriesWithKey("charge-1")).isEqualTo(1);
    assertThat(ledger.balance("carol", "USD")).isZero();
    ledger.assertConsistent(2);
  }

  @ParameterizedTest(name = "{0} changed to {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "amount_minor    | -301",
        "user_id         | mallory",
        "currency        | EUR",
        "kind            | billing",
        "reason          | Another charge",
        "reference       | order-2",
        "counter_account | adjustments"
      })
  @DisplayName("the same key with a different command is a conflict and writes nothing")
  void conflict(String field, String value) {
    ledger.post(credit("topup-1", "alice", "USD", 1000));
    JsonObject original = debit("charge-1", "alice", "USD", 300).toJson();
    JsonObject posted = ledger.call(LedgerAddresses.POST, original);
    JsonObject changed =
        original
            .copy()
            .put(field, field.equals("amount_minor") ? (Object) Long.parseLong(value) : value);

    Failure failure = ledger.callRefused(LedgerAddresses.POST, changed);

    assertThat(failure.code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);
    assertThat(ledger.entriesWithKey("charge-1")).isEqualTo(1);
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(2);
    assertThat(
            ledger.queryLong(
                "SELECT amount_minor FROM ledger_entries" + " WHERE idempotency_key = 'charge-1'"))
        .isEqualTo(-300);
    assertThat(ledger.balance("alice", "USD")).isEqualTo(700);
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_accounts WHERE balance_minor <> 0"))
        .as("only alice's wallet, revenue and the gateway hold money")
        .isEqualTo(3);
    assertThat(ledger.call(LedgerAddresses.POST, original).getLong("id"))
        .as("the original command still replays")
        .isEqualTo(posted.getLong("id"));
    ledger.assertConsistent(2);
  }

  @Test
  @DisplayName(
      "a refused debit is not remembered: the same key succeeds once the balance covers it")
  void refusalIsNotStored() {
    ledger.post(credit("topup-1", "dave", "USD", 100));
    PostingRequest charge = debit("charge-1", "dave", "USD", 250);

    Failure refused = ledger.refused(charge);

    assertThat(refused.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(refused.extras().getLong("balance_minor")).isEqualTo(100);
    assertThat(ledger.entriesWithKey("charge-1")).isZero();
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(1);
    assertThat(ledger.balance("dave", "USD")).isEqualTo(100);
    assertThat(
            ledger.queryLong(
                "SELECT balance_minor FROM ledger_accounts"
                    + " WHERE account_kind = 'system' AND name = 'revenue'"))
        .isZero();

    ledger.post(credit("topup-2", "dave", "USD", 200));
    JsonObject posted = ledger.post(charge);
    JsonObject replayed = ledger.post(charge);

    assertThat(posted.getBoolean("replayed")).isFalse();
    assertThat(posted.getLong("amount_minor")).isEqualTo(-250);
    assertThat(posted.getLong("balance_after_minor")).isEqualTo(50);
    assertThat(replayed.getBoolean("replayed")).isTrue();
    assertThat(replayed.getLong("id")).isEqualTo(posted.getLong("id"));
    assertThat(ledger.entriesWithKey("charge-1")).isEqualTo(1);
    assertThat(ledger.balance("dave", "USD")).isEqualTo(50);
    ledger.assertConsistent(3);
  }
}
