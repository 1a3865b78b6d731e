package dev.kopek.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import dev.kopek.model.events.EventsAddresses;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retries on the driven clock: an endpoint that is down for hours gets everything once it is back;
 * one that keeps failing, or answers 410, is disabled; a slow one counts as failing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@DisplayName("Webhook retries")
class RetryTest {

  /**
   * The waits after each failed attempt, as documented: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
   */
  private static final List<Duration> WAITS =
      List.of(
          Duration.ofSeconds(5),
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(2),
          Duration.ofHours(5),
          Duration.ofHours(10),
          Duration.ofHours(10));

  private EventsFixture events;
  private final List<Receiver> receivers = new ArrayList<>();

  @AfterEach
  void stop() {
    receivers.forEach(Receiver::close);
    if (events != null) {
      events.close();
    }
  }

  private Receiver receiver() {
    Receiver receiver = Receiver.start();
    receivers.add(receiver);
    return receiver;
  }

  private long count(String sql) {
    return TestDatabase.queryLong(events.database, sql);
  }

  /** Waits until {@code sql} counts {@code expected}, and not more. */
  private void awaitCount(String what, String sql, long expected) throws Exception {
    long counted = Poll.value(EventsFixture.PATIENCE, () -> count(sql), n -> n >= expected);
    assertThat(counted).as(what).isEqualTo(expected);
  }

  /**
   * Asserts every pending delivery is due within the wait after attempt {@code attempt}, spread by
   * 10 % either way, counted from the clock's time now; returns the distinct due times.
   */
  private Set<Instant> assertScheduled(int attempt) {
    Instant now = events.clock.instant();
    Duration wait = WAITS.get(attempt - 1);
    Set<Instant> due = new LinkedHashSet<>();
    EventsFixture.await(
            events
                .writer
                .query(
                    "SELECT event_id, attempts, next_attempt_at FROM webhook_deliveries"
                        + " WHERE status = 'pending'")
                .execute())
        .forEach(
            row -> {
              Instant next = row.getOffsetDateTime("next_attempt_at").toInstant();
              assertThat(row.getInteger("attempts")).isEqualTo(attempt);
              assertThat(Duration.between(now, next))
                  .as("wait after attempt %d of %s", attempt, row.getString("event_id"))
                  .isBetween(
                      wait.multipliedBy(9).dividedBy(10), wait.multipliedBy(11).dividedBy(10));
              due.add(next);
            });
    return due;
  }

