package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import dev.kopek.testkit.Poll;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The event feed and single events over HTTP. The events are recorded as their writers record them
 * ({@link dev.kopek.events.EventLog}, each batch in a transaction of its own), in this order: two
 * in one transaction, then one per transaction.
 */
@DisplayName("The event feed")
@Timeout(120)
class EventsFeedApiTest {

  private static final String FEED = "/v1/admin/events";
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00.125Z");

  private static ApiFixture api;
  private static String admin;
  private static final List<Event> EVENTS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    admin = api.tokens.admin("root");
    Event credit = entry(41, "alice", "USD", 2000, 2000, "topup", 1);
    Event topup =
        new Event(
            Event.id(EventTypes.TOPUP_SUCCEEDED, "pay_1"),
            EventTypes.TOPUP_SUCCEEDED,
            "alice",
            "USD",
            1L,
            T0,
            new JsonObject()
                .put("id", "pay_1")
                .put("status", "succeeded")
                .put("amount_minor", 2000));
    api.appendEvents(credit, topup);
    Event bobCredit = entry(42, "bob", "EUR", 500, 500, "adjustment", 1);
    api.appendEvents(bobCredit);
    Event low =
        new Event(
            Event.id(EventTypes.WALLET_BALANCE_LOW, "alice_USD_43"),
            EventTypes.WALLET_BALANCE_LOW,
            "alice",
            "USD",
            2L,
            T0.plusSeconds(60),
            new JsonObject().put("balance_minor", 400).put("threshold_minor", 500));
    api.appendEvents(low);
    Event charged =
        new Event(
            Event.id(EventTypes.SUBSCRIPTION_CHARGED, "sub_1_1_1"),
            EventTypes.SUBSCRIPTION_CHARGED,
            "bob",
            "EUR",
            2L,
            T0.plusSeconds(3600),
            new JsonObject().put("id", "sub_1").put("amount_minor", 120));
    api.appendEvents(charged);
    Event disabled =
        new Event(
            Event.id(EventTypes.ENDPOINT_DISABLED, "we_1_1"),
            EventTypes.ENDPOINT_DISABLED,
            null,
            null,
            null,
            T0.plusSeconds(7200),
            new JsonObject().put("id", "we_1").put("object", "webhook_endpoint"));
    api.appendEvents(disabled);
    EVENTS.addAll(List.of(credit, topup, bobCredit, low, charged, disabled));
    // The feed shows an event once every transaction older than its own has ended.
    JsonObject all =
        Poll.value(
            Duration.ofSeconds(10),
            () -> api.get(FEED, admin).bodyAsJsonObject(),
            page -> page.getJsonArray("data").size() == EVENTS.size());
    assertThat(all.getJsonArray("data")).hasSize(EVENTS.size());
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static Event entry(
      long id, String user, String currency, long amount, long after, String kind, long sequence) {
    JsonObject entry =
        new JsonObject()
            .put("id", id)
            .put("user_id", user)
            .put("currency", currency)
            .put("amount_minor", amount)
            .put("balance_after_minor", after)
            .put("kind", kind)
            .put("reason", "test " + kind)
            .put("reference", null)
            .put("counter_account", "adjustments:" + currency)
            .put("created_at", T0.toString());
    return new Event(
        Event.id(EventTypes.ENTRY_POSTED, String.valueOf(id)),
        EventTypes.ENTRY_POSTED,
        user,
        currency,
        sequence,
        T0,
        entry);
  }

