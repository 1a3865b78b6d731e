package dev.kopek.client;

import dev.kopek.model.Failure;
import dev.kopek.model.LocalObjects;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Request/reply with one send timeout, the part every client shares. Failures arrive as {@link
 * Failure.FailureException}: the replier's typed failure, {@code timeout} when no reply came in
 * time, {@code unavailable} when nothing serves the address.
 *
 * @param vertx the Vert.x whose event bus carries the requests (clustered or not)
 * @param timeoutMs the send timeout of every request
 * @param localOnly whether requests go to this Vert.x's own consumers only
 */
record Channel(Vertx vertx, long timeoutMs, boolean localOnly) {

  /** The longest timeout a client takes: ten minutes. */
  static final long TIMEOUT_MS_MAX = 600_000;

  Channel {
    Objects.requireNonNull(vertx, "vertx");
    if (timeoutMs < 1 || timeoutMs > TIMEOUT_MS_MAX) {
      throw new IllegalArgumentException(
          "timeoutMs must be between 1 and " + TIMEOUT_MS_MAX + ", was " + timeoutMs);
    }
  }

  Channel withTimeout(long timeoutMs) {
    return new Channel(vertx, timeoutMs, localOnly);
  }

  Channel withLocalOnly() {
    LocalObjects.register(vertx);
    return new Channel(vertx, timeoutMs, true);
  }

  /**
   * Sends {@code body}, an immutable record, to this process's own consumer of {@code address} as
   * the object itself ({@link LocalObjects}); the reply is a record too. Only for a local-only
   * channel, whose capability is in this process.
   */
  <R> Future<R> requestLocal(String address, Object body, Class<R> replyType) {
    if (!localOnly) {
      throw new IllegalStateException("records are sent to this process's own consumers only");
    }
    return vertx
        .eventBus()
        .request(
            address,
            body,
            new DeliveryOptions()
                .setSendTimeout(timeoutMs)
                .setLocalOnly(true)
                .setCodecName(LocalObjects.NAME))
        .map(reply -> replyType.cast(reply.body()))
        .recover(error -> Future.failedFuture(Failure.from(error).toException()));
  }

  Future<JsonObject> request(String address, JsonObject body) {
    return vertx
        .eventBus()
        .<JsonObject>request(
            address, body, new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(localOnly))
        .map(Message::body)
        .recover(error -> Future.failedFuture(Failure.from(error).toException()));
  }
}
