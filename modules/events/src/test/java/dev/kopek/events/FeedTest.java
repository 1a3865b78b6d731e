package dev.kopek.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import dev.kopek.model.events.EventsAddresses;
import dev.kopek.testkit.Poll;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pull feed, the fan-out to endpoints and the event bus, whatever order facts commit in. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@DisplayName("Event feed and bus")
class FeedTest {

  private EventsFixture events;
  private Receiver receiver;

  @BeforeEach
  void start() {
    events = EventsFixture.start(new JsonObject());
    receiver = Receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.close();
    events.close();
  }

  private static List<String> ids(List<Event> appended) {
    return appended.stream().map(Event::id).toList();
  }

  @Test
  @DisplayName(
      "an event of a transaction that commits after a later one is neither skipped by the feed"
          + " nor by the fan-out")
  void outOfOrderCommits() throws Exception {
    events.createEndpoint(receiver.url());
    Event before = EventsFixture.entry("gina", "USD", 1);
    events.append(before);
    Poll.until(EventsFixture.PATIENCE, "the first event delivered", () -> receiver.count() == 1);

    // Transaction A appends first, transaction B appends and commits, then A commits.
    Event a = EventsFixture.entry("gina", "USD", 2);
    Event b = EventsFixture.entry("hank", "USD", 1);
    SqlConnection conn = EventsFixture.await(events.writer.getConnection());
    try {
      Transaction txA = EventsFixture.await(conn.begin());
      EventsFixture.await(EventLog.append(conn, List.of(a)));
      events.append(b);

      // Read meanwhile: a reader keeps its cursor, as a merchant pulling the feed does.
      EventsFixture.FeedPage meanwhile = events.feed(null, 100);
      Thread.sleep(300);
      List<String> deliveredMeanwhile =
          receiver.deliveries().stream().map(Receiver.Delivery::id).toList();
      assertThat(meanwhile.ids()).contains(before.id()).doesNotContain(a.id());

      EventsFixture.await(txA.commit());

      EventsFixture.FeedPage after = events.feed(meanwhile.cursor(), 100);
      List<String> read = new ArrayList<>(meanwhile.ids());
      read.addAll(after.ids());
      assertThat(read)
          .as("the feed read across A's commit, each event once, A's before B's")
          .containsExactly(before.id(), a.id(), b.id());
      assertThat(deliveredMeanwhile).doesNotContain(a.id());
    } finally {
      EventsFixture.await(conn.close());
    }
    Poll.until(
        EventsFixture.PATIENCE,
        "A's and B's events delivered",
        () -> receiver.of(a.id()).size() == 1 && receiver.of(b.id()).size() == 1);
    assertThat(receiver.deliveries()).extracting(Receiver.Delivery::id).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("paging with the cursor returns each event exactly once, and only new ones later")
  void cursorPaging() {
    List<Event> appended = new ArrayList<>();
    for (int tx = 0; tx < 5; tx++) {
      List<Event> batch = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        batch.add(EventsFixture.entry("ivan", "EUR", tx * 5L + i));
      }
      events.append(batch);
      appended.addAll(batch);
    }
    events.appendRolledBack(List.of(EventsFixture.entry("ivan", "EUR", 1_000)));

    List<String> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    boolean more = true;
    while (more) {
      JsonObject page =
          events.request(
              EventsAddresses.EVENTS_LIST, new JsonObject().put("after", cursor).put("limit", 7));
      page.getJsonArray("data").forEach(e -> paged.add(((JsonObject) e).getString("id")));
      cursor = page.getString("next_cursor");
      more = page.getBoolean("has_more");
      pages++;
    }
    assertThat(paged).containsExactlyElementsOf(ids(appended));
    assertThat(pages).isEqualTo(4);

    JsonObject empty =
        events.request(EventsAddresses.EVENTS_LIST, new JsonObject().put("after", cursor));
    assertThat(empty.getJsonArray("data")).isEmpty();
    assertThat(empty.getString("next_cursor")).isEqualTo(cursor);

    List<Event> later =
        List.of(EventsFixture.topup("ivan", "EUR", 26), EventsFixture.entry("judy", "USD", 1));
    events.append(later);
    assertThat(events.feed(cursor, 7).ids()).containsExactlyElementsOf(ids(later));

    // Filtered by type and by user.
    JsonObject topups =
        events.request(
            EventsAddresses.EVENTS_LIST,
            new JsonObject().put("types", new JsonArray().add(EventTypes.TOPUP_SUCCEEDED)));
    assertThat(topups.getJsonArray("data"))
        .extracting(e -> ((JsonObject) e).getString("id"))
        .containsExactly(later.get(0).id());
    JsonObject judy =
        events.request(EventsAddresses.EVENTS_LIST, new JsonObject().put("user_id", "judy"));
    assertThat(judy.getJsonArray("data"))
        .extracting(e -> ((JsonObject) e).getString("id"))
        .containsExactly(later.get(1).id());
  }

