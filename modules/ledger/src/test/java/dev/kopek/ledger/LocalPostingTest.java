package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.client.LedgerClient;
import dev.kopek.client.Replayable;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.LocalObjects;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Postings sent as records within the process (the HTTP API's path): the same ledger, the same
 * answers as the JSON bodies every other caller sends.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Postings sent as records within the process")
class LocalPostingTest {

  private LedgerFixture ledger;
  private LedgerClient local;
  private LedgerClient json;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    LedgerFixture.deploy(vertx, TestDatabase.create())
        .onComplete(
            context.succeeding(
                deployed -> {
                  ledger = deployed;
                  local = LedgerClient.create(vertx, 10_000).localOnly();
                  json = LedgerClient.create(vertx, 10_000);
                  context.completeNow();
                }));
  }

  @Test
  @DisplayName("a record posts, replays and is refused as its JSON twin is")
  void sameAnswersAsJson() {
    Replayable<Entry> topup =
        LedgerFixture.await(local.post(credit("topup-1", "alice", "USD", 1_000)));
    assertThat(topup.replayed()).isFalse();
    assertThat(topup.value().balanceAfterMinor()).isEqualTo(1_000);

    Replayable<Entry> charge = LedgerFixture.await(local.post(debit("c-1", "alice", "USD", 300)));
    Replayable<Entry> again = LedgerFixture.await(json.post(debit("c-1", "alice", "USD", 300)));
    Replayable<Entry> thrice = LedgerFixture.await(local.post(debit("c-1", "alice", "USD", 300)));
    assertThat(charge.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(thrice.replayed()).isTrue();
    assertThat(again.value()).isEqualTo(charge.value());
    assertThat(thrice.value()).isEqualTo(charge.value());

    assertThat(LedgerFixture.failureOf(local.post(debit("c-2", "alice", "USD", 701))).code())
        .isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(LedgerFixture.failureOf(json.post(debit("c-2", "alice", "USD", 701))).code())
        .isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(LedgerFixture.failureOf(local.post(debit("c-1", "alice", "USD", 301))).code())
        .isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);

    assertThat(ledger.balance("alice", "USD")).isEqualTo(700);
    assertThat(ledger.entriesWithKey("c-1")).isEqualTo(1);
    ledger.assertConsistent(2);
  }

  @Test
  @DisplayName(
      "the ledger still answers a JSON body with JSON, and refuses a body of no known type")
  void jsonStillJson(Vertx vertx) {
    JsonObject reply = ledger.post(credit("topup-1", "bob", "EUR", 50));
    assertThat(reply.getBoolean("replayed")).isFalse();
    assertThat(reply.getLong("balance_after_minor")).isEqualTo(50);

    Object odd =
        LedgerFixture.failureOf(
            vertx
                .eventBus()
                .request(
                    LedgerAddresses.POST,
                    new StringBuilder("not a posting"),
                    new DeliveryOptions().setLocalOnly(true).setCodecName(LocalObjects.NAME)));
    assertThat(((dev.kopek.model.Failure) odd).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
  }
}
