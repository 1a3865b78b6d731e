package dev.kopek.events;

import dev.kopek.model.Bus;
import dev.kopek.model.Failure;
import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import dev.kopek.model.events.EventsAddresses;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestClock;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link EventsVerticle} on a test database and a driven clock, reached over the event bus as
 * the HTTP API and sibling verticles reach it, and a writer that appends events in transactions of
 * its own, the way the ledger, billing and payments append them with their facts. The blocking
 * helpers are for the test thread only.
 */
final class EventsFixture implements AutoCloseable {

  /** Longest a single exchange may take before the test fails. */
  static final long WAIT_SECONDS = 30;

  /** Longest a test waits for deliveries to happen (generous: the machine may be busy). */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  /** Where the driven clock starts. */
  static final Instant START = Instant.parse("2026-03-02T09:00:00Z");

  final PostgresEndpoint database;
  final TestClock clock;
  final Vertx vertx;
  final Pool writer;

  private EventsFixture(PostgresEndpoint database, TestClock clock, Vertx vertx, Pool writer) {
    this.database = database;
    this.clock = clock;
    this.vertx = vertx;
    this.writer = writer;
  }

  /** A new database, a clock at {@link #START}, and one process with {@code webhooks} settings. */
  static EventsFixture start(JsonObject webhooks) {
    return start(TestDatabase.create(), TestClock.at(START), webhooks);
  }

  /** One process (a Vert.x of its own) on {@code database}, with {@code webhooks} settings. */
  static EventsFixture start(PostgresEndpoint database, TestClock clock, JsonObject webhooks) {
    Vertx vertx = Vertx.vertx();
    await(
        vertx.deployVerticle(
            new EventsVerticle(clock),
            new DeploymentOptions().setConfig(config(database, webhooks))));
    Pool writer =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(4))
            .connectingTo(database.connectOptions())
            .using(vertx)
            .build();
    return new EventsFixture(database, clock, vertx, writer);
  }

  /**
   * The verticle's configuration: polls every 25 ms, loopback receivers allowed, a 5 s request
   * timeout; {@code webhooks} overrides any of these.
   */
  static JsonObject config(PostgresEndpoint database, JsonObject webhooks) {
    JsonObject hooks =
        new JsonObject()
            .put("allow_private_targets", true)
            .put("timeout_ms", 5_000)
            .mergeIn(webhooks);
    return new JsonObject()
        .put("db", new JsonObject().put("url", TestDatabase.url(database)))
        .put("events", new JsonObject().put("poll_ms", 25))
        .put("webhooks", hooks);
  }

  @Override
  public void close() {
    try {
      await(writer.close());
    } finally {
      await(vertx.close());
    }
  }

  // ---- events, as a writer appends them --------------------------------------------------------

  /** An {@code entry.posted} event of a wallet's entry {@code sequence}. */
  static Event entry(String user, String currency, long sequence) {
    String fact = user + "_" + currency + "_" + sequence;
    return new Event(
        Event.id(EventTypes.ENTRY_POSTED, fact),
        EventTypes.ENTRY_POSTED,
        user,
        currency,
        sequence,
        START.plusMillis(sequence * 1_000 + 123),
        new JsonObject()
            .put("id", fact)
            .put("object", "entry")
            .put("kind", "debit")
            .put("amount_minor", 100 + sequence)
            .put("memo", "caf\u00e9 \u2615 \"quoted\" </tag>"));
  }

  /** A {@code topup.succeeded} event of a wallet. */
  static Event topup(String user, String currency, long sequence) {
    String fact = "top_" + user + "_" + sequence;
    return new Event(
        Event.id(EventTypes.TOPUP_SUCCEEDED, fact),
        EventTypes.TOPUP_SUCCEEDED,
        user,
        currency,
        sequence,
        START.plusSeconds(sequence),
        new JsonObject().put("id", fact).put("object", "topup").put("amount_minor", 5_000));
  }

  /** Appends {@code events} in a transaction of their own, which commits. */
  void append(List<Event> events) {
    await(writer.withTransaction(conn -> EventLog.append(conn, events)));
  }

  void append(Event... events) {
    append(List.of(events));
  }

  /** Appends {@code events} in a transaction that then rolls back. */
  void appendRolledBack(List<Event> events) {
    Future<Void> done =
        writer.withTransaction(
            conn ->
                EventLog.append(conn, events)
                    .compose(v -> Future.<Void>failedFuture("the fact was refused")));
    try {
      done.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Throwable expected) {
      // rolled back, as intended
    }
    if (!done.failed()) {
      throw new AssertionError("the transaction was expected to roll back");
    }
  }

  // ---- the event-bus API
  // -------------------------------------------------------------------------

  JsonObject request(String address, JsonObject body) {
    return await(Bus.request(vertx, address, body, WAIT_SECONDS * 1_000));
  }

  Failure failure(String address, JsonObject body) {
    Future<JsonObject> reply = Bus.request(vertx, address, body, WAIT_SECONDS * 1_000);
    try {
      JsonObject value = reply.await(WAIT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure but got " + value);
    } catch (AssertionError unexpected) {
      throw unexpected;
    } catch (Throwable thrown) {
      if (thrown != reply.cause()) {
        throw new AssertionError("no answer from " + address, thrown);
      }
      return Failure.from(thrown);
    }
  }

  /** Creates an endpoint at {@code url} for {@code events} (or everything); has its secret. */
  JsonObject createEndpoint(String url, String... events) {
    JsonArray enabled =
        events.length == 0 ? new JsonArray().add("*") : new JsonArray(List.of(events));
    return request(
        EventsAddresses.ENDPOINT_CREATE,
        new JsonObject().put("url", url).put("enabled_events", enabled));
  }

  JsonObject endpoint(String id) {
    return request(EventsAddresses.ENDPOINT_GET, new JsonObject().put("id", id));
  }

  /** Every attempt to deliver to the endpoint, newest first. */
  List<JsonObject> attempts(String endpointId) {
    List<JsonObject> all = new ArrayList<>();
    Long before = null;
    do {
      JsonObject page =
          request(
              EventsAddresses.ENDPOINT_DELIVERIES,
              new JsonObject()
                  .put("endpoint_id", endpointId)
                  .put("limit", 100)
                  .put("before", before));
      page.getJsonArray("data").forEach(a -> all.add((JsonObject) a));
      before = page.getLong("next_before");
    } while (before != null);
    return all;
  }

  /** The feed from {@code after} (null: the beginning) to its end, {@code limit} per page. */
  FeedPage feed(String after, int limit) {
    List<JsonObject> events = new ArrayList<>();
    String cursor = after;
    boolean more;
    do {
      JsonObject page =
          request(
              EventsAddresses.EVENTS_LIST,
              new JsonObject().put("after", cursor).put("limit", limit));
      page.getJsonArray("data").forEach(e -> events.add((JsonObject) e));
      cursor = page.getString("next_cursor");
      more = page.getBoolean("has_more");
    } while (more);
    return new FeedPage(events, cursor);
  }

  /** Events read from the feed, and the cursor to go on from. */
  record FeedPage(List<JsonObject> events, String cursor) {
    List<String> ids() {
      return events.stream().map(e -> e.getString("id")).toList();
    }
  }

  /** Waits for {@code future} on the test thread and returns its value. */
  static <T> T await(Future<T> future) {
    try {
      return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_SECONDS + " s", e);
    } catch (Throwable failed) {
      throw new AssertionError(
          "expected success but got " + Failure.from(failed) + " (" + failed + ")", failed);
    }
  }
}
