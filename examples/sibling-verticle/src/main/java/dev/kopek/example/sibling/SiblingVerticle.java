package dev.kopek.example.sibling;

import dev.kopek.client.LedgerClient;
import dev.kopek.model.Failure;
import dev.kopek.model.billing.BillingAddresses;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.payments.PaymentsAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle beside Kopek's: it logs every fact Kopek publishes, and answers charge requests of its
 * own ({@value #CHARGE}) by debiting the user's wallet through the typed ledger client. It runs the
 * same in Kopek's Vert.x (as an extension) and in a JVM of its own joined to Kopek's cluster.
 */
public final class SiblingVerticle extends VerticleBase {

  /**
   * Request/reply: {@code {"order_id","user_id","amount_minor","currency","reason"}}; debits the
   * user's wallet under the balance guard and replies the ledger's entry (and {@code "replayed"});
   * fails with the ledger's typed failure ({@code insufficient_funds}, ...). The same order id
   * charges once, however often it is sent.
   */
  public static final String CHARGE = "sibling-verticle.charge";

  /** Every fact Kopek publishes. */
  static final List<String> FACTS =
      List.of(
          LedgerAddresses.POSTED,
          PaymentsAddresses.SUCCEEDED,
          PaymentsAddresses.FAILED,
          BillingAddresses.CHARGED,
          BillingAddresses.SUSPENDED,
          BillingAddresses.RESUMED);

  private static final Logger LOG = LoggerFactory.getLogger(SiblingVerticle.class);

  private final LedgerClient ledger;

  public SiblingVerticle(LedgerClient ledger) {
    this.ledger = ledger;
  }

  @Override
  public Future<?> start() {
    List<Future<Void>> registered = new ArrayList<>();
    for (String address : FACTS) {
      MessageConsumer<JsonObject> consumer =
          vertx
              .eventBus()
              .consumer(
                  address,
                  fact ->
                      LOG.info("sibling-verticle received {} {}", address, fact.body().encode()));
      registered.add(consumer.completion());
    }
    registered.add(vertx.eventBus().<JsonObject>consumer(CHARGE, this::charge).completion());
    // In a cluster a registration takes a moment to reach the other members: ready once it has.
    return Future.all(registered);
  }

  private void charge(Message<JsonObject> request) {
    PostingRequest posting;
    try {
      posting = posting(request.body() == null ? new JsonObject() : request.body());
    } catch (Failure.FailureException invalid) {
      invalid.failure().failReply(request);
      return;
    }
    ledger
        .post(posting)
        .onSuccess(
            posted -> request.reply(posted.value().toJson().put("replayed", posted.replayed())))
        .onFailure(error -> Failure.from(error).failReply(request));
  }

  /** The ledger command of a charge request: the order id keys it, so a repeat charges once. */
  static PostingRequest posting(JsonObject body) {
    Object amount = body.getValue("amount_minor");
    String orderId = body.getString("order_id");
    if (orderId == null || orderId.isBlank() || orderId.length() > 200) {
      throw Failure.invalid("order_id", "order_id is required, at most 200 characters")
          .toException();
    }
    if (!(amount instanceof Number number) || number.longValue() <= 0) {
      throw Failure.invalid("amount_minor", "amount_minor must be a positive integer")
          .toException();
    }
    return new PostingRequest(
        "sibling-verticle:" + orderId,
        body.getString("user_id"),
        body.getString("currency"),
        -number.longValue(),
        EntryKind.CHARGE,
        body.getString("reason", "Order " + orderId),
        orderId,
        "revenue");
  }
}
