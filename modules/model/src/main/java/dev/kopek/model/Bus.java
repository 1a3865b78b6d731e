package dev.kopek.model;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;

/** Request/reply on the event bus with Kopek's typed failures, for serving and for calling. */
public final class Bus {

  /** One outage log per logger (per capability): a line per kind of outage every few seconds. */
  private static final java.util.Map<String, RateLimitedLog> OUTAGE_LOGS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Bus() {}

  /**
   * Serves {@code address}: a {@link Failure} (thrown while reading the request, or failing the
   * returned future) becomes a typed failure reply; a database outage is replied to as {@link
   * ErrorCode#UNAVAILABLE} and logged through a {@link RateLimitedLog}, without a stack trace;
   * anything else is logged and replied to as {@link ErrorCode#INTERNAL}, without internals.
   *
   * @param vertx the Vert.x instance
   * @param address the address
   * @param handler from request body to reply body
   * @param log where unexpected failures are logged
   * @return the consumer; wait for {@link MessageConsumer#completion()} before relying on it
   */
  public static MessageConsumer<JsonObject> serve(
      Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler, Logger log) {
    return vertx
        .eventBus()
        .consumer(
            address,
            message -> {
              Future<JsonObject> reply;
              try {
                reply = handler.apply(message.body() == null ? new JsonObject() : message.body());
              } catch (RuntimeException error) {
                reply = Future.failedFuture(error);
              }
              reply
                  .onSuccess(message::reply)
                  .onFailure(error -> fail(message, address, error, log));
            });
  }

  /**
   * Serves {@code address} as {@link #serve} does, and also takes requests whose body is a {@code
   * local} record sent within the process ({@link LocalObjects}); {@code localHandler} answers
   * those with a record, sent back the same way.
   */
  public static <T> MessageConsumer<Object> serve(
      Vertx vertx,
      String address,
      Function<JsonObject, Future<JsonObject>> handler,
      Class<T> local,
      Function<T, Future<?>> localHandler,
      Logger log) {
    return vertx
        .eventBus()
        .consumer(
            address,
            message -> {
              Object body = message.body();
              Future<?> reply;
              try {
                if (local.isInstance(body)) {
                  reply = localHandler.apply(local.cast(body));
                } else if (body == null || body instanceof JsonObject) {
                  reply = handler.apply(body == null ? new JsonObject() : (JsonObject) body);
                } else {
                  reply =
                      Future.failedFuture(
                          Failure.invalid("body", "the request must be a JSON object")
                              .toException());
                }
              } catch (RuntimeException error) {
                reply = Future.failedFuture(error);
              }
              boolean localReply = local.isInstance(body);
              reply
                  .onSuccess(
                      value -> {
                        if (localReply) {
                          message.reply(value, LocalObjects.reply());
                        } else {
                          message.reply(value);
                        }
                      })
                  .onFailure(error -> fail(message, address, error, log));
            });
  }

  /**
   * Answers a request that failed: its typed failure; a database outage as {@link
   * ErrorCode#UNAVAILABLE}, logged rate-limited without a stack trace; anything else logged and
   * answered {@link ErrorCode#INTERNAL}.
   */
  private static void fail(Message<?> message, String address, Throwable error, Logger log) {
    Failure failure = Failure.from(error);
    if (failure.code() == ErrorCode.INTERNAL) {
      log.error("{} failed", address, error);
    } else {
      DatabaseFailures.kind(error)
          .ifPresent(
              kind ->
                  outageLog(log)
                      .warn(
                          kind,
                          "Database unavailable ("
                              + kind
                              + "): "
                              + address
                              + " answered 503: "
                              + error.getMessage()));
    }
    failure.failReply(message);
  }

  /** The rate-limited log of database outages for {@code log}'s capability. */
  public static RateLimitedLog outageLog(Logger log) {
    return OUTAGE_LOGS.computeIfAbsent(
        log.getName(),
        name -> new RateLimitedLog(log, RateLimitedLog.INTERVAL_MS, System::currentTimeMillis));
  }

  /**
   * Sends a request and returns the reply's body; any failure arrives as a {@link
   * Failure.FailureException}.
   *
   * @param vertx the Vert.x instance
   * @param address the address
   * @param body the request
   * @param timeoutMs the send timeout (never rely on the hidden 30 s default)
   * @return the reply body
   */
  public static Future<JsonObject> request(
      Vertx vertx, String address, JsonObject body, long timeoutMs) {
    return vertx
        .eventBus()
        .<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(Message::body)
        .recover(error -> Future.failedFuture(Failure.from(error).toException()));
  }
}