  @Test
  @DisplayName(
      "an endpoint down for hours (500, then connection refused) gets every committed event once"
          + " back, in a wallet order the sequence numbers restore, and the history shows each"
          + " failed attempt")
  void outageThenBack() throws Exception {
    events = EventsFixture.start(new JsonObject());
    Receiver receiver = receiver();
    receiver.answer(d -> new Receiver.Answer(500, 30));
    String endpoint = events.createEndpoint(receiver.url()).getString("id");

    List<Event> appended = new ArrayList<>();
    List<String> wallets = List.of("alice/USD", "bob/USD", "alice/EUR");
    for (int sequence = 1; sequence <= 8; sequence++) {
      List<Event> batch = new ArrayList<>();
      for (String wallet : wallets) {
        String[] w = wallet.split("/");
        batch.add(EventsFixture.entry(w[0], w[1], sequence));
      }
      events.append(batch);
      appended.addAll(batch);
      if (sequence == 4) {
        events.appendRolledBack(
            List.of(
                EventsFixture.entry("alice", "USD", 99), EventsFixture.topup("mallory", "USD", 1)));
      }
    }
    int n = appended.size();
    String allAttempts = "SELECT count(*) FROM webhook_attempts";

    // Attempts 1 to 3 answered 500, 4 and 5 refused: the schedule runs on the driven clock.
    awaitCount("first attempts", allAttempts, n);
    Set<Instant> spread = new LinkedHashSet<>();
    for (int attempt = 1; attempt <= 5; attempt++) {
      spread.addAll(assertScheduled(attempt));
      Duration wait = WAITS.get(attempt - 1);
      if (attempt == 3) {
        receiver.down();
      }
      if (attempt == 5) {
        receiver.up();
        receiver.answer(200);
      }
      if (attempt == 2) {
        // Before the earliest due time (0.9 of the wait), nothing is tried.
        events.clock.advance(wait.multipliedBy(85).dividedBy(100));
        Thread.sleep(300);
        assertThat(count(allAttempts)).as("nothing tried before it is due").isEqualTo(2L * n);
        events.clock.advance(wait.multipliedBy(25).dividedBy(100).plusSeconds(1));
      } else {
        events.clock.advance(wait.multipliedBy(11).dividedBy(10).plusSeconds(1));
      }
      awaitCount("attempt " + (attempt + 1), allAttempts, (long) n * (attempt + 1));
    }
    assertThat(spread).as("jitter spreads the retries").hasSizeGreaterThan(n);

    // Every committed event arrived, at least once; after deduplication, exactly those.
    Poll.until(
        EventsFixture.PATIENCE,
        "every event delivered",
        () -> count("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == n);
    Map<String, JsonObject> byId = new LinkedHashMap<>();
    List<Receiver.Delivery> received = receiver.deliveries();
    for (Receiver.Delivery delivery : received) {
      byId.putIfAbsent(delivery.id(), delivery.json());
    }
    assertThat(byId.keySet())
        .containsExactlyInAnyOrderElementsOf(appended.stream().map(Event::id).toList());
    System.out.printf(
        "Outage: %d events, %d requests received, %d attempts recorded%n",
        n, received.size(), count(allAttempts));

    // A wallet's events, ordered by their sequence numbers, are its events in the order written.
    for (String wallet : wallets) {
      String[] w = wallet.split("/");
      List<String> restored =
          byId.values().stream()
              .filter(
                  e ->
                      e.getJsonObject("wallet").getString("user_id").equals(w[0])
                          && e.getJsonObject("wallet").getString("currency").equals(w[1]))
              .sorted(Comparator.comparing(e -> e.getJsonObject("wallet").getLong("sequence")))
              .map(e -> e.getString("id"))
              .toList();
      List<String> written =
          appended.stream()
              .filter(e -> e.userId().equals(w[0]) && e.currency().equals(w[1]))
              .map(Event::id)
              .toList();
      assertThat(restored).as(wallet).isEqualTo(written);
    }

    // The history: three 500s (with the receiver's latency), two refusals, then 200.
    String one = appended.get(5).id();
    List<JsonObject> history =
        events.attempts(endpoint).stream()
            .filter(a -> a.getString("event_id").equals(one))
            .sorted(Comparator.comparing(a -> a.getInteger("attempt")))
            .toList();
    assertThat(history).extracting(a -> a.getInteger("attempt")).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(history)
        .extracting(a -> a.getInteger("status_code"))
        .containsExactly(500, 500, 500, null, null, 200);
    for (JsonObject failed : history.subList(0, 3)) {
      assertThat(failed.getInteger("latency_ms")).as("latency of %s", failed).isBetween(25, 10_000);
      assertThat(failed.getString("response_body")).isEqualTo("{\"received\":true}");
    }
    for (JsonObject refused : history.subList(3, 5)) {
      assertThat(refused.getString("error")).as("why %s failed", refused).isNotBlank();
      assertThat(refused.getInteger("latency_ms")).isBetween(0, 10_000);
    }
    // Attempts are dated on the events' clock, like the schedule they follow.
    List<Instant> tried =
        history.stream().map(a -> Instant.parse(a.getString("attempted_at"))).toList();
    for (int i = 1; i < tried.size(); i++) {
      assertThat(Duration.between(tried.get(i - 1), tried.get(i)))
          .as("between attempts %d and %d", i, i + 1)
          .isBetween(
              WAITS.get(i - 1).multipliedBy(9).dividedBy(10),
              WAITS.get(i - 1).multipliedBy(11).dividedBy(10).plusSeconds(1));
    }
  }

  /** Advances the clock past each wait while {@code event} keeps failing, to its last attempt. */
  private void failToTheEnd(String event, Runnable afterThirdAttempt) throws Exception {
    String attempts = "SELECT count(*) FROM webhook_attempts WHERE event_id = '" + event + "'";
    awaitCount("first attempt of " + event, attempts, 1);
    for (int attempt = 1; attempt < RetrySchedule.ATTEMPTS_MAX; attempt++) {
      if (attempt == 3) {
        afterThirdAttempt.run();
      }
      events.clock.advance(WAITS.get(attempt - 1).multipliedBy(11).dividedBy(10).plusSeconds(1));
      awaitCount("attempt " + (attempt + 1) + " of " + event, attempts, attempt + 1);
    }
  }

  private String deliveryStatus(String endpoint, String event) {
    return TestDatabase.queryString(
        events.database,
        "SELECT status FROM webhook_deliveries WHERE endpoint_id = '"
            + endpoint
            + "' AND event_id = '"
            + event
            + "'");
  }

  private List<JsonObject> disabledEvents() {
    return events.feed(null, 100).events().stream()
        .filter(e -> e.getString("type").equals(EventTypes.ENDPOINT_DISABLED))
        .toList();
  }

  @Test
  @DisplayName(
      "eight failed attempts fail the delivery and disable the endpoint (endpoint.disabled in the"
          + " feed); enabling it again sends what waited; a redelivery sends the same id and body")
  void disabledAfterEightFailures() throws Exception {
    events = EventsFixture.start(new JsonObject());
    Receiver receiver = receiver();
    receiver.answer(500);
    String endpoint = events.createEndpoint(receiver.url()).getString("id");
    Event first = EventsFixture.entry("dave", "USD", 1);
    Event second = EventsFixture.entry("dave", "USD", 2);
    events.append(first);

    failToTheEnd(first.id(), () -> events.append(second));

    Poll.until(
        EventsFixture.PATIENCE,
        "the endpoint disabled",
        () -> events.endpoint(endpoint).getString("status").equals("disabled"));
    JsonObject disabled = events.endpoint(endpoint);
    assertThat(disabled.getString("disabled_reason"))
        .contains(first.id())
        .contains("8 attempts")
        .contains("HTTP 500");
    assertThat(deliveryStatus(endpoint, first.id())).isEqualTo("failed");
    assertThat(deliveryStatus(endpoint, second.id())).isEqualTo("pending");
    Poll.until(
        EventsFixture.PATIENCE, "endpoint.disabled in the feed", () -> !disabledEvents().isEmpty());
    List<JsonObject> recorded = disabledEvents();
    assertThat(recorded).hasSize(1);
    JsonObject object = recorded.get(0).getJsonObject("data").getJsonObject("object");
    assertThat(object.getString("id")).isEqualTo(endpoint);
    assertThat(object.getString("status")).isEqualTo("disabled");
    assertThat(object.containsKey("secret")).as("no secret in an event").isFalse();

    // Disabled: nothing is tried, however much time passes; new events wait for it.
    long attemptsWhenDisabled = count("SELECT count(*) FROM webhook_attempts");
    Event third = EventsFixture.entry("dave", "USD", 3);
    events.append(third);
    events.clock.advance(Duration.ofDays(2));
    Thread.sleep(300);
    assertThat(count("SELECT count(*) FROM webhook_attempts")).isEqualTo(attemptsWhenDisabled);

    // Enabled again: what waited goes out at once, without moving the clock.
    receiver.answer(200);
    int before = receiver.count();
    JsonObject enabled =
        events.request(
            EventsAddresses.ENDPOINT_UPDATE,
            new JsonObject().put("id", endpoint).put("status", "enabled"));
    assertThat(enabled.getString("status")).isEqualTo("enabled");
    assertThat(enabled.getString("disabled_reason")).isNull();
    Poll.until(
        EventsFixture.PATIENCE,
        "the second and third events delivered",
        () ->
            "succeeded".equals(deliveryStatus(endpoint, second.id()))
                && "succeeded".equals(deliveryStatus(endpoint, third.id())));
    assertThat(deliveryStatus(endpoint, first.id())).isEqualTo("failed");
    assertThat(receiver.deliveries().subList(before, receiver.count()))
        .extracting(Receiver.Delivery::id)
        .doesNotContain(first.id());

    // Redelivered: the event that failed for good goes out again, the same id and bytes.
    byte[] body = receiver.of(first.id()).get(0).body();
    events.request(
        EventsAddresses.EVENT_REDELIVER,
        new JsonObject().put("id", first.id()).put("endpoint_id", endpoint));
    Poll.until(
        EventsFixture.PATIENCE,
        "the redelivery",
        () -> "succeeded".equals(deliveryStatus(endpoint, first.id())));
    List<Receiver.Delivery> ofFirst = receiver.of(first.id());
    assertThat(ofFirst).hasSize(RetrySchedule.ATTEMPTS_MAX + 1);
    assertThat(ofFirst.get(ofFirst.size() - 1).body()).isEqualTo(body);
  }

  @Test
  @DisplayName("an endpoint that answers 410 Gone is disabled at its first answer")
  void goneDisablesAtOnce() throws Exception {
    events = EventsFixture.start(new JsonObject());
    Receiver gone = receiver();
    gone.answer(410);
    Receiver fine = receiver();
    String goneId = events.createEndpoint(gone.url()).getString("id");
    String fineId = events.createEndpoint(fine.url(), EventTypes.ENTRY_POSTED).getString("id");
    Event event = EventsFixture.entry("erin", "USD", 1);
    events.append(event);

    Poll.until(
        EventsFixture.PATIENCE,
        "the endpoint disabled",
        () -> events.endpoint(goneId).getString("status").equals("disabled"));
    assertThat(events.endpoint(goneId).getString("disabled_reason")).contains("410");
    assertThat(deliveryStatus(goneId, event.id())).isEqualTo("failed");
    assertThat(gone.of(event.id())).hasSize(1);
    Poll.until(
        EventsFixture.PATIENCE, "endpoint.disabled in the feed", () -> !disabledEvents().isEmpty());
    assertThat(disabledEvents())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getJsonObject("data").getJsonObject("object").getString("id"))
                    .isEqualTo(goneId));
    // The other endpoint is unaffected.
    Poll.until(
        EventsFixture.PATIENCE,
        "the other endpoint's delivery",
        () -> fine.of(event.id()).size() == 1);
    assertThat(events.endpoint(fineId).getString("status")).isEqualTo("enabled");
    // No retry, however much time passes.
    events.clock.advance(Duration.ofDays(2));
    Thread.sleep(300);
    assertThat(gone.count()).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "an endpoint slower than webhooks.timeout_ms fails the attempt, recorded with an error, and"
          + " the event is tried again later")
  void slowEndpointTimesOut() throws Exception {
    events = EventsFixture.start(new JsonObject().put("timeout_ms", 1_000));
    Receiver receiver = receiver();
    receiver.answer(d -> new Receiver.Answer(200, 4_000));
    String endpoint = events.createEndpoint(receiver.url()).getString("id");
    Event event = EventsFixture.entry("frank", "USD", 1);
    events.append(event);

    awaitCount("the first attempt", "SELECT count(*) FROM webhook_attempts", 1);
    JsonObject first = events.attempts(endpoint).get(0);
    assertThat(first.getInteger("status_code")).as("%s", first).isNull();
    assertThat(first.getString("error")).as("%s", first).containsIgnoringCase("time");
    assertThat(first.getInteger("latency_ms")).as("%s", first).isBetween(900, 3_900);
    assertThat(deliveryStatus(endpoint, event.id())).isEqualTo("pending");

    receiver.answer(200);
    events.clock.advance(Duration.ofSeconds(6));
    Poll.until(
        EventsFixture.PATIENCE,
        "the retry delivered",
        () -> "succeeded".equals(deliveryStatus(endpoint, event.id())));
    List<JsonObject> history = events.attempts(endpoint);
    assertThat(history).extracting(a -> a.getInteger("status_code")).containsExactly(200, null);
    assertThat(receiver.of(event.id())).hasSize(2);
    assertThat(receiver.of(event.id()).get(1).body())
        .isEqualTo(receiver.of(event.id()).get(0).body());
  }

