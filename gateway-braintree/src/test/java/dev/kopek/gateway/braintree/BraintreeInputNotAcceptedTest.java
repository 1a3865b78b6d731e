package dev.kopek.gateway.braintree;

import static dev.kopek.gateway.braintree.BraintreeFixtures.checkout;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.SubmitResult;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What Braintree cannot take is refused before anything is sent, naming the field. */
@DisplayName("Braintree: input it cannot take is refused up front")
class BraintreeInputNotAcceptedTest {

  private static WireMockServer server;
  private static BraintreeAdapter gateway;

  @BeforeAll
  static void start() throws Exception {
    server = BraintreeFixtures.server();
    gateway = BraintreeFixtures.gateway(server);
  }

  @BeforeEach
  void reset() {
    server.resetAll();
  }

  private static Consumer<GatewayFailure> notAccepted(String field, String... words) {
    return failure -> {
      assertThat(failure.kind()).isEqualTo(GatewayFailure.Kind.INPUT_NOT_ACCEPTED);
      assertThat(failure.field()).isEqualTo(field);
      assertThat(failure.outcomeUnknown()).isFalse();
      assertThat(failure.retryable()).isFalse();
      assertThat(failure.message()).contains(words);
    };
  }

  private static CheckoutRequest checkoutOf(long amountMinor, String currency) {
    return new CheckoutRequest("pay_x", "user_1", amountMinor, currency, null, "pay_x");
  }

  @Test
  @DisplayName(
      "a currency no merchant account settles: field currency, naming the currencies taken")
  void currencyWithoutAccount() {
    assertThat(gateway.startCheckout(checkoutOf(2000, "EUR")))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed ->
                assertThat(failed.failure())
                    .satisfies(notAccepted("currency", "EUR", "JPY, KWD, USD")));
    assertThat(
            gateway.submitCheckout(
                checkout("pay_x", 2000, "EUR"), Map.of("payment_method_nonce", "fake-valid-nonce")))
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed -> assertThat(failed.failure()).satisfies(notAccepted("currency", "EUR")));
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  @DisplayName("not an ISO 4217 currency with minor units: field currency")
  void unknownCurrency() {
    assertThat(gateway.startCheckout(checkoutOf(2000, "XAU")))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> assertThat(failed.failure()).satisfies(notAccepted("currency", "XAU")));
    assertThat(gateway.refund(new RefundRequest("pay_x", "txn_1", 100, "XYZ", "re_1")))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> assertThat(failed.failure()).satisfies(notAccepted("currency", "XYZ")));
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  @DisplayName(
      "an amount with more than three decimals (a four-decimal currency): field amount_minor")
  void tooManyDecimals() {
    assertThat(gateway.startCheckout(checkoutOf(12345, "CLF")))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed ->
                assertThat(failed.failure())
                    .satisfies(
                        notAccepted("amount_minor", "at most 3 decimals", "12345", "CLF", "10")));
    assertThat(gateway.refund(new RefundRequest("pay_x", "txn_1", 12345, "CLF", "re_1")))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> assertThat(failed.failure()).satisfies(notAccepted("amount_minor", "CLF")));
    assertThat(server.getAllServeEvents()).isEmpty();
    assertThat(Amounts.toDecimal(12340, "CLF")).isEqualByComparingTo("1.234");
  }

  @Test
  @DisplayName("a refund that is not positive: field amount_minor")
  void notPositive() {
    assertThat(gateway.refund(new RefundRequest("pay_x", "txn_1", 0, "USD", "re_1")))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed ->
                assertThat(failed.failure()).satisfies(notAccepted("amount_minor", "positive")));
    assertThat(server.getAllServeEvents()).isEmpty();
  }
}
