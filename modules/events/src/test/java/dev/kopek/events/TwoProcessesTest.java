package dev.kopek.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.events.Event;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestClock;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two Kopek processes (two Vert.x instances) deliver from one database to one endpoint. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@DisplayName("Two events processes on one database")
class TwoProcessesTest {

  private static final int TRANSACTIONS = 60;
  private static final int EVENTS_PER_TRANSACTION = 5;

  @Test
  @DisplayName(
      "every event reaches the endpoint, from concurrent transactions of both processes, with no"
          + " duplicate in normal operation")
  void shareTheWork() throws Exception {
    PostgresEndpoint database = TestDatabase.create();
    TestClock clock = TestClock.at(EventsFixture.START);
    try (EventsFixture first = EventsFixture.start(database, clock, new JsonObject());
        EventsFixture second = EventsFixture.start(database, clock, new JsonObject());
        Receiver receiver = Receiver.start()) {
      receiver.answer(d -> new Receiver.Answer(200, 5));
      String secret = first.createEndpoint(receiver.url()).getString("secret");

      // Transactions of both processes overlap and commit in no particular order.
      List<Event> appended = new ArrayList<>();
      List<Future<Void>> commits = new ArrayList<>();
      long started = System.nanoTime();
      for (int tx = 0; tx < TRANSACTIONS; tx++) {
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < EVENTS_PER_TRANSACTION; i++) {
          batch.add(EventsFixture.entry("w" + (tx % 7), "USD", tx * 100L + i));
        }
        appended.addAll(batch);
        EventsFixture writer = tx % 2 == 0 ? first : second;
        commits.add(writer.writer.withTransaction(conn -> EventLog.append(conn, batch)));
      }
      EventsFixture.await(Future.all(commits));
      long committed = System.nanoTime();

      Poll.until(
          EventsFixture.PATIENCE.multipliedBy(2),
          "every event delivered",
          () ->
              receiver.deliveries().stream().map(Receiver.Delivery::id).distinct().count()
                  >= appended.size());
      long delivered = System.nanoTime();
      // Late duplicates, if any, would arrive now.
      Thread.sleep(500);

      List<Receiver.Delivery> received = receiver.deliveries();
      Map<String, Long> perId =
          received.stream()
              .collect(Collectors.groupingBy(Receiver.Delivery::id, Collectors.counting()));
      long duplicates = received.size() - perId.size();
      System.out.printf(
          "Two processes: %d events, %d requests, %d distinct, %d duplicates;"
              + " appended in %d ms, all delivered %d ms after the last commit%n",
          appended.size(),
          received.size(),
          perId.size(),
          duplicates,
          (committed - started) / 1_000_000,
          (delivered - committed) / 1_000_000);
      assertThat(perId.keySet())
          .containsExactlyInAnyOrderElementsOf(appended.stream().map(Event::id).toList());
      assertThat(duplicates).as("the same event delivered twice").isZero();
      assertThat(first.feed(null, 100).ids()).containsExactlyInAnyOrderElementsOf(perId.keySet());
      assertThat(
              TestDatabase.queryLong(
                  database, "SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'"))
          .isEqualTo(appended.size());
      for (Receiver.Delivery delivery : received) {
        assertThat(Signatures.hmacMatches(secret, delivery)).isEqualTo(1);
      }
    }
  }
}
