package dev.kopek.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.payments.PaymentsAddresses;
import dev.kopek.testkit.ScriptedProvider;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Provider events are matched by the provider object Kopek stored, never by the payment id an
 * object carries; money nobody accounts for is recorded, never credited and never dropped.
 */
@DisplayName("Provider objects: matched by the stored id, unmatched money recorded")
@Timeout(60)
class ProviderMatchingTest {

  private PaymentsFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new PaymentsFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private JsonObject topup(String key, long amount, String currency) throws Exception {
    return fixture.request(
        PaymentsAddresses.TOPUP_CREATE,
        new JsonObject()
            .put("user_id", "alice")
            .put("idempotency_key", key)
            .put("amount_minor", amount)
            .put("currency", currency));
  }

  private JsonObject deliver(
      String eventId, String paymentId, String reference, String status, long amount)
      throws Exception {
    Map.Entry<String, String> webhook =
        ScriptedProvider.webhook(
            PaymentsFixture.SECRET, eventId, paymentId, reference, status, amount, "USD");
    return fixture.request(
        PaymentsAddresses.WEBHOOK_RECEIVE,
        PaymentsFixture.webhookRequest(webhook.getKey(), webhook.getValue()));
  }

  private JsonArray unmatched() throws Exception {
    return fixture
        .request(PaymentsAddresses.UNMATCHED_LIST, new JsonObject().put("limit", 10))
        .getJsonArray("data");
  }

  @Test
  @DisplayName(
      "defect: a signed success for an object Kopek never created, whose metadata names "
          + "a Kopek payment, credits nothing and is recorded as unmatched")
  void foreignObjectNamingAPaymentIsNotCredited() throws Exception {
    String id = topup("t1", 2000, "USD").getString("id");
    JsonObject reply = deliver("evt_foreign", id, "ref_someone_elses", "succeeded", 2000);
    assertThat(reply.getString("result")).isEqualTo("unmatched");
    assertThat(fixture.balance("alice")).isZero();
    assertThat(
            fixture
                .request(
                    PaymentsAddresses.TOPUP_GET,
                    new JsonObject().put("user_id", "alice").put("id", id))
                .getString("status"))
        .isEqualTo("pending");
    JsonArray records = unmatched();
    assertThat(records).hasSize(1);
    JsonObject record = records.getJsonObject(0);
    assertThat(record.getString("gateway_reference")).isEqualTo("ref_someone_elses");
    assertThat(record.getString("claimed_topup_id")).isEqualTo(id);
    assertThat(record.getLong("amount_minor")).isEqualTo(2000);
    assertThat(record.getString("reason")).contains("ref_" + id, "another object");
    // A redelivery is acknowledged once more and recorded once.
    assertThat(
            deliver("evt_foreign", id, "ref_someone_elses", "succeeded", 2000).getString("result"))
        .isEqualTo("duplicate");
    assertThat(
            deliver("evt_foreign_2", id, "ref_someone_elses", "succeeded", 2000)
                .getString("result"))
        .isEqualTo("unmatched");
    assertThat(unmatched()).hasSize(1);
  }

  @Test
  @DisplayName(
      "defect: a second paid object for a payment already credited is recorded, not "
          + "answered \"processed\" and forgotten")
  void secondPaymentForASettledTopupIsRecorded() throws Exception {
    String id = topup("t1", 2000, "USD").getString("id");
    assertThat(deliver("evt_1", id, "ref_" + id, "succeeded", 2000).getString("result"))
        .isEqualTo("processed");
    ScriptedProvider.OUTCOMES.put(id, PaymentOutcome.SUCCEEDED);
    assertThat(fixture.balance("alice")).isEqualTo(2000);

    JsonObject second = deliver("evt_2", id, "ref_second_attempt", "succeeded", 2000);
    assertThat(second.getString("result")).isEqualTo("unmatched");
    assertThat(fixture.balance("alice")).isEqualTo(2000);
    assertThat(fixture.entries("topup")).isEqualTo(1);
    assertThat(unmatched())
        .singleElement()
        .satisfies(
            record ->
                assertThat(((JsonObject) record).getString("gateway_reference"))
                    .isEqualTo("ref_second_attempt"));
  }

