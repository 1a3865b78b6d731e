package dev.kopek.ledger;

import dev.kopek.model.Requests;
import dev.kopek.model.ledger.VerifyReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The ledger's figures for the operator console: sums per day, and the record of verify runs
 * ({@code ledger_verify_runs}).
 */
final class LedgerStats {

  /** The longest period one daily-sums request may cover. */
  static final int DAYS_MAX = 366;

  private static final String SELECT_DAILY_SUMS =
      """
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day, currency, kind,
             SUM(amount_minor)::bigint AS amount_minor, COUNT(*) AS count
        FROM ledger_entries
       WHERE created_at >= $1 AND created_at < $2
       GROUP BY 1, 2, 3
       ORDER BY 1, 2, 3
      """;

  private static final String INSERT_VERIFY_RUN =
      "INSERT INTO ledger_verify_runs (ran_at, ok, wallets_checked, entries_checked, broken)"
          + " VALUES ($1, $2, $3, $4, $5)";

  private static final String SELECT_LAST_VERIFY_RUN =
      "SELECT ran_at, ok, wallets_checked, entries_checked, broken FROM ledger_verify_runs"
          + " ORDER BY id DESC LIMIT 1";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LedgerStats.class);

  private final Pool pool;

  LedgerStats(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {"from","to"}} → {@code {"data":[{"day","currency","kind","amount_minor","count"}]}}.
   */
  Future<JsonObject> dailySums(JsonObject body) {
    Instant[] period = Requests.period(body, DAYS_MAX);
    return pool.preparedQuery(SELECT_DAILY_SUMS)
        .execute(Tuple.of(period[0].atOffset(ZoneOffset.UTC), period[1].atOffset(ZoneOffset.UTC)))
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              for (Row row : rows) {
                data.add(
                    new JsonObject()
                        .put("day", row.getLocalDate("day").toString())
                        .put("currency", row.getString("currency"))
                        .put("kind", row.getString("kind"))
                        .put("amount_minor", row.getLong("amount_minor"))
                        .put("count", row.getLong("count")));
              }
              return new JsonObject().put("data", data);
            });
  }

  /** Records a verify run; its report is the reply whether or not the record could be written. */
  Future<JsonObject> recorded(VerifyReport report, Instant ranAt) {
    JsonObject reply = report.toJson();
    return pool.preparedQuery(INSERT_VERIFY_RUN)
        .execute(
            Tuple.of(
                ranAt.atOffset(ZoneOffset.UTC),
                report.ok(),
                reply.getLong("wallets_checked", 0L),
                reply.getLong("entries_checked", 0L),
                reply.getJsonObject("broken")))
        .map(reply)
        .otherwise(
            error -> {
              LOG.warn("Could not record the verify run of {}: {}", ranAt, error.toString());
              return reply;
            });
  }

  /** {@code {"last": run or null}}. */
  Future<JsonObject> lastVerify(JsonObject body) {
    return pool.query(SELECT_LAST_VERIFY_RUN)
        .execute()
        .map(
            rows -> {
              if (rows.size() == 0) {
                return new JsonObject().putNull("last");
              }
              Row row = rows.iterator().next();
              JsonObject last =
                  new JsonObject()
                      .put("ran_at", row.getOffsetDateTime("ran_at").toInstant().toString())
                      .put("ok", row.getBoolean("ok"))
                      .put("wallets_checked", row.getLong("wallets_checked"))
                      .put("entries_checked", row.getLong("entries_checked"));
              Object broken = row.getValue("broken");
              if (broken instanceof JsonObject json) {
                last.put("broken", json);
              }
              return new JsonObject().put("last", last);
            });
  }
}
