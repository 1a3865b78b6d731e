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
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The kopek.ledger.posted fact")
class PostedFactTest {

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

  /** What the shop saw: the replies to its commands and the facts published meanwhile. */
  record Observed(List<Object> replies, List<JsonObject> facts) {}

  /**
   * A module beside the ledger, as billing or payments would be: it listens to the posted facts,
   * then sends its commands one after the other over {@code kopek.ledger.post}, and reports once
   * the fact of its last command has arrived.
   */
  static final class Shop extends VerticleBase {
    private final List<PostingRequest> commands;
    private final Promise<Observed> observed = Promise.promise();
    private final List<Object> replies = new ArrayList<>();
    private final List<JsonObject> facts = new ArrayList<>();

    Shop(List<PostingRequest> commands) {
      this.commands = commands;
    }

    Future<Observed> observed() {
      return observed.future();
    }

    @Override
    public Future<?> start() {
      return vertx
          .eventBus()
          .<JsonObject>consumer(
              LedgerAddresses.POSTED,
              fact -> {
                facts.add(fact.body());
                finishIfDone();
              })
          .completion()
          .onSuccess(registered -> send(0));
    }

    private void send(int index) {
      if (index == commands.size()) {
        finishIfDone();
        return;
      }
      vertx
          .eventBus()
          .<JsonObject>request(LedgerAddresses.POST, commands.get(index).toJson())
          .map(Message::body)
          .onComplete(
              reply -> {
                replies.add(reply.succeeded() ? reply.result() : Failure.from(reply.cause()));
                send(index + 1);
              });
    }

    private void finishIfDone() {
      if (replies.size() < commands.size()) {
        return;
      }
      Object last = replies.get(replies.size() - 1);
      if (!(last instanceof JsonObject lastEntry)) {
        observed.tryFail("the last command must be posted, was " + last);
        return;
      }
      if (facts.stream().anyMatch(f -> f.getLong("id").equals(lastEntry.getLong("id")))) {
        observed.tryComplete(new Observed(List.copyOf(replies), List.copyOf(facts)));
      }
    }
  }

  private static JsonObject withoutReplayed(Object reply) {
    JsonObject entry = ((JsonObject) reply).copy();
    entry.remove("replayed");
    return entry;
  }

  @Test
  @DisplayName(
      "a sibling verticle receives one fact per new entry, equal to its reply, and none for a replay or a refusal")
  void siblingReceivesMatchingFacts(Vertx vertx) {
    PostingRequest topup = credit("shop-topup", "alice", "USD", 1000);
    PostingRequest charge = debit("shop-charge-1", "alice", "USD", 400);
    PostingRequest tooLarge = debit("shop-charge-2", "alice", "USD", 5000);
    PostingRequest rest = debit("shop-charge-3", "alice", "USD", 600);
    Shop shop = new Shop(List.of(topup, charge, charge, tooLarge, rest));

    LedgerFixture.await(vertx.deployVerticle(shop));
    Observed observed = LedgerFixture.await(shop.observed());

    List<Object> replies = observed.replies();
    assertThat(replies).hasSize(5);
    JsonObject charged = (JsonObject) replies.get(1);
    assertThat(charged.getLong("amount_minor")).isEqualTo(-400);
    assertThat(charged.getLong("balance_after_minor")).isEqualTo(600);
    assertThat(charged.getBoolean("replayed")).isFalse();
    assertThat(((JsonObject) replies.get(2)).getBoolean("replayed")).isTrue();
    assertThat(((JsonObject) replies.get(2)).getLong("id")).isEqualTo(charged.getLong("id"));
    assertThat(((Failure) replies.get(3)).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(((JsonObject) replies.get(4)).getLong("balance_after_minor")).isZero();

    assertThat(observed.facts())
        .containsExactly(
            withoutReplayed(replies.get(0)),
            withoutReplayed(replies.get(1)),
            withoutReplayed(replies.get(4)));
    JsonObject chargeFact = observed.facts().get(1);
    assertThat(chargeFact.getLong("id")).isEqualTo(charged.getLong("id"));
    assertThat(chargeFact.getLong("amount_minor")).isEqualTo(-400);
    assertThat(chargeFact.getLong("balance_after_minor")).isEqualTo(600);
    assertThat(chargeFact.getString("user_id")).isEqualTo("alice");
    assertThat(chargeFact.getString("counter_account")).isEqualTo("revenue:USD");
    assertThat(ledger.balance("alice", "USD")).isZero();
    ledger.assertConsistent(3);
  }
}