  @Test
  @DisplayName("kopek.events and kopek.events.<type> receive the envelope of each committed event")
  void publishedOnTheBus() throws Exception {
    List<JsonObject> all = Collections.synchronizedList(new ArrayList<>());
    List<JsonObject> topups = Collections.synchronizedList(new ArrayList<>());
    List<JsonObject> entries = Collections.synchronizedList(new ArrayList<>());
    List<MessageConsumer<JsonObject>> consumers =
        List.of(
            events.vertx.eventBus().consumer(EventsAddresses.ALL, m -> all.add(m.body())),
            events
                .vertx
                .eventBus()
                .consumer(
                    EventsAddresses.ofType(EventTypes.TOPUP_SUCCEEDED), m -> topups.add(m.body())),
            events
                .vertx
                .eventBus()
                .consumer(
                    EventsAddresses.ofType(EventTypes.ENTRY_POSTED), m -> entries.add(m.body())));
    consumers.forEach(c -> EventsFixture.await(c.completion()));

    List<Event> appended =
        List.of(
            EventsFixture.entry("kate", "USD", 1),
            EventsFixture.topup("kate", "USD", 2),
            EventsFixture.entry("kate", "USD", 3));
    events.append(appended.get(0));
    events.appendRolledBack(List.of(EventsFixture.topup("kate", "USD", 99)));
    events.append(appended.subList(1, 3));

    Poll.until(EventsFixture.PATIENCE, "every event on kopek.events", () -> all.size() >= 3);
    assertThat(all)
        .containsExactly(
            DeliveryTest.expectedEnvelope(appended.get(0)),
            DeliveryTest.expectedEnvelope(appended.get(1)),
            DeliveryTest.expectedEnvelope(appended.get(2)));
    Poll.until(
        EventsFixture.PATIENCE,
        "the typed addresses",
        () -> topups.size() >= 1 && entries.size() >= 2);
    assertThat(topups).containsExactly(DeliveryTest.expectedEnvelope(appended.get(1)));
    assertThat(entries)
        .containsExactly(
            DeliveryTest.expectedEnvelope(appended.get(0)),
            DeliveryTest.expectedEnvelope(appended.get(2)));
    for (Event event : appended) {
      assertThat(events.request(EventsAddresses.EVENT_GET, new JsonObject().put("id", event.id())))
          .isEqualTo(DeliveryTest.expectedEnvelope(event));
    }
  }

  @Test
  @DisplayName("an endpoint's position moves past batches of events it does not subscribe to")
  void fanOutBeyondOneBatch() throws Exception {
    events.createEndpoint(receiver.url(), EventTypes.TOPUP_SUCCEEDED);
    List<Event> bulk = new ArrayList<>();
    for (int i = 1; i <= 2_100; i++) {
      bulk.add(EventsFixture.entry("oscar", "USD", i));
    }
    events.append(bulk);
    Event topup = EventsFixture.topup("oscar", "USD", 2_101);
    events.append(topup);
    Poll.until(EventsFixture.PATIENCE, "the top-up delivered", () -> receiver.count() >= 1);
    assertThat(receiver.deliveries()).extracting(Receiver.Delivery::id).containsExactly(topup.id());
    assertThat(
            dev.kopek.testkit.TestDatabase.queryLong(
                events.database, "SELECT count(*) FROM webhook_deliveries"))
        .isEqualTo(1);
  }
}
