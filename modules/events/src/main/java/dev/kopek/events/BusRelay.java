package dev.kopek.events;

import dev.kopek.model.events.EventsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes committed events on the event bus, in order, from the moment the process started: on
 * {@code kopek.events} and {@code kopek.events.<type>}. Without a cluster, every process publishes
 * every event (of every process on the database) to its own consumers; in a cluster, one process at
 * a time (holding an advisory lock) publishes to the whole cluster. The bus is not durable: a
 * consumer that must not miss an event reads the feed.
 */
final class BusRelay {

  private static final int BATCH = 1_000;

  /** The advisory lock the publishing process of a cluster holds ("kopek-ev"). */
  private static final long LEADER_LOCK = 0x6b6f70656b2d6576L;

  private static final Logger LOG = LoggerFactory.getLogger(BusRelay.class);

  private final Vertx vertx;
  private final Pool pool;
  private final boolean clustered;
  private final DeliveryOptions delivery;
  private String cursorXid;
  private long cursorSeq;
  private SqlConnection leaderConnection;
  private boolean running;
  private boolean again;

  BusRelay(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
    this.clustered = vertx.isClustered();
    this.delivery = new DeliveryOptions().setLocalOnly(!clustered);
  }

  /** Starts from the events committing from now on. */
  Future<Void> start() {
    return pool.query(EventsSql.SELECT_HORIZON)
        .execute()
        .map(
            rows -> {
              cursorXid = rows.iterator().next().getString("xid");
              cursorSeq = 0;
              return null;
            });
  }

  void round() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    leader()
        .compose(leading -> leading ? publishBatch() : Future.succeededFuture(false))
        .onComplete(
            done -> {
              running = false;
              if (done.failed()) {
                LOG.debug("Publishing events failed: {}", done.cause().toString());
              }
              boolean more = again || (done.succeeded() && done.result());
              again = false;
              if (more) {
                vertx.runOnContext(v -> round());
              }
            });
  }

  /** Whether this process publishes: always alone, and in a cluster when it holds the lock. */
  private Future<Boolean> leader() {
    if (!clustered) {
      return Future.succeededFuture(true);
    }
    if (leaderConnection != null) {
      return Future.succeededFuture(true);
    }
    return pool.getConnection()
        .compose(
            conn ->
                conn.preparedQuery("SELECT pg_try_advisory_lock($1) AS held")
                    .execute(Tuple.of(LEADER_LOCK))
                    .map(
                        rows -> {
                          if (rows.iterator().next().getBoolean("held")) {
                            leaderConnection = conn;
                            conn.closeHandler(v -> leaderConnection = null);
                            // Taking over: publish from the current horizon.
                            return true;
                          }
                          conn.close();
                          return false;
                        }));
  }

  private Future<Boolean> publishBatch() {
    return pool.preparedQuery(EventsSql.SELECT_EVENTS_AFTER)
        .execute(Tuple.of(cursorXid, cursorSeq, BATCH))
        .map(
            rows -> {
              for (Row row : rows) {
                String type = row.getString("type");
                JsonObject envelope = Feed.envelope(row);
                vertx.eventBus().publish(EventsAddresses.ALL, envelope, delivery);
                vertx.eventBus().publish(EventsAddresses.ofType(type), envelope, delivery);
                cursorXid = row.getString("xid");
                cursorSeq = row.getLong("seq");
              }
              return rows.size() == BATCH;
            });
  }

  Future<Void> stop() {
    SqlConnection conn = leaderConnection;
    leaderConnection = null;
    return conn == null ? Future.succeededFuture() : conn.close();
  }
}
