package dev.kopek.access;

import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.Supplier;

/**
 * The audit log: one row per administrative or API-key action that asked to change something, with
 * its outcome. The database refuses UPDATE, DELETE and TRUNCATE on it.
 */
final class Audit {

  static final int LIMIT_MAX = 100;
  static final int LIMIT_DEFAULT = 20;
  private static final int TEXT_MAX = 400;

  private final Pool pool;
  private final Supplier<Instant> clock;

  Audit(Pool pool, Supplier<Instant> clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * {@code {"actor_type","actor","action","targets","request_id","status"}} → {@code {"id"}}; the
   * time is the access verticle's.
   */
  Future<JsonObject> record(JsonObject request) {
    String actorType = request.getString("actor_type");
    if (!"user".equals(actorType) && !"api_key".equals(actorType)) {
      throw Failure.invalid("actor_type", "actor_type must be user or api_key").toException();
    }
    Object status = request.getValue("status");
    if (!(status instanceof Integer code) || code < 100 || code > 599) {
      throw Failure.invalid("status", "status must be an HTTP status code").toException();
    }
    JsonObject targets = request.getJsonObject("targets", new JsonObject());
    return pool.preparedQuery(
            "INSERT INTO audit_log (at, actor_type, actor, action, targets, request_id, status)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .execute(
            Tuple.of(
                ApiKeys.utc(clock.get()),
                actorType,
                text(request, "actor"),
                text(request, "action"),
                targets,
                text(request, "request_id"),
                code))
        .map(rows -> new JsonObject().put("id", rows.iterator().next().getLong("id")));
  }

  /**
   * {@code {"actor"?,"action"?,"from"?,"to"?,"before"?,"limit"?}} → {@code
   * {"data","has_more","next_before"}}, newest first.
   */
  Future<JsonObject> list(JsonObject request) {
    int limit = request.getInteger("limit", LIMIT_DEFAULT);
    if (limit < 1 || limit > LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be between 1 and " + LIMIT_MAX).toException();
    }
    return pool.preparedQuery(
            "SELECT id, at, actor_type, actor, action, targets, request_id, status FROM audit_log"
                + " WHERE ($1::text IS NULL OR actor = $1)"
                + " AND ($2::text IS NULL OR action = $2)"
                + " AND ($3::timestamptz IS NULL OR at >= $3)"
                + " AND ($4::timestamptz IS NULL OR at < $4)"
                + " AND ($5::bigint IS NULL OR id < $5)"
                + " ORDER BY id DESC LIMIT $6")
        .execute(
            Tuple.of(
                request.getString("actor"),
                request.getString("action"),
                ApiKeys.utc(instant(request, "from")),
                ApiKeys.utc(instant(request, "to")),
                request.getLong("before"),
                limit + 1))
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              Long last = null;
              boolean more = false;
              for (Row row : rows) {
                if (data.size() == limit) {
                  more = true;
                  break;
                }
                data.add(toJson(row));
                last = row.getLong("id");
              }
              return new JsonObject()
                  .put("data", data)
                  .put("has_more", more)
                  .put("next_before", more ? last : null);
            });
  }

  private static JsonObject toJson(Row row) {
    Object targets = row.getValue("targets");
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("object", "audit_entry")
        .put("at", ApiKeys.text(row.getOffsetDateTime("at")))
        .put("actor_type", row.getString("actor_type"))
        .put("actor", row.getString("actor"))
        .put("action", row.getString("action"))
        .put(
            "targets",
            targets instanceof JsonObject object ? object : new JsonObject(String.valueOf(targets)))
        .put("request_id", row.getString("request_id"))
        .put("status", row.getInteger("status"));
  }

  private static String text(JsonObject request, String field) {
    String value = request.getString(field);
    if (value == null || value.isBlank()) {
      throw Failure.invalid(field, field + " is missing").toException();
    }
    return value.length() > TEXT_MAX ? value.substring(0, TEXT_MAX) : value;
  }

  private static Instant instant(JsonObject request, String field) {
    String text = request.getString(field);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw Failure.invalid(field, field + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z")
          .toException();
    }
  }
}
