package dev.kopek.http;

import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/** Request/reply to the capability verticles, with the configured, explicit timeout. */
final class LedgerClient {

  private final EventBus eventBus;
  private final DeliveryOptions options;

  LedgerClient(EventBus eventBus, long timeoutMs) {
    this.eventBus = eventBus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Sends {@code body} to {@code address}; a failure arrives as a {@link Failure} exception. */
  Future<JsonObject> request(String address, JsonObject body) {
    return eventBus.<JsonObject>request(address, body, options)
        .map(Message::body)
        .recover(error -> Future.failedFuture(Failure.from(error).toException()));
  }
}