  @Test
  @DisplayName(
      "a success for an object no payment has and naming none is recorded as unmatched; "
          + "a failure for it is only noted")
  void unknownObjectIsRecorded() throws Exception {
    assertThat(deliver("evt_x", null, "ref_unknown", "succeeded", 500).getString("result"))
        .isEqualTo("unmatched");
    assertThat(deliver("evt_y", null, "ref_unknown_failed", "failed", 500).getString("result"))
        .isEqualTo("ignored");
    assertThat(unmatched()).hasSize(1);
    assertThat(TestDatabase.queryLong(fixture.database, "SELECT count(*) FROM payment_events"))
        .isEqualTo(2);
  }

  @Test
  @DisplayName("an event whose object and metadata disagree is not acted on")
  void metadataDisagreeingWithTheStoredObjectIsRecorded() throws Exception {
    String mine = topup("t1", 2000, "USD").getString("id");
    String other = topup("t2", 2000, "USD").getString("id");
    assertThat(deliver("evt_1", other, "ref_" + mine, "succeeded", 2000).getString("result"))
        .isEqualTo("unmatched");
    assertThat(fixture.balance("alice")).isZero();
  }

  @Test
  @DisplayName(
      "an event naming a payment without its object is confirmed with the provider, and "
          + "the payment settled from the provider's answer")
  void eventWithoutObjectIsConfirmedWithTheProvider() throws Exception {
    String id = topup("t1", 2000, "USD").getString("id");
    // The provider itself says the payment is still pending: the event's word is not taken.
    assertThat(deliver("evt_1", id, null, "succeeded", 2000).getString("result"))
        .isEqualTo("processed");
    assertThat(fixture.balance("alice")).isZero();
    ScriptedProvider.OUTCOMES.put(id, PaymentOutcome.SUCCEEDED);
    assertThat(deliver("evt_2", id, null, "succeeded", 2000).getString("result"))
        .isEqualTo("processed");
    assertThat(fixture.balance("alice")).isEqualTo(2000);
    // While the provider cannot be asked, the event is not acknowledged: it comes again.
    String later = topup("t2", 500, "USD").getString("id");
    ScriptedProvider.down = true;
    assertThatThrownBy(() -> deliver("evt_3", later, null, "succeeded", 500))
        .satisfies(e -> assertThat(Failure.from(e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThat(
            TestDatabase.queryLong(
                fixture.database,
                "SELECT count(*) FROM payment_events WHERE provider_event_id = 'evt_3'"))
        .isZero();
  }

  @Test
  @DisplayName(
      "defect: an amount the provider cannot take is a 400 naming the field and the "
          + "rule, sent nowhere and stored nowhere")
  void inputTheProviderCannotTakeIsAValidationFailure() throws Exception {
    assertThatThrownBy(() -> topup("t1", 1234, "KWD"))
        .satisfies(
            e -> {
              Failure refused = Failure.from(e);
              assertThat(refused.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
              assertThat(refused.extras().getString("field")).isEqualTo("amount_minor");
              assertThat(refused.detail()).contains("multiples of 10");
            });
    assertThat(ScriptedProvider.STARTS).isEmpty();
    assertThat(TestDatabase.queryLong(fixture.database, "SELECT count(*) FROM payments")).isZero();
  }

  @Test
  @DisplayName(
      "defect: a failed provider call is logged once at WARN with the provider's words "
          + "and the payment id")
  void failedProviderCallsAreLogged() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    String id;
    try {
      ScriptedProvider.down = true;
      Throwable error = null;
      try {
        topup("t1", 2000, "USD");
      } catch (Exception e) {
        error = e;
      }
      assertThat(error).isNotNull();
      id = TestDatabase.queryString(fixture.database, "SELECT id FROM payments");
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(
            log.lines()
                .filter(
                    line ->
                        line.contains("WARN")
                            && line.contains("startCheckout")
                            && line.contains(id)
                            && line.contains("scripted outage")))
        .hasSize(1);
  }
}
