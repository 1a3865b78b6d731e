package dev.kopek.gateway.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.GatewayFailure.Kind;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What Stripe's rules cannot take is refused before anything is sent, naming the field. */
@DisplayName("Stripe: input it cannot take is refused up front")
class StripeInputNotAcceptedTest {

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
  }

  @AfterEach
  void nothingSent() {
    assertThat(stripe.getAllServeEvents()).isEmpty();
  }

  private static Consumer<GatewayFailure> notAccepted(String field, String rule) {
    return failure -> {
      assertThat(failure.kind()).isEqualTo(Kind.INPUT_NOT_ACCEPTED);
      assertThat(failure.field()).isEqualTo(field);
      assertThat(failure.outcomeUnknown()).isFalse();
      assertThat(failure.retryable()).isFalse();
      assertThat(failure.message()).contains(rule);
    };
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "1234 | KWD | amount_minor | not a multiple of 10",
        "1505 | BHD | amount_minor | last digit is 0",
        "1050 | MGA | amount_minor | whole units only: 1050 minor units is not a multiple of 100",
        "2000 | XYZ | currency     | not an ISO 4217 currency with minor units: XYZ",
        "2000 | XAU | currency     | not an ISO 4217 currency with minor units: XAU"
      })
  @DisplayName("startCheckout (both modes) and refund")
  void refused(long amountMinor, String currency, String field, String rule) throws Exception {
    for (String mode : new String[] {"payment_element", "checkout_session"}) {
      Gateway gateway = Stubs.gateway(stripe.baseUrl(), Map.of("mode", mode), Clock.systemUTC());
      assertThat(
              gateway.startCheckout(
                  new CheckoutRequest(
                      "pay_x",
                      "user-7",
                      amountMinor,
                      currency,
                      "https://pay.example.com/return",
                      "pay_x")))
          .isInstanceOfSatisfying(
              CheckoutResult.Failed.class,
              failed -> assertThat(failed.failure()).satisfies(notAccepted(field, rule)));
    }
    assertThat(
            Stubs.gateway(stripe.baseUrl())
                .refund(
                    new RefundRequest(
                        "pay_x", "pi_3KopekTest0001", amountMinor, currency, "ref_1")))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> assertThat(failed.failure()).satisfies(notAccepted(field, rule)));
  }

  @Test
  @DisplayName("a Checkout Session without a return URL: field return_url")
  void noReturnUrl() throws Exception {
    Gateway gateway =
        Stubs.gateway(stripe.baseUrl(), Map.of("mode", "checkout_session"), Clock.systemUTC());

    assertThat(
            gateway.startCheckout(
                new CheckoutRequest("pay_x", "user-7", 2000, "USD", null, "pay_x")))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed ->
                assertThat(failed.failure()).satisfies(notAccepted("return_url", "return URL")));
  }
}
