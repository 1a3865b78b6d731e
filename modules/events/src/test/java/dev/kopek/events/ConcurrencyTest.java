package dev.kopek.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.events.Event;
import dev.kopek.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Deliveries to one endpoint are bounded by webhooks.max_in_flight_per_endpoint. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Webhook concurrency")
class ConcurrencyTest {

  @Test
  @DisplayName("a slow endpoint never has more than max_in_flight_per_endpoint requests at once")
  void boundedPerEndpoint() throws Exception {
    try (EventsFixture events =
            EventsFixture.start(new JsonObject().put("max_in_flight_per_endpoint", 2));
        Receiver slow = Receiver.start();
        Receiver other = Receiver.start()) {
      slow.answer(d -> new Receiver.Answer(200, 150));
      other.answer(d -> new Receiver.Answer(200, 150));
      events.createEndpoint(slow.url());
      events.createEndpoint(other.url());
      List<Event> appended = new ArrayList<>();
      for (int i = 1; i <= 16; i++) {
        appended.add(EventsFixture.entry("liam", "USD", i));
      }
      events.append(appended.subList(0, 8));
      events.append(appended.subList(8, 16));

      Poll.until(
          EventsFixture.PATIENCE,
          "every event at both endpoints",
          () -> slow.count() >= appended.size() && other.count() >= appended.size());
      Thread.sleep(200);
      for (Receiver receiver : List.of(slow, other)) {
        assertThat(receiver.deliveries())
            .extracting(Receiver.Delivery::id)
            .containsExactlyInAnyOrderElementsOf(appended.stream().map(Event::id).toList());
        assertThat(receiver.maxInFlight()).as("most requests under way at once").isEqualTo(2);
      }
    }
  }

  @Test
  @DisplayName(
      "endpoints sharing a host each get their own max_in_flight_per_endpoint requests, none held"
          + " back until it times out")
  void endpointsSharingAHost() throws Exception {
    try (EventsFixture events =
            EventsFixture.start(
                new JsonObject().put("max_in_flight_per_endpoint", 2).put("timeout_ms", 1_000));
        Receiver receiver = Receiver.start()) {
      // Each answer takes 600 ms, well within the 1 s timeout, if it is sent when claimed.
      receiver.answer(d -> new Receiver.Answer(200, 600));
      String a = events.createEndpoint(receiver.url() + "/a").getString("id");
      String b = events.createEndpoint(receiver.url() + "/b").getString("id");
      List<Event> appended = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        appended.add(EventsFixture.entry("mona", "USD", i));
      }
      events.append(appended);

      Poll.until(
          EventsFixture.PATIENCE,
          "eight attempts recorded",
          () -> events.attempts(a).size() + events.attempts(b).size() >= 8);
      List<JsonObject> attempts = new ArrayList<>(events.attempts(a));
      attempts.addAll(events.attempts(b));
      assertThat(attempts)
          .as("every first attempt answered 200, none timed out waiting for a connection")
          .allSatisfy(
              attempt -> {
                assertThat(attempt.getInteger("status_code")).as("%s", attempt).isEqualTo(200);
                assertThat(attempt.getString("error")).as("%s", attempt).isNull();
              });
      assertThat(receiver.maxInFlight()).as("both endpoints' requests at once").isEqualTo(4);
    }
  }

  @Test
  @DisplayName(
      "webhooks.max_per_second bounds the deliveries a process starts; what waits is delivered"
          + " afterwards")
  void deliveryBudget() throws Exception {
    try (EventsFixture events = EventsFixture.start(new JsonObject().put("max_per_second", 20));
        Receiver receiver = Receiver.start()) {
      events.createEndpoint(receiver.url());
      List<Event> appended = new ArrayList<>();
      for (int i = 1; i <= 40; i++) {
        appended.add(EventsFixture.entry("nina", "USD", i));
      }
      events.append(appended);
      long started = System.nanoTime();
      Poll.until(EventsFixture.PATIENCE, "the first delivery", () -> receiver.count() >= 1);
      // 20 a second, and at most a tenth of a second's worth at once: by the time 40 could
      // have been sent at once, far fewer have been.
      Thread.sleep(500);
      long soon = receiver.count();
      double seconds = (System.nanoTime() - started) / 1e9;
      assertThat(soon).as("delivered %.2f s after the first", seconds).isLessThan(30);
      Poll.until(
          EventsFixture.PATIENCE,
          "every event delivered",
          () -> receiver.count() >= appended.size());
      assertThat(receiver.deliveries())
          .extracting(Receiver.Delivery::id)
          .containsExactlyInAnyOrderElementsOf(appended.stream().map(Event::id).toList());
    }
  }
}