  /** The envelope an event is delivered and shown as. */
  private static JsonObject envelope(Event event) {
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

  private static JsonObject page(String query) throws Exception {
    HttpResponse<Buffer> response = api.get(FEED + query, admin);
    assertThat(response.statusCode()).as(query + " -> " + response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    page.getJsonArray("data").forEach(e -> ids.add(((JsonObject) e).getString("id")));
    return ids;
  }

  private static List<String> ids(int... indexes) {
    List<String> ids = new ArrayList<>();
    for (int i : indexes) {
      ids.add(EVENTS.get(i).id());
    }
    return ids;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName(
      "pages run oldest first in commit order, each next_cursor leading on, the last one kept when nothing is new")
  void pagesInOrder() throws Exception {
    JsonObject first = page("?limit=2");
    assertThat(ids(first)).isEqualTo(ids(0, 1));
    assertThat(first.getBoolean("has_more")).isTrue();
    String cursor = first.getString("next_cursor");
    assertThat(cursor).matches("[0-9]+\\.[0-9]+");
    JsonObject second = page("?limit=2&after=" + cursor);
    assertThat(ids(second)).isEqualTo(ids(2, 3));
    assertThat(second.getBoolean("has_more")).isTrue();
    JsonObject third = page("?limit=2&after=" + second.getString("next_cursor"));
    assertThat(ids(third)).isEqualTo(ids(4, 5));
    assertThat(third.getBoolean("has_more")).isFalse();
    String last = third.getString("next_cursor");
    JsonObject caughtUp = page("?after=" + last);
    assertThat(caughtUp.getJsonArray("data")).isEmpty();
    assertThat(caughtUp.getBoolean("has_more")).isFalse();
    assertThat(caughtUp.getString("next_cursor")).isEqualTo(last);

    // Every envelope as recorded: a wallet's events carry its sequence, others no wallet.
    JsonObject all = page("?after=0.0");
    assertThat(ids(all)).isEqualTo(ids(0, 1, 2, 3, 4, 5));
    assertThat(all.getBoolean("has_more")).isFalse();
    assertThat(all.getString("next_cursor")).isEqualTo(last);
    for (int i = 0; i < EVENTS.size(); i++) {
      assertThat(all.getJsonArray("data").getJsonObject(i)).isEqualTo(envelope(EVENTS.get(i)));
    }
    assertThat(all.getJsonArray("data").getJsonObject(5).containsKey("wallet")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "?type=topup.succeeded | 1",
        "?type=entry.posted&type=wallet.balance_low | 0 2 3",
        "?type=entry.posted,wallet.balance_low | 0 2 3",
        "?type=entry.posted,topup.succeeded&type=endpoint.disabled | 0 1 2 5",
        "?type=entry.posted&type=entry.posted,entry.posted | 0 2",
        "?user_id=bob | 2 4",
        "?user_id=alice&type=entry.posted | 0",
        "?user_id=carol | ''",
        "?user_id=-1.5 | ''",
        "?type=refund.failed | ''"
      })
  @DisplayName("type (repeated or comma-separated) and user_id filter the feed")
  void filters(String query, String expected) throws Exception {
    List<String> want = new ArrayList<>();
    if (!expected.isBlank()) {
      for (String index : expected.trim().split(" ")) {
        want.add(EVENTS.get(Integer.parseInt(index)).id());
      }
    }
    assertThat(ids(page(query))).isEqualTo(want);
  }

  @Test
  @DisplayName("a filtered feed pages with its cursor like the whole one")
  void filteredPaging() throws Exception {
    JsonObject first = page("?type=entry.posted&limit=1");
    assertThat(ids(first)).isEqualTo(ids(0));
    assertThat(first.getBoolean("has_more")).isTrue();
    JsonObject second = page("?type=entry.posted&limit=1&after=" + first.getString("next_cursor"));
    assertThat(ids(second)).isEqualTo(ids(2));
    JsonObject third = page("?type=entry.posted&limit=1&after=" + second.getString("next_cursor"));
    assertThat(third.getJsonArray("data")).isEmpty();
    assertThat(third.getBoolean("has_more")).isFalse();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "?after=abc | after",
        "?after=12 | after",
        "?after=1.2.3 | after",
        "?after=-1.5 | after",
        "?after=99999999999999999999.1 | after",
        "?after=1.9999999999999999999 | after",
        "?type=payment.succeeded | type",
        "?type=entry.posted,nothing.happened | type",
        "?type=ENTRY.POSTED | type",
        "?type= | type",
        "?type=entry.posted, | type",
        "?user_id= | user_id",
        "?limit=0 | limit",
        "?limit=101 | limit",
        "?limit=ten | limit",
        "?cursor=1.1 | cursor",
        "?starting_after=1 | starting_after"
      })
  @DisplayName("a bad cursor, type, user or limit is 400 naming it")
  void badQueries(String query, String field) throws Exception {
    HttpResponse<Buffer> response = api.get(FEED + query, admin);
    WebhookEndpointsApiTest.assertProblem(response, 400, "validation_failed", field);
  }

  @Test
  @DisplayName("one event reads as the feed shows it; an unknown one is 404")
  void getEvent() throws Exception {
    for (Event event : EVENTS) {
      HttpResponse<Buffer> response = api.get(FEED + "/" + encode(event.id()), admin);
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject()).isEqualTo(envelope(event));
    }
    WebhookEndpointsApiTest.assertProblem(
        api.get(FEED + "/evt_entry_posted_999", admin), 404, "not_found", null);
    WebhookEndpointsApiTest.assertProblem(
        api.get(FEED + "/" + "e".repeat(401), admin), 400, "validation_failed", "id");
  }

  @Test
  @DisplayName(
      "redelivering an unknown event is 404; a known one without endpoints is 202 with none")
  void redeliverWithoutEndpoints() throws Exception {
    WebhookEndpointsApiTest.assertProblem(
        api.post(FEED + "/evt_entry_posted_999/redeliver", admin, null, null),
        404,
        "not_found",
        null);
    HttpResponse<Buffer> queued =
        api.post(FEED + "/" + EVENTS.get(0).id() + "/redeliver", admin, null, null);
    assertThat(queued.statusCode()).as(queued.bodyAsString()).isEqualTo(202);
    assertThat(queued.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject().put("event_id", EVENTS.get(0).id()).put("endpoints", new JsonArray()));
    WebhookEndpointsApiTest.assertProblem(
        api.post(
            FEED + "/" + EVENTS.get(0).id() + "/redeliver",
            admin,
            null,
            new JsonObject().put("endpoint_id", "we_nothing")),
        404,
        "not_found",
        null);
    WebhookEndpointsApiTest.assertProblem(
        api.post(
            FEED + "/" + EVENTS.get(0).id() + "/redeliver",
            admin,
            null,
            new JsonObject().put("endpoint", "we_nothing")),
        400,
        "validation_failed",
        "endpoint");
  }
}
