package dev.kopek.http;

import static dev.kopek.http.WebhookEndpointsApiTest.ENDPOINTS;
import static dev.kopek.http.WebhookEndpointsApiTest.assertProblem;
import static dev.kopek.http.WebhookEndpointsApiTest.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import dev.kopek.testkit.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deliveries seen through the admin API, with a receiver on loopback ({@code
 * webhooks.allow_private_targets} on, as a test or a receiver on the same host needs): what each
 * attempt got, redelivery to every endpoint or one, and the private targets the setting allows.
 */
@DisplayName("Webhook deliveries and redelivery")
@Timeout(120)
class WebhookDeliveriesApiTest {

  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(15);

  private static ApiFixture api;
  private static String admin;
  private static HttpServer receiver;
  private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();

  /** A request the receiver got: its webhook headers and body. */
  private record Received(String id, String timestamp, String signature, String body) {
    Map<String, List<String>> headers() {
      return Map.of(
          "webhook-id", List.of(id),
          "webhook-timestamp", List.of(timestamp),
          "webhook-signature", List.of(signature));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    api =
        ApiFixture.start(
            config -> config.put("webhooks", new JsonObject().put("allow_private_targets", true)));
    admin = api.tokens.admin("root");
    // Answers 200 "ok", or the status a path ends with (/503 answers 503 "busy").
    receiver =
        api.vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              RECEIVED.add(
                                  new Received(
                                      request.getHeader("webhook-id"),
                                      request.getHeader("webhook-timestamp"),
                                      request.getHeader("webhook-signature"),
                                      body.toString()));
                              boolean busy = request.path().endsWith("/503");
                              request
                                  .response()
                                  .setStatusCode(busy ? 503 : 200)
                                  .end(busy ? "busy" : "ok");
                            }))
            .listen(0, "127.0.0.1")
            .await(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static String receiverUrl(String path) {
    return "http://127.0.0.1:" + receiver.actualPort() + path;
  }

  private static JsonObject create(JsonObject body) throws Exception {
    HttpResponse<Buffer> created = api.post(ENDPOINTS, admin, null, body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private static Event event(String type, String fact, String user) {
    return new Event(
        Event.id(type, fact),
        type,
        user,
        "USD",
        3L,
        Instant.parse("2026-12-06T10:00:00Z"),
        new JsonObject().put("id", fact).put("user_id", user));
  }

  private static List<Received> received(String eventId, int atLeast) throws Exception {
    return Poll.value(
        DELIVERY_WAIT,
        () -> RECEIVED.stream().filter(r -> eventId.equals(r.id())).toList(),
        list -> list.size() >= atLeast);
  }

  private static JsonObject deliveries(String endpointId, String query, int atLeast)
      throws Exception {
    return Poll.value(
        DELIVERY_WAIT,
        () -> {
          HttpResponse<Buffer> page =
              api.get(ENDPOINTS + "/" + endpointId + "/deliveries" + query, admin);
          assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
          return page.bodyAsJsonObject();
        },
        page -> page.getJsonArray("data").size() >= atLeast);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "http://127.0.0.1:9/x",
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://localhost/"
      })
  @DisplayName(
      "with webhooks.allow_private_targets, private, loopback and link-local URLs are taken")
  void privateTargetsAllowed(String url) throws Exception {
    JsonObject created = create(endpoint(url, "endpoint.disabled"));
    assertThat(created.getString("url")).isEqualTo(url);
    assertThat(api.delete(ENDPOINTS + "/" + created.getString("id"), admin, null).statusCode())
        .isEqualTo(200);
  }

  @Test
  @DisplayName(
      "each attempt shows in the endpoint's deliveries; a redelivery sends the same signed event again, to every subscribed endpoint or to one")
  void deliveriesAndRedelivery() throws Exception {
    JsonObject topups = create(endpoint(receiverUrl("/topups"), EventTypes.TOPUP_SUCCEEDED));
    String id = topups.getString("id");
    String secret = topups.getString("secret");
    Event topup = event(EventTypes.TOPUP_SUCCEEDED, "pay_dlv", "dora");
    Event entry = event(EventTypes.ENTRY_POSTED, "77", "dora");
    api.appendEvents(topup, entry);

    // Delivered once, signed with the endpoint's secret; the entry is not a type it takes.
    Received first = received(topup.id(), 1).get(0);
    long sentAt = Long.parseLong(first.timestamp());
    assertThat(sentAt)
        .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.api.Assertions.within(60L));
    new Webhook(secret).verify(first.body(), first.headers());
    HttpResponse<Buffer> shown = api.get("/v1/admin/events/" + topup.id(), admin);
    assertThat(new JsonObject(first.body())).isEqualTo(shown.bodyAsJsonObject());

    JsonObject page = deliveries(id, "", 1);
    assertThat(page.getJsonArray("data")).hasSize(1);
    JsonObject attempt = page.getJsonArray("data").getJsonObject(0);
    assertThat(attempt.getString("event_id")).isEqualTo(topup.id());
    assertThat(attempt.getInteger("attempt")).isEqualTo(1);
    assertThat(attempt.getInteger("status_code")).isEqualTo(200);
    assertThat(attempt.getValue("error")).isNull();
    assertThat(attempt.getString("response_body")).isEqualTo("ok");
    assertThat(attempt.getInteger("latency_ms")).isNotNegative();
    // Attempts are dated on the events' clock: here billing's test clock, which stands still
    // unless moved, while the signature's timestamp is the real time of the attempt.
    Instant eventsNow =
        Instant.parse(api.get("/v1/admin/clock", admin).bodyAsJsonObject().getString("now"));
    assertThat(Instant.parse(attempt.getString("attempted_at")))
        .isBetween(eventsNow.minusSeconds(60), eventsNow.plusSeconds(1));
    assertThat(page.getBoolean("has_more")).isFalse();
    assertThat(page.getValue("next_before")).isNull();

    // Redelivered to the endpoints that take its type: a fresh first attempt, the same event.
    HttpResponse<Buffer> again =
        api.post("/v1/admin/events/" + topup.id() + "/redeliver", admin, null, null);
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(202);
    assertThat(again.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject().put("event_id", topup.id()).put("endpoints", new JsonArray().add(id)));
    Received second = received(topup.id(), 2).get(1);
    assertThat(second.body()).isEqualTo(first.body());
    new Webhook(secret).verify(second.body(), second.headers());

    // The entry: no endpoint takes its type, but one named gets it all the same.
    HttpResponse<Buffer> nobody =
        api.post("/v1/admin/events/" + entry.id() + "/redeliver", admin, null, null);
    assertThat(nobody.statusCode()).isEqualTo(202);
    assertThat(nobody.bodyAsJsonObject().getJsonArray("endpoints")).isEmpty();
    HttpResponse<Buffer> named =
        api.post(
            "/v1/admin/events/" + entry.id() + "/redeliver",
            admin,
            null,
            new JsonObject().put("endpoint_id", id));
    assertThat(named.statusCode()).as(named.bodyAsString()).isEqualTo(202);
    assertThat(named.bodyAsJsonObject().getJsonArray("endpoints")).containsExactly(id);
    assertThat(received(entry.id(), 1)).hasSize(1);

    // Three attempts now, newest first, in pages; and those of one event.
    JsonObject all = deliveries(id, "", 3);
    assertThat(all.getJsonArray("data").stream().map(a -> ((JsonObject) a).getString("event_id")))
        .containsExactly(entry.id(), topup.id(), topup.id());
    JsonObject newest = deliveries(id, "?limit=2", 2);
    assertThat(newest.getJsonArray("data")).hasSize(2);
    assertThat(newest.getBoolean("has_more")).isTrue();
    long before = newest.getLong("next_before");
    JsonObject oldest = deliveries(id, "?limit=2&before=" + before, 1);
    assertThat(oldest.getJsonArray("data")).hasSize(1);
    assertThat(oldest.getJsonArray("data").getJsonObject(0))
        .isEqualTo(all.getJsonArray("data").getJsonObject(2));
    assertThat(oldest.getBoolean("has_more")).isFalse();
    JsonObject ofTopup = deliveries(id, "?event_id=" + topup.id(), 2);
    assertThat(ofTopup.getJsonArray("data")).hasSize(2);
    assertThat(
            ofTopup.getJsonArray("data").stream().map(a -> ((JsonObject) a).getInteger("attempt")))
        .containsExactly(1, 1);

    // A disabled endpoint gets no redelivery: 404 naming it.
    assertThat(
            api.patch(ENDPOINTS + "/" + id, admin, null, new JsonObject().put("status", "disabled"))
                .statusCode())
        .isEqualTo(200);
    assertProblem(
        api.post(
            "/v1/admin/events/" + topup.id() + "/redeliver",
            admin,
            null,
            new JsonObject().put("endpoint_id", id)),
        404,
        "not_found",
        null);
    assertProblem(
        api.post(
            "/v1/admin/events/evt_none/redeliver",
            admin,
            null,
            new JsonObject().put("endpoint_id", id)),
        404,
        "not_found",
        null);
  }

  @Test
  @DisplayName("a failed attempt shows the endpoint's status and answer; one that got none, why")
  void failedAttempts() throws Exception {
    String busy = create(endpoint(receiverUrl("/503"), EventTypes.REFUND_FAILED)).getString("id");
    String closed =
        create(endpoint("http://127.0.0.1:9/nobody", EventTypes.REFUND_FAILED)).getString("id");
    Event refund = event(EventTypes.REFUND_FAILED, "re_dlv", "erin");
    api.appendEvents(refund);

    JsonObject answered = deliveries(busy, "", 1).getJsonArray("data").getJsonObject(0);
    assertThat(answered.getString("event_id")).isEqualTo(refund.id());
    assertThat(answered.getInteger("status_code")).isEqualTo(503);
    assertThat(answered.getString("response_body")).isEqualTo("busy");
    assertThat(answered.getValue("error")).isNull();

    JsonObject refused = deliveries(closed, "", 1).getJsonArray("data").getJsonObject(0);
    assertThat(refused.getString("event_id")).isEqualTo(refund.id());
    assertThat(refused.getValue("status_code")).isNull();
    assertThat(refused.getString("error")).isNotBlank();
    assertThat(refused.getValue("response_body")).isNull();
  }

  @Test
  @DisplayName(
      "after rotate_secret, deliveries carry a signature by each secret, each verifying on its own")
  void rotatedSecretSignsWithBoth() throws Exception {
    JsonObject created = create(endpoint(receiverUrl("/rotating"), EventTypes.WALLET_DEPLETED));
    String id = created.getString("id");
    String oldSecret = created.getString("secret");
    HttpResponse<Buffer> rotated =
        api.post(ENDPOINTS + "/" + id + "/rotate_secret", admin, null, null);
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    String newSecret = rotated.bodyAsJsonObject().getString("secret");
    Event depleted = event(EventTypes.WALLET_DEPLETED, "rot_1", "ivan");
    api.appendEvents(depleted);

    Received delivery = received(depleted.id(), 1).get(0);
    String[] signatures = delivery.signature().split(" ");
    assertThat(signatures).hasSize(2).allMatch(signature -> signature.startsWith("v1,"));
    for (String secret : new String[] {newSecret, oldSecret}) {
      new Webhook(secret).verify(delivery.body(), delivery.headers());
    }
    // Each signature on its own: the new secret's first.
    for (int i = 0; i < 2; i++) {
      Received alone =
          new Received(delivery.id(), delivery.timestamp(), signatures[i], delivery.body());
      new Webhook(i == 0 ? newSecret : oldSecret).verify(alone.body(), alone.headers());
    }
  }
}