  @Test
  @DisplayName(
      "an endpoint disabled a second time, at the same instant of the clock, records a second"
          + " endpoint.disabled")
  void disabledTwice() throws Exception {
    events = EventsFixture.start(new JsonObject());
    Receiver gone = receiver();
    gone.answer(410);
    String endpoint = events.createEndpoint(gone.url()).getString("id");
    Event event = EventsFixture.entry("nina", "USD", 1);
    events.append(event);
    Poll.until(
        EventsFixture.PATIENCE,
        "the endpoint disabled",
        () -> events.endpoint(endpoint).getString("status").equals("disabled"));

    events.request(
        EventsAddresses.ENDPOINT_UPDATE,
        new JsonObject().put("id", endpoint).put("status", "enabled"));
    events.request(
        EventsAddresses.EVENT_REDELIVER,
        new JsonObject().put("id", event.id()).put("endpoint_id", endpoint));
    Poll.until(
        EventsFixture.PATIENCE,
        "the endpoint disabled again",
        () ->
            gone.of(event.id()).size() == 2
                && events.endpoint(endpoint).getString("status").equals("disabled"));
    Poll.until(
        EventsFixture.PATIENCE,
        "two endpoint.disabled events in the feed",
        () -> disabledEvents().size() >= 2);
    assertThat(disabledEvents())
        .hasSize(2)
        .extracting(e -> e.getJsonObject("data").getJsonObject("object").getString("id"))
        .containsOnly(endpoint);
  }

