package dev.kopek.http;

import dev.kopek.model.Bus;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import dev.kopek.model.ledger.LedgerAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The ledger's wallet alert settings ({@link LedgerAddresses#WALLET_ALERTS_GET} and {@link
 * LedgerAddresses#WALLET_ALERTS_SET}) as their contract describes them, served in memory for the
 * HTTP tests when the ledger itself does not serve them: registered only if nothing answers on
 * those addresses, so that the ledger's own consumers are the ones tested wherever they exist. No
 * threshold is configured ({@code default_balance_low_minor} is null), as in the tests' ledger.
 */
final class WalletAlertsStub {

  private WalletAlertsStub() {}

  /** Serves the two addresses on {@code vertx} unless something does already. */
  static void ensure(Vertx vertx) throws Exception {
    Throwable probe =
        vertx
            .eventBus()
            .request(LedgerAddresses.WALLET_ALERTS_GET, new JsonObject())
            .map(reply -> (Throwable) null)
            .otherwise(error -> error)
            .await(60, TimeUnit.SECONDS);
    if (!(probe instanceof ReplyException reply)
        || reply.failureType() != ReplyFailure.NO_HANDLERS) {
      return;
    }
    Map<String, Long> overrides = new ConcurrentHashMap<>();
    var log = LoggerFactory.getLogger(WalletAlertsStub.class);
    MessageConsumer<JsonObject> get =
        Bus.serve(
            vertx,
            LedgerAddresses.WALLET_ALERTS_GET,
            body -> Future.succeededFuture(settings(body, overrides)),
            log);
    MessageConsumer<JsonObject> set =
        Bus.serve(
            vertx,
            LedgerAddresses.WALLET_ALERTS_SET,
            body -> {
              Object value = body.getValue("balance_low_minor");
              if (value != null
                  && !((value instanceof Integer || value instanceof Long)
                      && ((Number) value).longValue() >= 0)) {
                throw Failure.invalid(
                        "balance_low_minor",
                        "balance_low_minor must be a whole number from 0, or null")
                    .toException();
              }
              JsonObject settings = settings(body, overrides);
              String key = settings.getString("user_id") + "/" + settings.getString("currency");
              if (value == null) {
                overrides.remove(key);
              } else {
                overrides.put(key, ((Number) value).longValue());
              }
              return Future.succeededFuture(settings.put("balance_low_minor", value));
            },
            log);
    Future.all(get.completion(), set.completion()).await(60, TimeUnit.SECONDS);
  }

  private static JsonObject settings(JsonObject body, Map<String, Long> overrides) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String currency = Requests.currency(body);
    return new JsonObject()
        .put("user_id", userId)
        .put("currency", currency)
        .put("balance_low_minor", overrides.get(userId + "/" + currency))
        .put("default_balance_low_minor", null);
  }
}
