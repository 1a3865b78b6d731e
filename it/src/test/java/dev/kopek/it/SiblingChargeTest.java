package dev.kopek.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.example.sibling.SiblingExtension;
import dev.kopek.example.sibling.SiblingVerticle;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.server.Kopek;
import dev.kopek.server.KopekConfig;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The example's own charge request, answered through the typed ledger client. */
@DisplayName("The sibling verticle's charge request")
class SiblingChargeTest {

  @TempDir Path temp;

  private Kopek kopek;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.stop();
    }
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "charges once per order id, replays a repeat, and answers the ledger's typed failure when the balance does not cover it")
  void chargeThroughTypedClient() throws Exception {
    kopek =
        Kopek.builder()
            .config(
                KopekConfig.load(
                    null,
                    Map.of(
                        "KOPEK_DB_URL",
                        TestDatabase.url(TestDatabase.create()),
                        "KOPEK_JWT_SECRET",
                        Tokens.SECRET,
                        "KOPEK_DATA_DIR",
                        temp.resolve("data").toString(),
                        "KOPEK_HTTP_PORT",
                        "0")))
            .extension(new SiblingExtension())
            .start();
    assertThat(kopek.extensions()).containsExactly("sibling-verticle");
    kopek
        .clients()
        .ledger()
        .post(
            new PostingRequest(
                "it:credit-shopper",
                "shopper",
                "EUR",
                1_000,
                EntryKind.ADJUSTMENT,
                "Credit",
                null,
                "adjustments"))
        .await(10, TimeUnit.SECONDS);
    JsonObject order =
        new JsonObject()
            .put("order_id", "o-1")
            .put("user_id", "shopper")
            .put("amount_minor", 300)
            .put("currency", "EUR");

    JsonObject first = charge(order);
    JsonObject again = charge(order);

    assertThat(first.getLong("balance_after_minor")).isEqualTo(700);
    assertThat(first.getBoolean("replayed")).isFalse();
    assertThat(again.getLong("id")).isEqualTo(first.getLong("id"));
    assertThat(again.getBoolean("replayed")).isTrue();
    assertThatThrownBy(() -> charge(order.copy().put("order_id", "o-2").put("amount_minor", 5_000)))
        .isInstanceOfSatisfying(
            Failure.FailureException.class,
            refused -> {
              assertThat(refused.failure().code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
              assertThat(refused.failure().extras().getLong("balance_minor")).isEqualTo(700);
            });
    assertThatThrownBy(() -> charge(order.copy().put("order_id", "o-3").put("amount_minor", -5)))
        .isInstanceOfSatisfying(
            Failure.FailureException.class,
            invalid ->
                assertThat(invalid.failure().extras().getString("field"))
                    .isEqualTo("amount_minor"));
  }

  private JsonObject charge(JsonObject order) throws Exception {
    try {
      return kopek
          .vertx()
          .eventBus()
          .<JsonObject>request(
              SiblingVerticle.CHARGE, order, new DeliveryOptions().setSendTimeout(10_000))
          .map(Message::body)
          .await(15, TimeUnit.SECONDS);
    } catch (io.vertx.core.eventbus.ReplyException failed) {
      throw Failure.from(failed).toException();
    }
  }
}
