package dev.kopek.gateway.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.google.gson.JsonObject;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure.Kind;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.StatusResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Stripe fetchStatus and refund")
class StripeStatusAndRefundTest {

  private static final String PI = "pi_3KopekTest0001";
  private static final String CS = "cs_test_a1KopekSession";

  private static WireMockServer stripe;
  private Gateway gateway;

  @BeforeAll
  static void start() {
    stripe = Stubs.startServer();
  }

  @AfterAll
  static void stop() {
    stripe.stop();
  }

  @BeforeEach
  void reset() throws Exception {
    stripe.resetAll();
    gateway = Stubs.gateway(stripe.baseUrl());
  }

  private void intentIs(String status) {
    stripe.stubFor(
        get(urlEqualTo("/v1/payment_intents/" + PI))
            .willReturn(Stubs.ok(Stubs.paymentIntent(PI, 2000, "usd", status, "pay_x"))));
  }

  private void sessionIs(String status, String paymentStatus) {
    stripe.stubFor(
        get(urlEqualTo("/v1/checkout/sessions/" + CS))
            .willReturn(Stubs.ok(Stubs.session(CS, 2000, "usd", status, paymentStatus, "pay_x"))));
  }

  @Test
  @DisplayName("a succeeded PaymentIntent is SUCCEEDED with its amount and upper-case currency")
  void intentSucceeded() {
    intentIs("succeeded");

    assertThat(gateway.fetchStatus("pay_x", PI))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.SUCCEEDED, PI, 2000, "USD"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "processing",
        "requires_action",
        "requires_confirmation",
        "requires_capture",
        "requires_payment_method"
      })
  @DisplayName("a PaymentIntent still open is PENDING")
  void intentPending(String status) {
    intentIs(status);

    assertThat(gateway.fetchStatus("pay_x", PI))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.PENDING, PI, 2000, "USD"));
  }

  @Test
  @DisplayName("a canceled PaymentIntent is declined with code canceled")
  void intentCanceled() {
    intentIs("canceled");

    assertThat(gateway.fetchStatus("pay_x", PI))
        .isInstanceOfSatisfying(
            StatusResult.Known.class,
            known ->
                assertThat(known.outcome())
                    .isInstanceOfSatisfying(
                        PaymentOutcome.Declined.class,
                        declined -> assertThat(declined.code()).isEqualTo("canceled")));
  }

  @Test
  @DisplayName("a paid Checkout Session is SUCCEEDED for amount_total")
  void sessionPaid() {
    sessionIs("complete", "paid");

    assertThat(gateway.fetchStatus("pay_x", CS))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.SUCCEEDED, CS, 2000, "USD"));
  }

  @Test
  @DisplayName(
      "an expired Checkout Session is declined with code expired; an open or unpaid one is PENDING")
  void sessionExpiredOrOpen() {
    sessionIs("expired", "unpaid");
    assertThat(gateway.fetchStatus("pay_x", CS))
        .isEqualTo(
            new StatusResult.Known(
                new PaymentOutcome.Declined("expired", "the checkout session expired unpaid"),
                CS,
                2000,
                "USD"));

    sessionIs("open", "unpaid");
    assertThat(gateway.fetchStatus("pay_x", CS))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.PENDING, CS, 2000, "USD"));

    sessionIs("complete", "unpaid");
    assertThat(gateway.fetchStatus("pay_x", CS))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.PENDING, CS, 2000, "USD"));
  }

  @Test
  @DisplayName(
      "without a reference, or with one Stripe does not issue, the answer is NOT_FOUND without a call")
  void noReference() {
    assertThat(gateway.fetchStatus("pay_x", null))
        .isInstanceOfSatisfying(
            StatusResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(Kind.NOT_FOUND));
    assertThat(gateway.fetchStatus("pay_x", "ch_1"))
        .isInstanceOfSatisfying(
            StatusResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(Kind.NOT_FOUND));
    assertThat(stripe.getAllServeEvents()).isEmpty();
  }

  @Test
  @DisplayName("a PaymentIntent that carries another Kopek payment id never settles this one")
  void foreignIntent() {
    stripe.stubFor(
        get(urlEqualTo("/v1/payment_intents/" + PI))
            .willReturn(Stubs.ok(Stubs.paymentIntent(PI, 2000, "usd", "succeeded", "pay_other"))));

    assertThat(gateway.fetchStatus("pay_x", PI)).isInstanceOf(StatusResult.Failed.class);
  }

  @Test
  @DisplayName(
      "refund: POST /v1/refunds with the PaymentIntent, the amount and the idempotency key")
  void refund() {
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                Stubs.ok(
                    Stubs.fixture(
                        "refund",
                        re -> {
                          re.addProperty("id", "re_3KopekRefund01");
                          re.addProperty("amount", 500);
                          re.addProperty("payment_intent", PI);
                        }))));

    RefundResult result = gateway.refund(new RefundRequest("pay_x", PI, 500, "USD", "re_key_1"));

    assertThat(result).isEqualTo(new RefundResult.Refunded("re_3KopekRefund01"));
    assertThat(Stubs.form(stripe.findAll(postRequestedFor(urlEqualTo("/v1/refunds"))).get(0)))
        .containsEntry("payment_intent", PI)
        .containsEntry("amount", "500")
        .containsEntry("metadata[kopek_payment_id]", "pay_x")
        .containsEntry("metadata[kopek_refund_id]", "re_key_1");
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withHeader("Idempotency-Key", equalTo("re_key_1")));
  }

  @Test
  @DisplayName("refunding a Checkout Session refunds its PaymentIntent")
  void refundSession() {
    sessionIs("complete", "paid");
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                Stubs.ok(
                    Stubs.fixture("refund", re -> re.addProperty("id", "re_3KopekRefund02")))));

    assertThat(gateway.refund(new RefundRequest("pay_x", CS, 2000, "USD", "re_key_2")))
        .isEqualTo(new RefundResult.Refunded("re_3KopekRefund02"));
    // The session fixture's PaymentIntent.
    assertThat(Stubs.form(stripe.findAll(postRequestedFor(urlEqualTo("/v1/refunds"))).get(0)))
        .containsEntry("payment_intent", "pi_1OPougJN5vQBdWEx8s2Dj0YR");
  }

  @Test
  @DisplayName(
      "a refund Stripe refuses (charge_already_refunded) is Declined with Stripe's code and message")
  void refundRefused() {
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                Stubs.error(
                    400,
                    "invalid_request_error",
                    "charge_already_refunded",
                    "Charge ch_1OPoueJN5vQBdWEx5AWizjSY has already been refunded.")));

    assertThat(gateway.refund(new RefundRequest("pay_x", PI, 500, "USD", "re_key_3")))
        .isEqualTo(
            new RefundResult.Declined(
                "charge_already_refunded",
                "Charge ch_1OPoueJN5vQBdWEx5AWizjSY has already been refunded."));
  }

  @Test
  @DisplayName("a refund Stripe reports as failed is Declined with its failure reason")
  void refundFailed() {
    JsonObject refund =
        Stubs.fixture(
            "refund",
            re -> {
              re.addProperty("id", "re_3KopekRefund03");
              re.addProperty("status", "failed");
              re.addProperty("failure_reason", "expired_or_canceled_card");
            });
    stripe.stubFor(post(urlEqualTo("/v1/refunds")).willReturn(Stubs.ok(refund)));

    assertThat(gateway.refund(new RefundRequest("pay_x", PI, 500, "USD", "re_key_4")))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("expired_or_canceled_card"));
  }

  @Test
  @DisplayName(
      "a refund of 1.505 KWD is refused as INPUT_NOT_ACCEPTED (amount_minor) before calling Stripe")
  void refundThreeDecimal() {
    assertThat(gateway.refund(new RefundRequest("pay_x", PI, 1505, "KWD", "re_key_5")))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(Kind.INPUT_NOT_ACCEPTED);
              assertThat(failed.failure().field()).isEqualTo("amount_minor");
              assertThat(failed.failure().message()).contains("1505", "KWD", "multiple of 10");
            });
    assertThat(stripe.getAllServeEvents()).isEmpty();
  }
}
