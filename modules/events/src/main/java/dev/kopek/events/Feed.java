package dev.kopek.events;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import dev.kopek.model.events.Envelope;
import dev.kopek.model.events.EventTypes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The event feed for merchants who prefer pulling, the deliveries of an endpoint, and redelivery.
 * The feed runs oldest first from a cursor and shows only events of finished transactions, so a
 * reader that keeps its cursor never misses one, whatever order transactions committed in.
 */
final class Feed {

  /** A position in the feed: {@code <transaction>.<sequence>}; {@code 0.0} is the beginning. */
  private static final Pattern CURSOR = Pattern.compile("^(\\d{1,19})\\.(\\d{1,18})$");

  private final Pool pool;
  private final Supplier<Instant> clock;

  Feed(Pool pool, Supplier<Instant> clock) {
    this.pool = pool;
    this.clock = clock;
  }

  Future<JsonObject> list(JsonObject body) {
    String after = Requests.optionalText(body, "after", 48);
    String xid = "0";
    long seq = 0;
    if (after != null) {
      var matcher = CURSOR.matcher(after);
      if (!matcher.matches()) {
        throw Failure.invalid("after", "after must be a cursor from an earlier page (next_cursor)")
            .toException();
      }
      xid = matcher.group(1);
      seq = Long.parseLong(matcher.group(2));
    }
    String[] types = null;
    Object typeValue = body.getValue("types");
    if (typeValue != null) {
      if (!(typeValue instanceof JsonArray array) || array.isEmpty()) {
        throw Failure.invalid("type", "type must name event types").toException();
      }
      types = new String[array.size()];
      for (int i = 0; i < array.size(); i++) {
        Object type = array.getValue(i);
        if (!(type instanceof String name) || !EventTypes.isKnown(name)) {
          throw Failure.invalid(
                  "type",
                  "type "
                      + type
                      + " is not an event type; the types are "
                      + String.join(", ", EventTypes.ALL))
              .toException();
        }
        types[i] = name;
      }
    }
    String userId = Requests.optionalText(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    int limit = limit(body);
    return pool.preparedQuery(EventsSql.SELECT_FEED)
        .execute(Tuple.of(xid, seq, types, userId, limit + 1))
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              String cursor = after;
              int count = 0;
              for (Row row : rows) {
                if (count == limit) {
                  break;
                }
                data.add(envelope(row));
                cursor = row.getString("xid") + "." + row.getLong("seq");
                count++;
              }
              return new JsonObject()
                  .put("data", data)
                  .put("has_more", rows.size() > limit)
                  .put("next_cursor", cursor == null ? "0.0" : cursor);
            });
  }

  Future<JsonObject> get(JsonObject body) {
    String id = Requests.text(body, "id", 400);
    return pool.preparedQuery(EventsSql.SELECT_EVENT)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              if (!rows.iterator().hasNext()) {
                throw Failure.of(ErrorCode.NOT_FOUND, "no event " + id).toException();
              }
              return envelope(rows.iterator().next());
            });
  }

  Future<JsonObject> deliveries(JsonObject body) {
    String endpoint = Requests.text(body, "endpoint_id", 64);
    String eventId = Requests.optionalText(body, "event_id", 400);
    Long before = body.getValue("before") instanceof Number n ? n.longValue() : null;
    int limit = limit(body);
    return pool.preparedQuery(EventsSql.SELECT_ENDPOINT)
        .execute(Tuple.of(endpoint))
        .compose(
            found -> {
              if (!found.iterator().hasNext()) {
                throw Failure.of(ErrorCode.NOT_FOUND, "no webhook endpoint " + endpoint)
                    .toException();
              }
              return pool.preparedQuery(EventsSql.SELECT_ATTEMPTS)
                  .execute(Tuple.of(endpoint, before, eventId, limit + 1));
            })
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              Long last = null;
              int count = 0;
              for (Row row : rows) {
                if (count == limit) {
                  break;
                }
                last = row.getLong("id");
                data.add(
                    new JsonObject()
                        .put("id", last)
                        .put("event_id", row.getString("event_id"))
                        .put("attempt", row.getInteger("attempt"))
                        .put(
                            "attempted_at",
                            row.getOffsetDateTime("attempted_at").toInstant().toString())
                        .put("status_code", row.getInteger("status_code"))
                        .put("error", row.getString("error"))
                        .put("latency_ms", row.getInteger("latency_ms"))
                        .put("response_body", row.getString("response_body")));
                count++;
              }
              return new JsonObject()
                  .put("data", data)
                  .put("has_more", rows.size() > limit)
                  .put("next_before", rows.size() > limit ? last : null);
            });
  }

  Future<JsonObject> redeliver(JsonObject body) {
    String id = Requests.text(body, "id", 400);
    String endpoint = Requests.optionalText(body, "endpoint_id", 64);
    Instant now = clock.get();
    return pool.preparedQuery(EventsSql.SELECT_EVENT)
        .execute(Tuple.of(id))
        .compose(
            found -> {
              if (!found.iterator().hasNext()) {
                throw Failure.of(ErrorCode.NOT_FOUND, "no event " + id).toException();
              }
              return pool.preparedQuery(EventsSql.REDELIVER)
                  .execute(Tuple.of(id, endpoint, Endpoints.time(now), Endpoints.time(now)));
            })
        .map(
            rows -> {
              JsonArray endpoints = new JsonArray();
              rows.forEach(row -> endpoints.add(row.getString("endpoint_id")));
              if (endpoint != null && endpoints.isEmpty()) {
                throw Failure.of(ErrorCode.NOT_FOUND, "no enabled webhook endpoint " + endpoint)
                    .toException();
              }
              return new JsonObject().put("event_id", id).put("endpoints", endpoints);
            });
  }

  private static int limit(JsonObject body) {
    Object value = body.getValue("limit");
    if (value == null) {
      return Limits.PAGE_LIMIT_DEFAULT;
    }
    if (!(value instanceof Integer n) || n < 1 || n > Limits.PAGE_LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be from 1 to " + Limits.PAGE_LIMIT_MAX)
          .toException();
    }
    return n;
  }

  /** An event row as its envelope, the JSON a webhook carries. */
  static JsonObject envelope(Row row) {
    return Envelope.json(
        row.getString("id"),
        row.getString("type"),
        row.getOffsetDateTime("created_at").toInstant(),
        row.getString("user_id"),
        row.getString("currency"),
        row.getLong("wallet_seq"),
        row.getString("object"));
  }

  static String body(Row row) {
    return Envelope.body(
        row.getString("id"),
        row.getString("type"),
        row.getOffsetDateTime("created_at").toInstant(),
        row.getString("user_id"),
        row.getString("currency"),
        row.getLong("wallet_seq"),
        row.getString("object"));
  }
}
