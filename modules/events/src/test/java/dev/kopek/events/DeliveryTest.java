package dev.kopek.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import dev.kopek.model.events.EventsAddresses;
import dev.kopek.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a merchant's endpoint receives: signed Standard Webhooks carrying the event envelope. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@DisplayName("Webhook deliveries")
class DeliveryTest {

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

  /** The envelope an event must arrive in, from what its writer appended. */
  static JsonObject expectedEnvelope(Event event) {
    JsonObject envelope =
        new JsonObject()
            .put("id", event.id())
            .put("object", "event")
            .put("type", event.type())
            .put("created_at", event.createdAt().toString());
    if (event.userId() != null) {
      envelope.put(
          "wallet",
          new JsonObject()
              .put("user_id", event.userId())
              .put("currency", event.currency())
              .put("sequence", event.walletSequence()));
    }
    return envelope.put("data", new JsonObject().put("object", event.object()));
  }

  private void awaitIds(int distinct) throws InterruptedException {
    Poll.until(
        EventsFixture.PATIENCE,
        distinct + " distinct events delivered",
        () ->
            receiver.deliveries().stream().map(Receiver.Delivery::id).distinct().count()
                >= distinct);
  }

  @Test
  @DisplayName(
      "every delivery verifies with the Standard Webhooks library and a plain HMAC, and carries"
          + " the envelope under its id; a redelivery carries the same bytes")
  void signedEnvelopes() throws Exception {
    JsonObject endpoint = events.createEndpoint(receiver.url());
    String secret = endpoint.getString("secret");
    assertThat(secret).startsWith("whsec_");
    assertThat(java.util.Base64.getDecoder().decode(secret.substring(6))).hasSize(32);

    Event noWallet =
        new Event(
            Event.id(EventTypes.SUBSCRIPTION_CREATED, "sub_1"),
            EventTypes.SUBSCRIPTION_CREATED,
            null,
            null,
            null,
            Instant.parse("2026-03-02T09:00:00.000001Z"),
            new JsonObject().put("id", "sub_1").put("plan", "pro \u00fc\u00f1\u00ee"));
    List<Event> appended =
        List.of(
            EventsFixture.entry("alice", "USD", 1),
            EventsFixture.entry("alice", "USD", 2),
            EventsFixture.topup("bob", "EUR", 7),
            noWallet);
    events.append(appended.subList(0, 2));
    events.append(appended.subList(2, 4));
    awaitIds(appended.size());

    Map<String, Event> byId = new LinkedHashMap<>();
    appended.forEach(e -> byId.put(e.id(), e));
    List<Receiver.Delivery> received = receiver.deliveries();
    assertThat(received).hasSize(appended.size());
    long nowS = Instant.now().getEpochSecond();
    for (Receiver.Delivery delivery : received) {
      assertThat(Signatures.libraryAccepts(secret, delivery))
          .as("library, %s", delivery.id())
          .isTrue();
      assertThat(Signatures.hmacMatches(secret, delivery))
          .as("HMAC, %s", delivery.id())
          .isEqualTo(1);
      assertThat(Signatures.v1(delivery)).hasSize(1);
      Event event = byId.get(delivery.id());
      assertThat(event).as("webhook-id %s is an appended event", delivery.id()).isNotNull();
      assertThat(delivery.header("content-type")).startsWith("application/json");
      assertThat(Long.parseLong(delivery.header("webhook-timestamp")))
          .as("webhook-timestamp is the sending time, in seconds")
          .isBetween(nowS - 120, nowS + 5);
      assertThat(delivery.json().getString("id")).isEqualTo(delivery.id());
      assertThat(delivery.json()).isEqualTo(expectedEnvelope(event));
      assertThat(delivery.text())
          .startsWith("{\"id\":" + io.vertx.core.json.Json.encode(event.id()));
      // The feed shows the event in the very envelope the endpoint received.
      assertThat(events.request(EventsAddresses.EVENT_GET, new JsonObject().put("id", event.id())))
          .isEqualTo(delivery.json());
    }
    assertThat(
            received.stream()
                .filter(d -> d.id().equals(noWallet.id()))
                .findFirst()
                .orElseThrow()
                .json()
                .containsKey("wallet"))
        .as("an event of no wallet has no wallet")
        .isFalse();

    // The checks can fail: a byte changed, or another secret, is refused by both.
    Receiver.Delivery first = received.get(0);
    byte[] tampered = first.body().clone();
    tampered[tampered.length - 2] = (byte) ' ';
    Receiver.Delivery forged =
        new Receiver.Delivery(first.headers(), tampered, first.arrivedNanos());
    assertThat(Signatures.libraryAccepts(secret, forged)).isFalse();
    assertThat(Signatures.hmacMatches(secret, forged)).isZero();
    String other =
        events
            .createEndpoint("http://127.0.0.1:9/other", EventTypes.WALLET_DEPLETED)
            .getString("secret");
    assertThat(Signatures.libraryAccepts(other, first)).isFalse();
    assertThat(Signatures.hmacMatches(other, first)).isZero();

    // Redelivered: the same id and the same bytes, signed anew.
    String again = appended.get(1).id();
    byte[] before = receiver.of(again).get(0).body();
    JsonObject redelivered =
        events.request(EventsAddresses.EVENT_REDELIVER, new JsonObject().put("id", again));
    assertThat(redelivered.getJsonArray("endpoints")).contains(endpoint.getString("id"));
    Poll.until(EventsFixture.PATIENCE, "the redelivery", () -> receiver.of(again).size() >= 2);
    Receiver.Delivery second = receiver.of(again).get(1);
    assertThat(second.body()).isEqualTo(before);
    assertThat(new String(second.body(), StandardCharsets.UTF_8)).contains("\u00e9 \u2615");
    assertThat(Signatures.libraryAccepts(secret, second)).isTrue();
    assertThat(Signatures.hmacMatches(secret, second)).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "after a secret is rotated, deliveries carry the new and the old signature for 24 hours of"
          + " the clock, then only the new one")
  void rotatedSecret() throws Exception {
    JsonObject endpoint = events.createEndpoint(receiver.url());
    String id = endpoint.getString("id");
    String oldSecret = endpoint.getString("secret");

    events.append(EventsFixture.entry("carol", "USD", 1));
    awaitIds(1);
    Receiver.Delivery beforeRotation = receiver.deliveries().get(0);
    assertThat(Signatures.v1(beforeRotation)).hasSize(1);
    assertThat(Signatures.libraryAccepts(oldSecret, beforeRotation)).isTrue();

    JsonObject rotated =
        events.request(EventsAddresses.ENDPOINT_ROTATE_SECRET, new JsonObject().put("id", id));
    String newSecret = rotated.getString("secret");
    assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
    assertThat(rotated.getString("previous_secret_expires_at"))
        .isEqualTo(events.clock.instant().plus(Duration.ofHours(24)).toString());

    events.append(EventsFixture.entry("carol", "USD", 2));
    awaitIds(2);
    events.clock.advance(Duration.ofHours(23).plusMinutes(59));
    events.append(EventsFixture.entry("carol", "USD", 3));
    awaitIds(3);
    for (Receiver.Delivery delivery : receiver.deliveries().subList(1, 3)) {
      assertThat(Signatures.v1(delivery)).as("two signatures while rotating").hasSize(2);
      assertThat(Signatures.libraryAccepts(newSecret, delivery)).isTrue();
      assertThat(Signatures.libraryAccepts(oldSecret, delivery)).isTrue();
      assertThat(Signatures.hmacMatches(newSecret, delivery)).isEqualTo(1);
      assertThat(Signatures.hmacMatches(oldSecret, delivery)).isEqualTo(1);
    }

    events.clock.advance(Duration.ofMinutes(2));
    events.append(EventsFixture.entry("carol", "USD", 4));
    awaitIds(4);
    Receiver.Delivery after = receiver.deliveries().get(3);
    assertThat(Signatures.v1(after)).as("only the new signature after 24 h").hasSize(1);
    assertThat(Signatures.libraryAccepts(newSecret, after)).isTrue();
    assertThat(Signatures.hmacMatches(newSecret, after)).isEqualTo(1);
    assertThat(Signatures.libraryAccepts(oldSecret, after)).isFalse();
    assertThat(Signatures.hmacMatches(oldSecret, after)).isZero();
  }

