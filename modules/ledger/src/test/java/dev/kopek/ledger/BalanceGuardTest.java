package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The balance guard")
class BalanceGuardTest {

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

  @Test
  @DisplayName("lets exactly 50 of 200 concurrent debits of 100 through a balance of 5000")
  void concurrentDebits() {
    ledger.post(credit("topup-1", "alice", "USD", 5000));

    List<Future<JsonObject>> replies =
        LedgerFixture.settle(
            IntStream.range(0, 200)
                .mapToObj(i -> ledger.postAsync(debit("debit-" + i, "alice", "USD", 100)))
                .toList());

    List<JsonObject> posted =
        replies.stream().filter(Future::succeeded).map(Future::result).toList();
    List<Failure> refused =
        replies.stream().filter(Future::failed).map(reply -> Failure.from(reply.cause())).toList();
    assertThat(posted).hasSize(50);
    assertThat(refused).hasSize(150);
    assertThat(posted)
        .allSatisfy(
            entry -> {
              assertThat(entry.getLong("amount_minor")).isEqualTo(-100L);
              assertThat(entry.getBoolean("replayed")).isFalse();
            });
    assertThat(posted)
        .extracting(entry -> entry.getLong("balance_after_minor"))
        .containsExactlyInAnyOrderElementsOf(
            LongStream.range(0, 50).map(i -> i * 100).boxed().toList());
    assertThat(posted).extracting(entry -> entry.getLong("id")).doesNotHaveDuplicates();
    assertThat(refused)
        .allSatisfy(
            failure -> {
              assertThat(failure.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
              assertThat(failure.extras().getLong("balance_minor")).isZero();
            });

    assertThat(ledger.balance("alice", "USD")).isZero();
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries WHERE amount_minor < 0"))
        .isEqualTo(50);
    assertThat(
            ledger.queryLong(
                "SELECT COUNT(*) FROM ledger_entries WHERE amount_minor = -100 AND kind = 'charge'"))
        .isEqualTo(50);
    assertThat(ledger.queryLong("SELECT SUM(balance_minor) FROM ledger_accounts")).isZero();
    assertThat(
            ledger.queryLong(
                "SELECT balance_minor FROM ledger_accounts"
                    + " WHERE account_kind = 'system' AND name = 'revenue' AND currency = 'USD'"))
        .isEqualTo(5000);
    assertThat(
            ledger.queryLong(
                "SELECT balance_minor FROM ledger_accounts"
                    + " WHERE account_kind = 'system' AND name = 'gateway:sandbox' AND currency = 'USD'"))
        .isEqualTo(-5000);
    assertThat(ledger.accountSumsByCurrency()).isEqualTo(Map.of("USD", 0L));
    JsonObject report = ledger.verify();
    assertThat(report.getBoolean("ok")).as("verify report %s", report).isTrue();
    assertThat(report.getLong("wallets_checked")).isEqualTo(1);
    assertThat(report.getLong("entries_checked")).isEqualTo(51);
  }

  @Test
  @DisplayName("lets a debit of exactly the balance through and refuses one minor unit more")
  void exactBalance() {
    ledger.post(credit("topup-1", "bob", "KWD", 1250));

    Failure tooMuch = ledger.refused(debit("debit-1251", "bob", "KWD", 1251));
    JsonObject exact = ledger.post(debit("debit-1250", "bob", "KWD", 1250));
    Failure oneMore = ledger.refused(debit("debit-1", "bob", "KWD", 1));

    assertThat(tooMuch.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(tooMuch.extras().getLong("balance_minor")).isEqualTo(1250);
    assertThat(tooMuch.extras().getString("currency")).isEqualTo("KWD");
    assertThat(exact.getLong("balance_after_minor")).isZero();
    assertThat(oneMore.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(oneMore.extras().getLong("balance_minor")).isZero();
    assertThat(ledger.balance("bob", "KWD")).isZero();
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(2);
    ledger.assertConsistent(2);
  }

  @Test
  @DisplayName(
      "keeps currencies and users apart: a USD balance does not fund a JPY or another user's debit")
  void walletsAreSeparate() {
    ledger.post(credit("topup-1", "carol", "USD", 10_000));

    Failure otherCurrency = ledger.refused(debit("debit-jpy", "carol", "JPY", 1));
    Failure otherUser = ledger.refused(debit("debit-dave", "dave", "USD", 1));

    assertThat(otherCurrency.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(otherCurrency.extras().getLong("balance_minor")).isZero();
    assertThat(otherUser.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(ledger.balance("carol", "USD")).isEqualTo(10_000);
    assertThat(ledger.balance("carol", "JPY")).isZero();
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(1);
    ledger.assertConsistent(1);
  }

  @Test
  @DisplayName("refuses a malformed posting before it reaches the writer, naming the field")
  void refusesMalformedPosting() {
    JsonObject noCurrency = credit("topup-1", "erin", "USD", 100).toJson();
    noCurrency.remove("currency");
    JsonObject smallestLong =
        credit("topup-2", "erin", "USD", 100).toJson().put("amount_minor", Long.MIN_VALUE);

    Failure missing = ledger.callRefused(LedgerAddresses.POST, noCurrency);
    Failure tooSmall = ledger.callRefused(LedgerAddresses.POST, smallestLong);

    assertThat(missing.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(missing.extras().getString("field")).isEqualTo("currency");
    assertThat(tooSmall.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(tooSmall.extras().getString("field")).isEqualTo("amount_minor");
    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isZero();
  }
}
