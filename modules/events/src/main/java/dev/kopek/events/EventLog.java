package dev.kopek.events;

import dev.kopek.model.events.Event;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Records events in the transaction of their facts: a writer calls {@link #append} on the
 * connection of the transaction that writes the fact, so the event commits or rolls back with it.
 * An event already recorded under its id (a retried step writing the same fact again) is kept as it
 * was.
 */
public final class EventLog {

  private EventLog() {}

  /** Appends {@code events} in one statement, on {@code conn} (inside the fact's transaction). */
  public static Future<Void> append(SqlClient conn, List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(EventsSql.INSERT_EVENTS).execute(tuple(events)).mapEmpty();
  }

  static Tuple tuple(List<Event> events) {
    return Tuple.of(
        events.stream().map(Event::id).toArray(String[]::new),
        events.stream().map(Event::type).toArray(String[]::new),
        events.stream().map(Event::userId).toArray(String[]::new),
        events.stream().map(Event::currency).toArray(String[]::new),
        events.stream().map(Event::walletSequence).toArray(Long[]::new),
        events.stream()
            .map(e -> e.createdAt().atOffset(ZoneOffset.UTC))
            .toArray(OffsetDateTime[]::new),
        events.stream().map(e -> e.object().encode()).toArray(String[]::new));
  }
}
