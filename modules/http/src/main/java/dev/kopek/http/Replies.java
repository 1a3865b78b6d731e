package dev.kopek.http;

import dev.kopek.client.Replayable;
import dev.kopek.model.Currencies;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.EntryQuery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/** Reading validated requests and writing JSON replies, shared by the API handlers. */
final class Replies {

  private Replies() {}

  static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  /** Answers with the failure the future failed with. */
  static void failed(RoutingContext ctx, Throwable error) {
    Problems.send(ctx, Failure.from(error));
  }

  /**
   * The reply to a command sent with an {@code Idempotency-Key}: the capability marks a stored
   * reply to an earlier request as replayed, which becomes the {@code Idempotent-Replayed: true}
   * header.
   */
  static <T> void replayable(
      RoutingContext ctx, int status, Replayable<T> reply, Function<T, JsonObject> writer) {
    if (reply.replayed()) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    json(ctx, status, writer.apply(reply.value()));
  }

  /** {@link #replayable}, with the record's JSON text written directly by {@code writer}. */
  static <T> void replayableText(
      RoutingContext ctx, int status, Replayable<T> reply, Function<T, String> writer) {
    if (reply.replayed()) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(writer.apply(reply.value()));
  }

  /** A list reply, {@code {"data":[...]}}. */
  static <T> JsonObject data(List<T> items, Function<T, JsonObject> writer) {
    JsonArray data = new JsonArray();
    items.forEach(item -> data.add(writer.apply(item)));
    return new JsonObject().put("data", data);
  }

  /** A currency the contract's pattern let through, checked against ISO 4217. */
  static String currency(String field, String code) {
    return code == null ? null : Currencies.checked(field, code);
  }

  static String idempotencyKey(RoutingContext ctx) {
    return ctx.request().getHeader("Idempotency-Key");
  }

  /** The transaction-log query of a list or export request. */
  static EntryQuery entryQuery(RoutingContext ctx, String userId, int limit) {
    ValidatedRequest request = validated(ctx);
    String kind = string(request, "kind");
    Long startingAfter =
        request.getQuery().get("starting_after") == null
                || request.getQuery().get("starting_after").isNull()
            ? null
            : request.getQuery().get("starting_after").getLong();
    return new EntryQuery(
        userId,
        currency("currency", string(request, "currency")),
        kind == null ? null : EntryKind.fromWireName(kind).orElseThrow(),
        instant(request, "from"),
        instant(request, "to"),
        limit,
        startingAfter);
  }

  static int limit(RoutingContext ctx) {
    RequestParameter limit = validated(ctx).getQuery().get("limit");
    return limit == null || limit.isNull() ? Limits.PAGE_LIMIT_DEFAULT : limit.getInteger();
  }

  static String string(ValidatedRequest request, String name) {
    RequestParameter parameter = request.getQuery().get(name);
    return parameter == null || parameter.isNull() ? null : parameter.getString();
  }

  private static Instant instant(ValidatedRequest request, String name) {
    String text = string(request, name);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw Failure.invalid(name, name + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z")
          .toException();
    }
  }
}
