package dev.kopek.payments;

import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Payments' figures for the operator console: succeeded top-ups per day, and the top-ups that need
 * a person (flagged ones, pending ones that stay pending).
 */
final class PaymentStats {

  static final int DAYS_MAX = 366;

  private static final String SELECT_DAILY =
      """
      SELECT (completed_at AT TIME ZONE 'UTC')::date AS day, currency,
             COUNT(*) AS count, SUM(amount_minor)::bigint AS amount_minor
        FROM payments
       WHERE status IN ('succeeded', 'refunded') AND completed_at >= $1 AND completed_at < $2
       GROUP BY 1, 2
       ORDER BY 1, 2
      """;

  private static final String WHERE_ATTENTION =
      " FROM payments p WHERE p.status = $1 AND ($2::timestamptz IS NULL OR p.created_at < $2)"
          + " AND ($3::timestamptz IS NULL OR p.created_at >= $3)";

  private static final String SELECT_ATTENTION =
      "SELECT "
          + PaymentRow.COLUMNS
          + WHERE_ATTENTION
          + " ORDER BY p.created_at DESC, p.id DESC LIMIT $4";

  private static final String COUNT_ATTENTION = "SELECT COUNT(*) AS count" + WHERE_ATTENTION;

  private final Pool pool;
  private final Topups topups;

  PaymentStats(Pool pool, Topups topups) {
    this.pool = pool;
    this.topups = topups;
  }

  Future<JsonObject> daily(JsonObject body) {
    Instant[] period = Requests.period(body, DAYS_MAX);
    return pool.preparedQuery(SELECT_DAILY)
        .execute(Tuple.of(period[0].atOffset(ZoneOffset.UTC), period[1].atOffset(ZoneOffset.UTC)))
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              for (Row row : rows) {
                data.add(
                    new JsonObject()
                        .put("day", row.getLocalDate("day").toString())
                        .put("currency", row.getString("currency"))
                        .put("count", row.getLong("count"))
                        .put("amount_minor", row.getLong("amount_minor")));
              }
              return new JsonObject().put("data", data);
            });
  }

  Future<JsonObject> attention(JsonObject body) {
    String status = Requests.text(body, "status", 16);
    if (!"flagged".equals(status) && !"pending".equals(status) && !"failed".equals(status)) {
      throw Failure.invalid("status", "status must be flagged, pending or failed").toException();
    }
    OffsetDateTime before = time(body, "created_before");
    OffsetDateTime createdAfter = time(body, "created_after");
    int limit = body.getInteger("limit", Limits.PAGE_LIMIT_DEFAULT);
    if (limit < 1 || limit > Limits.PAGE_LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be between 1 and " + Limits.PAGE_LIMIT_MAX)
          .toException();
    }
    OffsetDateTime createdBefore = before;
    return pool.preparedQuery(COUNT_ATTENTION)
        .execute(Tuple.of(status, createdBefore, createdAfter))
        .compose(
            counted ->
                pool.preparedQuery(SELECT_ATTENTION)
                    .execute(Tuple.of(status, createdBefore, createdAfter, limit))
                    .map(
                        rows -> {
                          List<PaymentRow> payments = new ArrayList<>();
                          rows.forEach(row -> payments.add(PaymentRow.from(row)));
                          JsonArray data = new JsonArray();
                          payments.forEach(payment -> data.add(topups.view(payment)));
                          return new JsonObject()
                              .put("data", data)
                              .put("count", counted.iterator().next().getLong("count"));
                        }));
  }

  private static OffsetDateTime time(JsonObject body, String field) {
    String text = Requests.optionalText(body, field, 64);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text);
    } catch (DateTimeParseException e) {
      throw Failure.invalid(field, field + " must be an RFC 3339 time").toException();
    }
  }
}
