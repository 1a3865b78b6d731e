package dev.kopek.model;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A typed failure as it crosses the event bus: the code, a human-readable detail and optional
 * snake_case extras (for example {@code balance_minor} with insufficient funds). It travels as the
 * JSON message of {@code message.fail(code.failureCode(), json)}.
 *
 * @param code what went wrong
 * @param detail a sentence for the client; never internals
 * @param extras additional fields for the problem document, may be empty
 */
public record Failure(ErrorCode code, String detail, JsonObject extras) {

  /** Checks the code and detail are present and normalizes absent extras to empty. */
  public Failure {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(detail, "detail");
    extras = extras == null ? new JsonObject() : extras;
  }

  /** A failure without extras. */
  public static Failure of(ErrorCode code, String detail) {
    return new Failure(code, detail, null);
  }

  /** A validation failure naming the offending field. */
  public static Failure invalid(String field, String detail) {
    return new Failure(ErrorCode.VALIDATION_FAILED, detail, new JsonObject().put("field", field));
  }

  /** Replies to {@code message} with this failure. */
  public void failReply(Message<?> message) {
    message.fail(code.failureCode(), toJson().encode());
  }

  /** This failure as a {@link ReplyException}, for failing a future on the sending side. */
  public FailureException toException() {
    return new FailureException(this);
  }

  /** The JSON carried as the event-bus failure message. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("code", code.wireName())
        .put("detail", detail)
        .put("extras", extras);
  }

  /**
   * Reads a failure from whatever failed a request: a {@link FailureException}, an event-bus {@link
   * ReplyException} carrying a failure's JSON, a timeout, a missing handler, a database outage
   * ({@link DatabaseFailures}: {@link ErrorCode#UNAVAILABLE}), or anything else, which becomes
   * {@link ErrorCode#INTERNAL}.
   */
  public static Failure from(Throwable error) {
    if (error instanceof FailureException failure) {
      return failure.failure();
    }
    if (DatabaseFailures.isTransient(error)) {
      return DatabaseFailures.unavailable();
    }
    if (error instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return of(ErrorCode.TIMEOUT, "the service did not answer in time; retry with the same key");
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return of(ErrorCode.UNAVAILABLE, "the service is not available right now");
      }
      return parse(reply.getMessage());
    }
    return of(ErrorCode.INTERNAL, "internal error");
  }

  private static Failure parse(String message) {
    try {
      JsonObject json = new JsonObject(message == null ? "" : message);
      ErrorCode code =
          ErrorCode.fromWireName(json.getString("code", "")).orElse(ErrorCode.INTERNAL);
      return new Failure(
          code, json.getString("detail", "internal error"), json.getJsonObject("extras"));
    } catch (DecodeException | ClassCastException notOurs) {
      return of(ErrorCode.INTERNAL, "internal error");
    }
  }

  /** An exception carrying a {@link Failure}, used to fail futures without a stack trace. */
  public static final class FailureException extends RuntimeException {
    private final transient Failure failure;

    FailureException(Failure failure) {
      super(failure.code().wireName() + ": " + failure.detail(), null, false, false);
      this.failure = failure;
    }

    /** The failure carried. */
    public Failure failure() {
      return failure;
    }
  }
}