  @Test
  @DisplayName(
      "deleting an endpoint while its deliveries are under way does not lose the outcomes of"
          + " another endpoint's deliveries (which would be sent again when their lease ran out)")
  void endpointDeletedInFlight() throws Exception {
    events = EventsFixture.start(new JsonObject());
    Receiver deleted = receiver();
    Receiver kept = receiver();
    deleted.answer(d -> new Receiver.Answer(200, 400));
    kept.answer(d -> new Receiver.Answer(200, 400));
    String deletedId = events.createEndpoint(deleted.url()).getString("id");
    String keptId = events.createEndpoint(kept.url()).getString("id");
    List<Event> appended = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      appended.add(EventsFixture.entry("olga", "USD", i));
    }
    events.append(appended);

    Poll.until(
        EventsFixture.PATIENCE,
        "requests under way at both endpoints",
        () -> deleted.count() >= 6 && kept.count() >= 1);
    events.request(EventsAddresses.ENDPOINT_DELETE, new JsonObject().put("id", deletedId));

    // Well within the lease (the 5 s timeout and 30 s), every outcome at the kept endpoint is
    // written.
    Poll.until(
        Duration.ofSeconds(15),
        "the kept endpoint's deliveries recorded as succeeded",
        () ->
            count(
                    "SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'"
                        + " AND endpoint_id = '"
                        + keptId
                        + "'")
                == appended.size());
    assertThat(events.attempts(keptId)).hasSize(appended.size());
    assertThat(kept.deliveries())
        .extracting(Receiver.Delivery::id)
        .containsExactlyInAnyOrderElementsOf(appended.stream().map(Event::id).toList());
    assertThat(
            count("SELECT count(*) FROM webhook_attempts WHERE endpoint_id = '" + deletedId + "'"))
        .isZero();
  }
}