  @Test
  @DisplayName(
      "every event appended after a rotation committed is signed with both secrets, even while"
          + " deliveries claimed before it are still under way")
  void rotationWhileDelivering() throws Exception {
    JsonObject endpoint = events.createEndpoint(receiver.url());
    String id = endpoint.getString("id");
    String oldSecret = endpoint.getString("secret");
    receiver.answer(delivery -> new Receiver.Answer(200, 5));
    List<Event> before = new java.util.ArrayList<>();
    List<Event> after = new java.util.ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      before.add(EventsFixture.entry("dave", "USD", i));
      after.add(EventsFixture.entry("dave", "USD", 30 + i));
    }
    events.append(before);
    Poll.until(EventsFixture.PATIENCE, "a first delivery", () -> receiver.count() > 0);
    String newSecret =
        events
            .request(EventsAddresses.ENDPOINT_ROTATE_SECRET, new JsonObject().put("id", id))
            .getString("secret");
    for (Event event : after) {
      events.append(event);
    }
    awaitIds(60);
    for (Event event : after) {
      for (Receiver.Delivery delivery : receiver.of(event.id())) {
        assertThat(Signatures.v1(delivery)).as("two signatures on " + event.id()).hasSize(2);
        assertThat(Signatures.hmacMatches(newSecret, delivery)).isEqualTo(1);
        assertThat(Signatures.hmacMatches(oldSecret, delivery)).isEqualTo(1);
      }
    }
  }
}
