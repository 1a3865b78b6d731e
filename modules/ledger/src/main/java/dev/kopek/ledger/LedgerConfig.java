package dev.kopek.ledger;

import dev.kopek.model.Limits;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The ledger's settings, read once from the verticle's configuration ({@code db.url} and the {@code
 * ledger} section of config/kopek.yaml).
 *
 * @param databaseUrl the PostgreSQL URL the ledger's pool connects to
 * @param poolSize connections for reads and the writer
 * @param batchMax most commands one group commit takes
 * @param queueMax most commands waiting for the writer; more are answered 503 at once
 */
public record LedgerConfig(String databaseUrl, int poolSize, int batchMax, int queueMax) {

  /** Connections: one for the writer plus reads; more than the server's cores buys nothing. */
  static final int POOL_SIZE_DEFAULT = 8;

  /**
   * The batch follows the requests in flight up to this cap; a small cap (such as 8) throttles
   * throughput under load, a huge one only makes single transactions long.
   */
  static final int BATCH_MAX_DEFAULT = 512;

  /**
   * Commands waiting while a batch is written. Under load the queue holds about one batch; it grows
   * only when the database is slow or away, and then the bound keeps memory and waits from growing
   * without end: 100,000 commands are about eight seconds of the writer's peak (some 13,000
   * debits/s on two cores, bench/README.md), longer than callers wait ({@code
   * ledger.send_timeout_ms}, 5 s by default).
   */
  static final int QUEUE_MAX_DEFAULT = 100_000;

  /**
   * The smallest queue: one request may carry 10,000 postings (an atomic group among them), and a
   * group that cannot fit even an empty queue could never be posted.
   */
  static final int QUEUE_MAX_MIN = Limits.POSTINGS_PER_REQUEST_MAX;

  /**
   * The largest queue: more only keeps requests waiting longer than any caller does, and costs
   * memory (each waiting command holds its request, up to a few kilobytes).
   */
  static final int QUEUE_MAX_MAX = 1_000_000;

  /** Checks bounds; the message names the key and the fix. */
  public LedgerConfig {
    if (databaseUrl == null || databaseUrl.isBlank()) {
      throw new IllegalArgumentException(
          "db.url is missing: the server sets it, or set KOPEK_DB_URL");
    }
    if (poolSize < 2 || poolSize > 100) {
      throw new IllegalArgumentException(
          "ledger.pool_size must be between 2 and 100, was " + poolSize);
    }
    if (batchMax < 1 || batchMax > Limits.POSTINGS_PER_REQUEST_MAX) {
      throw new IllegalArgumentException(
          "ledger.batch_max must be between 1 and "
              + Limits.POSTINGS_PER_REQUEST_MAX
              + ", was "
              + batchMax);
    }
    if (queueMax < QUEUE_MAX_MIN || queueMax > QUEUE_MAX_MAX) {
      throw new IllegalArgumentException(
          "ledger.queue_max must be between "
              + QUEUE_MAX_MIN
              + " and "
              + QUEUE_MAX_MAX
              + ", was "
              + queueMax);
    }
  }

  /**
   * The connection options {@code db.url} describes. Vert.x's URI parser refuses an empty password
   * ({@code postgresql://kopek:@host/db}, as written for a server with trust authentication such as
   * the embedded one) and substitutes the placeholder {@code pass} for a missing one; like
   * PostgreSQL's own clients, the ledger reads both spellings as "no password".
   *
   * @throws IllegalArgumentException when the URL cannot be parsed
   */
  PgConnectOptions connectOptions() {
    String userInfo = null;
    try {
      userInfo = new URI(databaseUrl).getRawUserInfo();
    } catch (URISyntaxException invalid) {
      // left to PgConnectOptions.fromUri, whose message names the URL
    }
    boolean noPassword = userInfo == null || !userInfo.contains(":") || userInfo.endsWith(":");
    String url = databaseUrl;
    if (userInfo != null && userInfo.endsWith(":")) {
      url =
          url.replace(
              "://" + userInfo + "@", "://" + userInfo.substring(0, userInfo.length() - 1) + "@");
    }
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    return noPassword ? options.setPassword("") : options;
  }

  /**
   * Reads {@code db.url}, {@code ledger.pool_size}, {@code ledger.batch_max} and {@code
   * ledger.queue_max}.
   */
  public static LedgerConfig from(JsonObject config) {
    JsonObject db = config.getJsonObject("db", new JsonObject());
    JsonObject ledger = config.getJsonObject("ledger", new JsonObject());
    return new LedgerConfig(
        db.getString("url"),
        ledger.getInteger("pool_size", POOL_SIZE_DEFAULT),
        ledger.getInteger("batch_max", BATCH_MAX_DEFAULT),
        ledger.getInteger("queue_max", QUEUE_MAX_DEFAULT));
  }
}
