package dev.kopek.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.payments.PaymentsAddresses;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.ScriptedProvider;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Top-ups through a provider plugged in by ServiceLoader")
@Timeout(60)
class TopupFlowTest {

  private PaymentsFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new PaymentsFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private JsonObject createTopup(String user, String key, long amount) throws Exception {
    return fixture.request(
        PaymentsAddresses.TOPUP_CREATE,
        new JsonObject()
            .put("user_id", user)
            .put("idempotency_key", key)
            .put("amount_minor", amount)
            .put("currency", "USD"));
  }

  private static ErrorCode code(Throwable error) {
    return Failure.from(error).code();
  }

  @Test
  @DisplayName("a top-up starts pending with an unguessable checkout URL; a repeat replays it")
  void createIsIdempotent() throws Exception {
    JsonObject first = createTopup("alice", "t1", 2000);
    assertThat(first.getString("status")).isEqualTo("pending");
    assertThat(first.getString("gateway")).isEqualTo("scripted");
    assertThat(first.getString("id")).startsWith("pay_");
    assertThat(first.getString("checkout_url"))
        .matches("http://127\\.0\\.0\\.1:9/checkout/[A-Za-z0-9_-]{43}");
    assertThat(first.getBoolean("replayed")).isFalse();

    JsonObject again = createTopup("alice", "t1", 2000);
    assertThat(again.getString("id")).isEqualTo(first.getString("id"));
    assertThat(again.getString("checkout_url")).isEqualTo(first.getString("checkout_url"));
    assertThat(again.getBoolean("replayed")).isTrue();
    assertThatThrownBy(() -> createTopup("alice", "t1", 2001))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT));
    assertThat(ScriptedProvider.STARTS.get(first.getString("id")).get()).isEqualTo(1);
    assertThatThrownBy(
            () ->
                fixture.request(
                    PaymentsAddresses.TOPUP_GET,
                    new JsonObject().put("user_id", "bob").put("id", first.getString("id"))))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  @DisplayName("the same webhook delivered five times at once credits exactly once")
  void duplicateWebhooksCreditOnce() throws Exception {
    JsonObject topup = createTopup("alice", "t1", 2000);
    Map.Entry<String, String> webhook =
        ScriptedProvider.webhook(
            PaymentsFixture.SECRET, "evt_1", topup.getString("id"), "succeeded", 2000, "USD");
    List<Future<JsonObject>> deliveries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      deliveries.add(
          fixture.send(
              PaymentsAddresses.WEBHOOK_RECEIVE,
              PaymentsFixture.webhookRequest(webhook.getKey(), webhook.getValue())));
    }
    Future.all(deliveries).await(30, TimeUnit.SECONDS);
    for (int i = 0; i < 5; i++) {
      fixture.request(
          PaymentsAddresses.WEBHOOK_RECEIVE,
          PaymentsFixture.webhookRequest(webhook.getKey(), webhook.getValue()));
    }
    assertThat(fixture.balance("alice")).isEqualTo(2000);
    assertThat(fixture.entries("topup")).isEqualTo(1);
    JsonObject after =
        fixture.request(
            PaymentsAddresses.TOPUP_GET,
            new JsonObject().put("user_id", "alice").put("id", topup.getString("id")));
    assertThat(after.getString("status")).isEqualTo("succeeded");
    assertThat(after.getLong("ledger_entry_id")).isPositive();
    assertThat(TestDatabase.queryLong(fixture.database, "SELECT count(*) FROM payment_events"))
        .isEqualTo(1);
    // One topup.succeeded event, with the top-up as the API shows it.
    assertThat(
            TestDatabase.queryString(
                fixture.database,
                "SELECT string_agg(id, ',') FROM events WHERE type LIKE 'topup.%'"))
        .isEqualTo("evt_topup_succeeded_" + topup.getString("id"));
    assertThat(
            new JsonObject(
                    TestDatabase.queryString(
                        fixture.database,
                        "SELECT object FROM events WHERE type = 'topup.succeeded'"))
                .getString("status"))
        .isEqualTo("succeeded");
  }

  @Test
  @DisplayName("a webhook with a bad signature or a tampered body is refused and credits nothing")
  void invalidWebhooksAreRefused() throws Exception {
    JsonObject topup = createTopup("alice", "t1", 2000);
    Map.Entry<String, String> webhook =
        ScriptedProvider.webhook(
            PaymentsFixture.SECRET, "evt_1", topup.getString("id"), "succeeded", 2000, "USD");
    String tampered = webhook.getKey().replace("2000", "9000");
    for (JsonObject bad :
        List.of(
            PaymentsFixture.webhookRequest(
                webhook.getKey(), "00" + webhook.getValue().substring(2)),
            PaymentsFixture.webhookRequest(tampered, webhook.getValue()),
            PaymentsFixture.webhookRequest(
                webhook.getKey(), ScriptedProvider.sign("another-secret", webhook.getKey())))) {
      assertThatThrownBy(() -> fixture.request(PaymentsAddresses.WEBHOOK_RECEIVE, bad))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.VALIDATION_FAILED));
    }
    assertThat(fixture.balance("alice")).isZero();
    assertThat(TestDatabase.queryLong(fixture.database, "SELECT count(*) FROM payment_events"))
        .isZero();
  }

  @Test
  @DisplayName("a provider reporting another amount flags the payment and credits nothing")
  void amountMismatchIsFlagged() throws Exception {
    JsonObject topup = createTopup("alice", "t1", 2000);
    Map.Entry<String, String> webhook =
        ScriptedProvider.webhook(
            PaymentsFixture.SECRET, "evt_1", topup.getString("id"), "succeeded", 200, "USD");
    fixture.request(
        PaymentsAddresses.WEBHOOK_RECEIVE,
        PaymentsFixture.webhookRequest(webhook.getKey(), webhook.getValue()));
    JsonObject after =
        fixture.request(
            PaymentsAddresses.TOPUP_GET,
            new JsonObject().put("user_id", "alice").put("id", topup.getString("id")));
    assertThat(after.getString("status")).isEqualTo("flagged");
    assertThat(
            TestDatabase.queryString(
                fixture.database,
                "SELECT string_agg(type, ',') FROM events WHERE type LIKE 'topup.%'"))
        .isEqualTo("topup.flagged");
    assertThat(fixture.balance("alice")).isZero();
  }

  @Test
  @DisplayName(
      "when the webhook never arrives the janitor credits once; a late webhook changes nothing")
  void janitorResolvesLostWebhooks() throws Exception {
    JsonObject topup = createTopup("alice", "t1", 2000);
    String id = topup.getString("id");
    ScriptedProvider.OUTCOMES.put(id, PaymentOutcome.SUCCEEDED);
    fixture.clock.advance(Duration.ofSeconds(2));
    Poll.until(Duration.ofSeconds(10), "the janitor's credit", () -> fixture.balance("alice") > 0);
    assertThat(fixture.balance("alice")).isEqualTo(2000);
    Map.Entry<String, String> late =
        ScriptedProvider.webhook(PaymentsFixture.SECRET, "evt_late", id, "succeeded", 2000, "USD");
    JsonObject reply =
        fixture.request(
            PaymentsAddresses.WEBHOOK_RECEIVE,
            PaymentsFixture.webhookRequest(late.getKey(), late.getValue()));
    assertThat(reply.getString("result")).isEqualTo("processed");
    fixture.clock.advance(Duration.ofSeconds(5));
    Thread.sleep(300);
    assertThat(fixture.balance("alice")).isEqualTo(2000);
    assertThat(fixture.entries("topup")).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "a provider outage at creation (the provider may have acted) keeps the top-up "
          + "pending, not started; the retry reaches the provider with the same key and starts it")
  void providerOutageAtCreation() throws Exception {
    ScriptedProvider.down = true;
    assertThatThrownBy(() -> createTopup("alice", "t1", 2000))
        .satisfies(
            e -> {
              assertThat(code(e)).isEqualTo(ErrorCode.GATEWAY_ERROR);
              assertThat(Failure.from(e).detail())
                  .contains("kept pending", "retry with the same Idempotency-Key");
            });
    assertThat(
            TestDatabase.queryLong(
                fixture.database,
                "SELECT count(*) FROM payments "
                    + "WHERE status = 'pending' AND NOT checkout_started AND provider_reference IS NULL"))
        .isEqualTo(1);
    ScriptedProvider.down = false;
    JsonObject topup = createTopup("alice", "t1", 2000);
    assertThat(topup.getString("status")).isEqualTo("pending");
    assertThat(topup.getString("gateway_reference")).isEqualTo("ref_" + topup.getString("id"));
    assertThat(ScriptedProvider.STARTS.get(topup.getString("id")).get()).isEqualTo(2);
    assertThat(
            TestDatabase.queryLong(
                fixture.database, "SELECT count(*) FROM payments " + "WHERE checkout_started"))
        .isEqualTo(1);
    assertThat(createTopup("alice", "t1", 2000).getBoolean("replayed")).isTrue();
    assertThat(ScriptedProvider.STARTS.get(topup.getString("id")).get()).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "the checkout form post settles the payment; a declined one fails and credits nothing")
  void checkoutSubmit() throws Exception {
    JsonObject paid = createTopup("alice", "t1", 2000);
    JsonObject declined = createTopup("alice", "t2", 500);
    String paidToken = token(paid);
    JsonObject page =
        fixture.request(PaymentsAddresses.CHECKOUT_GET, new JsonObject().put("token", paidToken));
    assertThat(page.getJsonObject("page").getString("body_html")).contains(paid.getString("id"));

    JsonObject invalid =
        fixture.request(
            PaymentsAddresses.CHECKOUT_SUBMIT,
            new JsonObject().put("token", paidToken).put("form", new JsonObject()));
    assertThat(invalid.getString("status")).isEqualTo("invalid");
    assertThat(invalid.getString("field")).isEqualTo("outcome");
    JsonObject ok =
        fixture.request(
            PaymentsAddresses.CHECKOUT_SUBMIT,
            new JsonObject()
                .put("token", paidToken)
                .put("form", new JsonObject().put("outcome", "succeed")));
    assertThat(ok.getString("status")).isEqualTo("succeeded");
    JsonObject no =
        fixture.request(
            PaymentsAddresses.CHECKOUT_SUBMIT,
            new JsonObject()
                .put("token", token(declined))
                .put("form", new JsonObject().put("outcome", "decline")));
    assertThat(no.getString("status")).isEqualTo("declined");
    assertThat(no.getString("decline_code")).isEqualTo("card_declined");
    assertThat(
            TestDatabase.queryLong(
                fixture.database,
                "SELECT count(*) FROM events WHERE id = 'evt_topup_failed_"
                    + declined.getString("id")
                    + "'"))
        .isEqualTo(1);
    JsonObject again =
        fixture.request(
            PaymentsAddresses.CHECKOUT_SUBMIT,
            new JsonObject()
                .put("token", paidToken)
                .put("form", new JsonObject().put("outcome", "succeed")));
    assertThat(again.getString("status")).isEqualTo("succeeded");
    assertThat(fixture.balance("alice")).isEqualTo(2000);
    assertThat(fixture.entries("topup")).isEqualTo(1);

    fixture.clock.advance(Duration.ofHours(2));
    JsonObject fresh = createTopup("alice", "t3", 100);
    fixture.clock.advance(Duration.ofHours(2));
    assertThatThrownBy(
            () ->
                fixture.request(
                    PaymentsAddresses.CHECKOUT_SUBMIT,
                    new JsonObject()
                        .put("token", token(fresh))
                        .put("form", new JsonObject().put("outcome", "succeed"))))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.CHECKOUT_EXPIRED));
    assertThatThrownBy(
            () ->
                fixture.request(
                    PaymentsAddresses.CHECKOUT_GET, new JsonObject().put("token", "x".repeat(43))))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.NOT_FOUND));
  }

  private static String token(JsonObject topup) {
    String url = topup.getString("checkout_url");
    return url.substring(url.lastIndexOf('/') + 1);
  }

  @Test
  @DisplayName("a refund debits under the guard: money already spent is not refunded")
  void refunds() throws Exception {
    JsonObject topup = createTopup("alice", "t1", 1000);
    String id = topup.getString("id");
    fixture.request(
        PaymentsAddresses.CHECKOUT_SUBMIT,
        new JsonObject()
            .put("token", token(topup))
            .put("form", new JsonObject().put("outcome", "succeed")));
    fixture.request(
        LedgerAddresses.POST,
        new PostingRequest(
                "spend", "alice", "USD", -600, EntryKind.CHARGE, "spent", null, "revenue")
            .toJson());

    assertThatThrownBy(
            () ->
                fixture.request(
                    PaymentsAddresses.REFUND,
                    new JsonObject()
                        .put("id", id)
                        .put("idempotency_key", "r1")
                        .put("admin_id", "ops")))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS));
    assertThat(ScriptedProvider.REFUNDS).isEmpty();

    ScriptedProvider.declineRefunds = true;
    assertThatThrownBy(
            () ->
                fixture.request(
                    PaymentsAddresses.REFUND,
                    new JsonObject()
                        .put("id", id)
                        .put("amount_minor", 400)
                        .put("idempotency_key", "r2")
                        .put("admin_id", "ops")))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.GATEWAY_ERROR));
    assertThat(fixture.balance("alice")).isEqualTo(400);

    ScriptedProvider.declineRefunds = false;
    JsonObject refund =
        fixture.request(
            PaymentsAddresses.REFUND,
            new JsonObject()
                .put("id", id)
                .put("amount_minor", 400)
                .put("idempotency_key", "r3")
                .put("admin_id", "ops"));
    assertThat(refund.getLong("amount_minor")).isEqualTo(400);
    assertThat(refund.getJsonObject("topup").getLong("refunded_minor")).isEqualTo(400);
    JsonObject replay =
        fixture.request(
            PaymentsAddresses.REFUND,
            new JsonObject()
                .put("id", id)
                .put("amount_minor", 400)
                .put("idempotency_key", "r3")
                .put("admin_id", "ops"));
    assertThat(replay.getString("id")).isEqualTo(refund.getString("id"));
    assertThat(fixture.balance("alice")).isZero();
    assertThat(ScriptedProvider.REFUNDS).hasSize(1);
    assertThatThrownBy(
            () ->
                fixture.request(
                    PaymentsAddresses.REFUND,
                    new JsonObject()
                        .put("id", createTopup("alice", "t9", 5).getString("id"))
                        .put("idempotency_key", "r4")
                        .put("admin_id", "ops")))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.NOT_REFUNDABLE));
  }

  @Test
  @DisplayName(
      "a provider listed in configuration but not installed stops start-up naming payments.gateways")
  void unknownProviderStopsStartUp() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config =
          PaymentsFixture.config(
              fixture.database,
              new JsonObject().put("gateways", new JsonObject().put("nope", new JsonObject())));
      assertThatThrownBy(
              () ->
                  vertx
                      .deployVerticle(
                          new PaymentsVerticle(), new DeploymentOptions().setConfig(config))
                      .await(30, TimeUnit.SECONDS))
          .hasMessageContaining("payments.gateways.nope")
          .hasMessageContaining("scripted");
      JsonObject misconfigured =
          PaymentsFixture.config(
              fixture.database,
              new JsonObject()
                  .put(
                      "gateways",
                      new JsonObject().put("scripted", new JsonObject().put("secret", ""))));
      assertThatThrownBy(
              () ->
                  vertx
                      .deployVerticle(
                          new PaymentsVerticle(), new DeploymentOptions().setConfig(misconfigured))
                      .await(30, TimeUnit.SECONDS))
          .hasMessageContaining("payments.gateways.scripted.secret");
    } finally {
      vertx.close();
    }
  }
}
