package dev.kopek.events;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Requests;
import dev.kopek.model.events.EventTypes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** The webhook endpoints' administration: create, list, read, change, delete, rotate the secret. */
final class Endpoints {

  private static final int DESCRIPTION_MAX = 500;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  private final Vertx vertx;
  private final Pool pool;
  private final TargetGuard guard;
  private final Supplier<Instant> clock;
  private final long secretOverlapMs;

  Endpoints(Vertx vertx, Pool pool, TargetGuard guard, Supplier<Instant> clock, long overlapMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.guard = guard;
    this.clock = clock;
    this.secretOverlapMs = overlapMs;
  }

  Future<JsonObject> create(JsonObject body) {
    String url = Requests.text(body, "url", TargetGuard.URL_MAX);
    String[] enabled = enabledEvents(body.getValue("enabled_events"), true);
    String description = Requests.optionalText(body, "description", DESCRIPTION_MAX);
    String secret = Signer.newSecret();
    Instant now = clock.get();
    return checkTarget(url)
        .compose(
            v ->
                pool.preparedQuery(EventsSql.INSERT_ENDPOINT)
                    .execute(
                        Tuple.of(
                            "we_" + randomId(24),
                            url,
                            description == null || description.isEmpty() ? null : description,
                            enabled,
                            secret,
                            time(now))))
        .map(rows -> view(rows.iterator().next()).put("secret", secret));
  }

