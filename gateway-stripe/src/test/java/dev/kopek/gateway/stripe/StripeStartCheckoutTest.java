package dev.kopek.gateway.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stripe startCheckout, through the SDK against a stand-in of Stripe's API")
class StripeStartCheckoutTest {

  private static WireMockServer stripe;

  @BeforeAll
  static void start() {
    stripe = Stubs.startServer();
  }

  @AfterAll
  static void stop() {
    stripe.stop();
  }

  @BeforeEach
  void reset() {
    stripe.resetAll();
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .willReturn(
                Stubs.ok(
                    Stubs.paymentIntent(
                        "pi_3KopekTest0001", 2000, "usd", "requires_payment_method", "pay_x"))));
  }

  private static CheckoutRequest request(long amount, String currency) {
    return new CheckoutRequest(
        "pay_x",
        "user-7",
        amount,
        currency,
        "https://pay.example.com/checkout/tok/complete",
        "pay_x");
  }

  private static LoggedRequest only(String url) {
    List<LoggedRequest> requests = stripe.findAll(postRequestedFor(urlEqualTo(url)));
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }

  @Test
  @DisplayName(
      "payment_element: POST /v1/payment_intents with the amount, metadata, automatic methods and Kopek's idempotency key")
  void paymentIntentCreated() throws Exception {
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    CheckoutResult result = gateway.startCheckout(request(2000, "USD"));

    assertThat(result)
        .isEqualTo(
            new CheckoutResult.Started(
                "pi_3KopekTest0001", null, "pi_3KopekTest0001_secret_Xk3v9QpL0wR7"));
    LoggedRequest sent = only("/v1/payment_intents");
    assertThat(Stubs.form(sent))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "amount", "2000",
                "currency", "usd",
                "metadata[kopek_payment_id]", "pay_x",
                "metadata[kopek_user_id]", "user-7",
                "automatic_payment_methods[enabled]", "true"));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/payment_intents"))
            .withHeader("Idempotency-Key", equalTo("pay_x"))
            .withHeader("Authorization", equalTo("Bearer " + Stubs.SECRET_KEY))
            .withHeader("Content-Type", containing("application/x-www-form-urlencoded")));
  }

  @Test
  @DisplayName("a zero-decimal currency is sent as is: 1000 JPY is amount=1000, currency=jpy")
  void zeroDecimal() throws Exception {
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    assertThat(gateway.startCheckout(request(1000, "JPY")))
        .isInstanceOf(CheckoutResult.Started.class);

    assertThat(Stubs.form(only("/v1/payment_intents")))
        .containsEntry("amount", "1000")
        .containsEntry("currency", "jpy");
  }

  @Test
  @DisplayName(
      "a three-decimal currency ending in 0 is sent in thousandths: 1.500 KWD is amount=1500")
  void threeDecimalEndingInZero() throws Exception {
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    assertThat(gateway.startCheckout(request(1500, "KWD")))
        .isInstanceOf(CheckoutResult.Started.class);

    assertThat(Stubs.form(only("/v1/payment_intents")))
        .containsEntry("amount", "1500")
        .containsEntry("currency", "kwd");
  }

  @Test
  @DisplayName(
      "1.505 KWD is refused as INPUT_NOT_ACCEPTED (amount_minor) saying the last digit must be 0, and Stripe is not called")
  void threeDecimalNotEndingInZero() throws Exception {
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    CheckoutResult result = gateway.startCheckout(request(1505, "KWD"));

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INPUT_NOT_ACCEPTED);
              assertThat(failed.failure().field()).isEqualTo("amount_minor");
              assertThat(failed.failure().outcomeUnknown()).isFalse();
              assertThat(failed.failure().message())
                  .contains("1505", "KWD", "last digit is 0", "multiple of 10");
            });
    assertThat(stripe.getAllServeEvents()).isEmpty();
  }

  @Test
  @DisplayName(
      "ISK, zero-decimal in ISO 4217 but two-decimal at Stripe: 5 ISK is sent as amount=500")
  void icelandicKrona() throws Exception {
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    assertThat(gateway.startCheckout(request(5, "ISK"))).isInstanceOf(CheckoutResult.Started.class);

    assertThat(Stubs.form(only("/v1/payment_intents"))).containsEntry("amount", "500");
  }

  @Test
  @DisplayName(
      "MGA, two-decimal in ISO 4217 but zero-decimal at Stripe: 10.00 is sent as 10, 10.50 is refused")
  void malagasyAriary() throws Exception {
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    assertThat(gateway.startCheckout(request(1000, "MGA")))
        .isInstanceOf(CheckoutResult.Started.class);
    assertThat(Stubs.form(only("/v1/payment_intents"))).containsEntry("amount", "10");

    assertThat(gateway.startCheckout(request(1050, "MGA")))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INPUT_NOT_ACCEPTED);
              assertThat(failed.failure().field()).isEqualTo("amount_minor");
              assertThat(failed.failure().message())
                  .contains("MGA", "whole units", "multiple of 100");
            });
    assertThat(stripe.findAll(postRequestedFor(urlEqualTo("/v1/payment_intents")))).hasSize(1);
  }

  @Test
  @DisplayName(
      "checkout_session: POST /v1/checkout/sessions with one line item, the return URL, the payment id three ways; Started carries the session URL")
  void checkoutSession() throws Exception {
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .willReturn(
                Stubs.ok(
                    Stubs.session(
                        "cs_test_a1KopekSession", 2000, "usd", "open", "unpaid", "pay_x"))));
    Gateway gateway =
        Stubs.gateway(stripe.baseUrl(), Map.of("mode", "checkout_session"), Clock.systemUTC());

    CheckoutResult result = gateway.startCheckout(request(2000, "USD"));

    assertThat(result)
        .isEqualTo(
            new CheckoutResult.Started(
                "cs_test_a1KopekSession",
                "https://checkout.stripe.com/c/pay/cs_test_a1KopekSession#fidkdWxOYHwnPyd1blpxYHZxWjA0",
                null));
    assertThat(Stubs.form(only("/v1/checkout/sessions")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("mode", "payment"),
                Map.entry("line_items[0][price_data][currency]", "usd"),
                Map.entry("line_items[0][price_data][unit_amount]", "2000"),
                Map.entry("line_items[0][price_data][product_data][name]", "Balance top-up"),
                Map.entry("line_items[0][quantity]", "1"),
                Map.entry("success_url", "https://pay.example.com/checkout/tok/complete"),
                Map.entry("cancel_url", "https://pay.example.com/checkout/tok/complete"),
                Map.entry("client_reference_id", "pay_x"),
                Map.entry("metadata[kopek_payment_id]", "pay_x"),
                Map.entry("metadata[kopek_user_id]", "user-7"),
                Map.entry("payment_intent_data[metadata][kopek_payment_id]", "pay_x"),
                Map.entry("payment_intent_data[metadata][kopek_user_id]", "user-7"),
                Map.entry("payment_intent_data[metadata][kopek_via]", "checkout_session")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withHeader("Idempotency-Key", equalTo("pay_x")));
    assertThat(stripe.findAll(postRequestedFor(urlEqualTo("/v1/payment_intents")))).isEmpty();
  }

  @Test
  @DisplayName(
      "the same idempotency key is sent on a retry, so Stripe answers with the first PaymentIntent")
  void retryKeepsKey() throws Exception {
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    gateway.startCheckout(request(2000, "USD"));
    gateway.startCheckout(request(2000, "USD"));

    assertThat(stripe.findAll(postRequestedFor(urlEqualTo("/v1/payment_intents"))))
        .extracting(sent -> sent.getHeader("Idempotency-Key"))
        .containsExactly("pay_x", "pay_x");
  }
}
