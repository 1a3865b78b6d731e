package dev.kopek.gateway.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.stripe.Stripe;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Webhooks signed with Stripe's scheme, bodies built from Stripe's fixtures. */
@DisplayName("Stripe webhooks")
class StripeWebhookTest {

  private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
  private static final String API_VERSION = Stripe.API_VERSION;

  private Gateway gateway;

  @BeforeEach
  void gateway() throws Exception {
    // No call reaches the API: webhooks are verified locally.
    gateway = Stubs.gateway("http://127.0.0.1:9", Map.of(), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static WebhookRequest signed(String payload) {
    return signed(payload, Stubs.WEBHOOK_SECRET, NOW.getEpochSecond());
  }

  private static WebhookRequest signed(String payload, String secret, long timestamp) {
    return request(
        payload.getBytes(StandardCharsets.UTF_8), Stubs.signature(secret, timestamp, payload));
  }

  private static WebhookRequest request(byte[] body, String signature) {
    return new WebhookRequest(
        body,
        signature == null ? Map.of() : Map.of("stripe-signature", List.of(signature)),
        "application/json; charset=utf-8");
  }

  private static GatewayEvent verified(WebhookResult result) {
    assertThat(result).isInstanceOf(WebhookResult.Verified.class);
    return ((WebhookResult.Verified) result).event();
  }

  private static String succeededIntent(String apiVersion) {
    return Stubs.event(
        "evt_1KopekSucceeded",
        "payment_intent.succeeded",
        apiVersion,
        Stubs.paymentIntent("pi_3KopekTest0001", 2000, "usd", "succeeded", "pay_x"));
  }

  @Test
  @DisplayName(
      "payment_intent.succeeded: succeeded, amount_received, currency upper-cased, payment id from metadata")
  void paymentIntentSucceeded() {
    GatewayEvent event = verified(gateway.parseWebhook(signed(succeededIntent(API_VERSION))));

    assertThat(event)
        .isEqualTo(
            new GatewayEvent(
                "evt_1KopekSucceeded",
                "payment_intent.succeeded",
                "pay_x",
                "pi_3KopekTest0001",
                2000,
                "USD",
                PaymentOutcome.SUCCEEDED));
  }

  @Test
  @DisplayName("an event rendered in another API version than the SDK's still parses")
  void otherApiVersion() {
    assertThat(API_VERSION).isNotEqualTo("2024-04-10");

    GatewayEvent event = verified(gateway.parseWebhook(signed(succeededIntent("2024-04-10"))));

    assertThat(event.outcome()).isEqualTo(PaymentOutcome.SUCCEEDED);
    assertThat(event.paymentId()).isEqualTo("pay_x");
    assertThat(event.amountMinor()).isEqualTo(2000);
  }

  @Test
  @DisplayName(
      "payment_intent.payment_failed: declined with the last error's decline code and message")
  void paymentIntentFailed() {
    JsonObject intent =
        Stubs.paymentIntent("pi_3KopekTest0001", 2000, "usd", "requires_payment_method", "pay_x");
    JsonObject error = new JsonObject();
    error.addProperty("type", "card_error");
    error.addProperty("code", "card_declined");
    error.addProperty("decline_code", "insufficient_funds");
    error.addProperty("message", "Your card has insufficient funds.");
    intent.add("last_payment_error", error);

    GatewayEvent event =
        verified(
            gateway.parseWebhook(
                signed(
                    Stubs.event(
                        "evt_1KopekFailed",
                        "payment_intent.payment_failed",
                        API_VERSION,
                        intent))));

    assertThat(event.outcome())
        .isEqualTo(
            new PaymentOutcome.Declined("insufficient_funds", "Your card has insufficient funds."));
    assertThat(event.providerReference()).isEqualTo("pi_3KopekTest0001");
    assertThat(event.paymentId()).isEqualTo("pay_x");
  }

  @Test
  @DisplayName("payment_intent.payment_failed without a decline code uses the error code")
  void paymentIntentFailedWithoutDeclineCode() {
    JsonObject intent =
        Stubs.paymentIntent("pi_3KopekTest0001", 2000, "usd", "requires_payment_method", "pay_x");
    JsonObject error = new JsonObject();
    error.addProperty("type", "card_error");
    error.addProperty("code", "expired_card");
    error.addProperty("message", "Your card has expired.");
    intent.add("last_payment_error", error);

    GatewayEvent event =
        verified(
            gateway.parseWebhook(
                signed(
                    Stubs.event("evt_2", "payment_intent.payment_failed", API_VERSION, intent))));

    assertThat(event.outcome())
        .isEqualTo(new PaymentOutcome.Declined("expired_card", "Your card has expired."));
  }

  @Test
  @DisplayName(
      "checkout.session.completed and paid: succeeded for amount_total, reference the session, payment id from client_reference_id")
  void sessionCompletedPaid() {
    GatewayEvent event =
        verified(
            gateway.parseWebhook(
                signed(
                    Stubs.event(
                        "evt_3",
                        "checkout.session.completed",
                        API_VERSION,
                        Stubs.session(
                            "cs_test_a1KopekSession", 2000, "eur", "complete", "paid", "pay_x")))));

    assertThat(event)
        .isEqualTo(
            new GatewayEvent(
                "evt_3",
                "checkout.session.completed",
                "pay_x",
                "cs_test_a1KopekSession",
                2000,
                "EUR",
                PaymentOutcome.SUCCEEDED));
  }

  @Test
  @DisplayName("checkout.session.completed but unpaid (a delayed method): pending")
  void sessionCompletedUnpaid() {
    GatewayEvent event =
        verified(
            gateway.parseWebhook(
                signed(
                    Stubs.event(
                        "evt_4",
                        "checkout.session.completed",
                        API_VERSION,
                        Stubs.session(
                            "cs_test_a1KopekSession",
                            2000,
                            "eur",
                            "complete",
                            "unpaid",
                            "pay_x")))));

    assertThat(event.outcome()).isEqualTo(PaymentOutcome.PENDING);
  }

  @Test
  @DisplayName("checkout.session.async_payment_succeeded and _failed: succeeded and declined")
  void sessionAsync() {
    GatewayEvent succeeded =
        verified(
            gateway.parseWebhook(
                signed(
                    Stubs.event(
                        "evt_5",
                        "checkout.session.async_payment_succeeded",
                        API_VERSION,
                        Stubs.session(
                            "cs_test_a1KopekSession", 2000, "eur", "complete", "paid", "pay_x")))));
    GatewayEvent failed =
        verified(
            gateway.parseWebhook(
                signed(
                    Stubs.event(
                        "evt_6",
                        "checkout.session.async_payment_failed",
                        API_VERSION,
                        Stubs.session(
                            "cs_test_a1KopekSession",
                            2000,
                            "eur",
                            "complete",
                            "unpaid",
                            "pay_x")))));

    assertThat(succeeded.outcome()).isEqualTo(PaymentOutcome.SUCCEEDED);
    assertThat(succeeded.amountMinor()).isEqualTo(2000);
    assertThat(failed.outcome())
        .isInstanceOfSatisfying(
            PaymentOutcome.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("async_payment_failed"));
  }

  @Test
  @DisplayName("a session without client_reference_id takes the payment id from its metadata")
  void sessionPaymentIdFromMetadata() {
    JsonObject session =
        Stubs.session("cs_test_a1KopekSession", 2000, "eur", "complete", "paid", "pay_x");
    session.add("client_reference_id", com.google.gson.JsonNull.INSTANCE);

    assertThat(
            verified(
                    gateway.parseWebhook(
                        signed(
                            Stubs.event(
                                "evt_7", "checkout.session.completed", API_VERSION, session))))
                .paymentId())
        .isEqualTo("pay_x");
  }

  @Test
  @DisplayName("amounts come back in Kopek's units: 500 ISK at Stripe is 5 ISK")
  void amountsConvertedBack() {
    GatewayEvent event =
        verified(
            gateway.parseWebhook(
                signed(
                    Stubs.event(
                        "evt_8",
                        "payment_intent.succeeded",
                        API_VERSION,
                        Stubs.paymentIntent(
                            "pi_3KopekTest0002", 500, "isk", "succeeded", "pay_y")))));

    assertThat(event.amountMinor()).isEqualTo(5);
    assertThat(event.currency()).isEqualTo("ISK");
  }

  @Test
  @DisplayName("charge.refunded and other types are acknowledged and ignored")
  void ignoredTypes() {
    JsonObject charge = Stubs.fixture("event").getAsJsonObject("data").getAsJsonObject("object");

    assertThat(
            gateway.parseWebhook(
                signed(Stubs.event("evt_9", "charge.refunded", API_VERSION, charge))))
        .isEqualTo(new WebhookResult.Ignored("evt_9", "charge.refunded"));
    assertThat(
            gateway.parseWebhook(
                signed(Stubs.event("evt_10", "plan.created", API_VERSION, charge))))
        .isEqualTo(new WebhookResult.Ignored("evt_10", "plan.created"));
  }

  @Test
  @DisplayName(
      "payment_intent.* of a PaymentIntent a Checkout Session created (kopek_via) are ignored: the session's events settle the payment")
  void sessionPaymentIntentIgnored() {
    JsonObject succeeded =
        Stubs.paymentIntent("pi_3KopekViaSession", 2000, "usd", "succeeded", "pay_x");
    succeeded.getAsJsonObject("metadata").addProperty("kopek_via", "checkout_session");
    JsonObject failed =
        Stubs.paymentIntent("pi_3KopekViaSession", 2000, "usd", "requires_payment_method", "pay_x");
    failed.getAsJsonObject("metadata").addProperty("kopek_via", "checkout_session");

    assertThat(
            gateway.parseWebhook(
                signed(Stubs.event("evt_11", "payment_intent.succeeded", API_VERSION, succeeded))))
        .isEqualTo(new WebhookResult.Ignored("evt_11", "payment_intent.succeeded"));
    assertThat(
            gateway.parseWebhook(
                signed(
                    Stubs.event("evt_12", "payment_intent.payment_failed", API_VERSION, failed))))
        .isEqualTo(new WebhookResult.Ignored("evt_12", "payment_intent.payment_failed"));
    // Still verified first: a forged one is invalid, not ignored.
    String forged = Stubs.event("evt_13", "payment_intent.succeeded", API_VERSION, succeeded);
    assertThat(gateway.parseWebhook(signed(forged, "whsec_someone_else", NOW.getEpochSecond())))
        .isInstanceOf(WebhookResult.Invalid.class);
    // The session's own event for the same payment is acted on.
    JsonObject session =
        Stubs.session("cs_test_a1KopekSession", 2000, "usd", "complete", "paid", "pay_x");
    session.addProperty("payment_intent", "pi_3KopekViaSession");
    assertThat(
            verified(
                    gateway.parseWebhook(
                        signed(
                            Stubs.event(
                                "evt_14", "checkout.session.completed", API_VERSION, session))))
                .providerReference())
        .isEqualTo("cs_test_a1KopekSession");
  }

  @Test
  @DisplayName("a PaymentIntent with another kopek_via value, or none, is acted on as before")
  void otherViaNotIgnored() {
    JsonObject intent = Stubs.paymentIntent("pi_3KopekTest0001", 2000, "usd", "succeeded", "pay_x");
    intent.getAsJsonObject("metadata").addProperty("kopek_via", "something_else");

    assertThat(
            verified(
                    gateway.parseWebhook(
                        signed(
                            Stubs.event(
                                "evt_15", "payment_intent.succeeded", API_VERSION, intent))))
                .outcome())
        .isEqualTo(PaymentOutcome.SUCCEEDED);
  }

  @Test
  @DisplayName("a body changed after signing is invalid")
  void tampered() {
    String payload = succeededIntent(API_VERSION);
    String signature = Stubs.signature(Stubs.WEBHOOK_SECRET, NOW.getEpochSecond(), payload);
    String tampered = payload.replace("\"amount_received\":2000", "\"amount_received\":200000");
    assertThat(tampered).isNotEqualTo(payload);

    assertThat(gateway.parseWebhook(request(tampered.getBytes(StandardCharsets.UTF_8), signature)))
        .isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  @DisplayName("a body signed with another secret is invalid")
  void otherSecret() {
    assertThat(
            gateway.parseWebhook(
                signed(
                    succeededIntent(API_VERSION),
                    "whsec_someone_else_0123456789abcdef",
                    NOW.getEpochSecond())))
        .isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  @DisplayName("a signature older than tolerance_s is invalid; one just inside it is accepted")
  void staleTimestamp() {
    String payload = succeededIntent(API_VERSION);

    assertThat(
            gateway.parseWebhook(signed(payload, Stubs.WEBHOOK_SECRET, NOW.getEpochSecond() - 301)))
        .isInstanceOfSatisfying(
            WebhookResult.Invalid.class,
            invalid -> assertThat(invalid.reason()).containsIgnoringCase("tolerance"));
    assertThat(
            gateway.parseWebhook(signed(payload, Stubs.WEBHOOK_SECRET, NOW.getEpochSecond() - 299)))
        .isInstanceOf(WebhookResult.Verified.class);
  }

  @Test
  @DisplayName("a missing Stripe-Signature header is invalid")
  void missingHeader() {
    assertThat(
            gateway.parseWebhook(
                request(succeededIntent(API_VERSION).getBytes(StandardCharsets.UTF_8), null)))
        .isEqualTo(new WebhookResult.Invalid("no Stripe-Signature header"));
  }

  @Test
  @DisplayName("a header without a v1 signature, and a body that is not UTF-8, are invalid")
  void malformed() {
    byte[] body = succeededIntent(API_VERSION).getBytes(StandardCharsets.UTF_8);
    assertThat(gateway.parseWebhook(request(body, "t=" + NOW.getEpochSecond())))
        .isInstanceOf(WebhookResult.Invalid.class);
    assertThat(
            gateway.parseWebhook(
                request(
                    new byte[] {'{', (byte) 0xC3, '}'}, "t=" + NOW.getEpochSecond() + ",v1=00")))
        .isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  @DisplayName("a signed body that is not an event is invalid, not an exception")
  void signedGarbage() {
    assertThat(gateway.parseWebhook(signed("not json at all")))
        .isInstanceOf(WebhookResult.Invalid.class);
  }
}