  Future<JsonObject> list(JsonObject body) {
    return pool.query(EventsSql.SELECT_ENDPOINTS)
        .execute()
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              rows.forEach(row -> data.add(view(row)));
              return new JsonObject().put("data", data);
            });
  }

  Future<JsonObject> get(JsonObject body) {
    String id = Requests.text(body, "id", 64);
    return pool.preparedQuery(EventsSql.SELECT_ENDPOINT)
        .execute(Tuple.of(id))
        .map(rows -> view(found(rows.iterator().hasNext() ? rows.iterator().next() : null, id)));
  }

  Future<JsonObject> update(JsonObject body) {
    String id = Requests.text(body, "id", 64);
    String url = Requests.optionalText(body, "url", TargetGuard.URL_MAX);
    String[] enabled =
        body.getValue("enabled_events") == null
            ? null
            : enabledEvents(body.getValue("enabled_events"), true);
    String description = Requests.optionalText(body, "description", DESCRIPTION_MAX);
    String status = Requests.optionalText(body, "status", 16);
    if (status != null && !status.equals("enabled") && !status.equals("disabled")) {
      throw Failure.invalid("status", "status must be enabled or disabled").toException();
    }
    if (url != null && url.isBlank()) {
      throw Failure.invalid("url", "url must not be empty").toException();
    }
    Instant now = clock.get();
    Future<Void> checked = url == null ? Future.succeededFuture() : checkTarget(url);
    return checked
        .compose(
            v ->
                pool.withTransaction(
                    conn ->
                        conn.preparedQuery(EventsSql.UPDATE_ENDPOINT)
                            .execute(Tuple.of(id, url, description, enabled, status, time(now)))
                            .compose(
                                rows -> {
                                  Row row =
                                      found(
                                          rows.iterator().hasNext() ? rows.iterator().next() : null,
                                          id);
                                  if (!"enabled".equals(status)
                                      || !"disabled".equals(row.getString("previous_status"))) {
                                    return Future.succeededFuture(row);
                                  }
                                  // Enabled again: what waited for it goes out at once.
                                  return conn.preparedQuery(
                                          EventsSql.UPDATE_ENDPOINT_RESUME_DELIVERIES)
                                      .execute(Tuple.of(id, time(now), time(now)))
                                      .map(done -> row);
                                })))
        .map(Endpoints::view);
  }

  Future<JsonObject> delete(JsonObject body) {
    String id = Requests.text(body, "id", 64);
    return deleteRetryingDeadlocks(id, 1)
        .map(
            rows -> {
              found(rows.iterator().hasNext() ? rows.iterator().next() : null, id);
              return new JsonObject()
                  .put("id", id)
                  .put("object", "webhook_endpoint")
                  .put("deleted", true);
            });
  }

  /**
   * Deleting an endpoint locks its row, then its deliveries and attempts (the cascade); recording
   * outcomes locks deliveries, then the endpoint's row (the attempts' key). The two can deadlock,
   * and PostgreSQL then aborts one of them: the delete is tried again (a recording that lost is
   * retried by its lease).
   */
  private Future<io.vertx.sqlclient.RowSet<Row>> deleteRetryingDeadlocks(String id, int attempt) {
    return pool.preparedQuery(EventsSql.DELETE_ENDPOINT)
        .execute(Tuple.of(id))
        .recover(
            error ->
                attempt < 5
                        && error instanceof io.vertx.pgclient.PgException pg
                        && "40P01".equals(pg.getSqlState())
                    ? deleteRetryingDeadlocks(id, attempt + 1)
                    : Future.failedFuture(error));
  }

  Future<JsonObject> rotateSecret(JsonObject body) {
    String id = Requests.text(body, "id", 64);
    String secret = Signer.newSecret();
    Instant now = clock.get();
    Instant until = now.plusMillis(secretOverlapMs);
    return pool.preparedQuery(EventsSql.ROTATE_SECRET)
        .execute(Tuple.of(id, secret, time(until), time(now)))
        .map(
            rows ->
                view(found(rows.iterator().hasNext() ? rows.iterator().next() : null, id))
                    .put("secret", secret));
  }

  /** Checks the URL's form, then (off the event loop) the addresses its host resolves to. */
  private Future<Void> checkTarget(String url) {
    java.net.URI uri = TargetGuard.parse(url);
    return vertx.executeBlocking(() -> guard.addresses(uri), false).mapEmpty();
  }

  /** {@code enabled_events}: event types, or {@code ["*"]} for all. */
  static String[] enabledEvents(Object value, boolean required) {
    if (value == null && !required) {
      return null;
    }
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw Failure.invalid(
              "enabled_events",
              "enabled_events must be a non-empty list of event types, or [\"*\"] for all")
          .toException();
    }
    Set<String> types = new LinkedHashSet<>();
    for (Object type : array) {
      if (!(type instanceof String name) || !(name.equals("*") || EventTypes.isKnown(name))) {
        throw Failure.invalid(
                "enabled_events",
                "enabled_events has "
                    + type
                    + ", which is not an event type; the types are "
                    + String.join(", ", EventTypes.ALL)
                    + ", or * for all")
            .toException();
      }
      types.add(name);
    }
    if (types.contains("*") && types.size() > 1) {
      throw Failure.invalid("enabled_events", "* stands for every type; give it alone")
          .toException();
    }
    return types.toArray(String[]::new);
  }

  private static Row found(Row row, String id) {
    if (row == null) {
      throw Failure.of(ErrorCode.NOT_FOUND, "no webhook endpoint " + id).toException();
    }
    return row;
  }

  /** The endpoint as the API shows it; the secret only at creation and rotation. */
  static JsonObject view(Row row) {
    List<String> events = new ArrayList<>(List.of(row.getArrayOfStrings("enabled_events")));
    OffsetDateTime rotating = row.getOffsetDateTime("previous_secret_until");
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("object", "webhook_endpoint")
        .put("url", row.getString("url"))
        .put("description", row.getString("description"))
        .put("enabled_events", new JsonArray(events))
        .put("status", row.getString("status"))
        .put("disabled_reason", row.getString("disabled_reason"))
        .put(
            "previous_secret_expires_at", rotating == null ? null : rotating.toInstant().toString())
        .put("created_at", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toInstant().toString());
  }

  static OffsetDateTime time(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  static String randomId(int length) {
    char[] id = new char[length];
    for (int i = 0; i < length; i++) {
      id[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
    }
    return new String(id);
  }
}
