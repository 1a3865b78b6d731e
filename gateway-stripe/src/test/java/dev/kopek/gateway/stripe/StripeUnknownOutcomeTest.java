package dev.kopek.gateway.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.GatewayFailure.Kind;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When Stripe may have acted but Kopek cannot read what it did, refund() and startCheckout() report
 * a failure whose outcome is unknown, never a refusal: Kopek then asks Stripe, or sends again with
 * the same idempotency key.
 */
@DisplayName("Stripe: an answer Kopek cannot use is never a refusal")
class StripeUnknownOutcomeTest {

  private static final String PI = "pi_3KopekTest0001";
  private static final String CS = "cs_test_a1KopekSession";
  private static final CheckoutRequest CHECKOUT =
      new CheckoutRequest(
          "pay_x", "user-7", 2000, "USD", "https://pay.example.com/return", "pay_x");
  private static final RefundRequest REFUND =
      new RefundRequest("pay_x", PI, 500, "USD", "ref_01KopekRefund");

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

  static Stream<Arguments> unusableAnswers() {
    String html =
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
            + "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    return Stream.of(
        Arguments.of(
            "a 200 whose body is not JSON",
            aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("<html>proxy error</html>")),
        Arguments.of(
            "a 200 whose JSON is cut short",
            aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"id\": \"re_3KopekRefund01\", \"object\": \"refund\", \"stat")),
        Arguments.of(
            "a 200 with an empty JSON object",
            aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{}")),
        Arguments.of(
            "a 200 with no body",
            aResponse().withStatus(200).withHeader("Content-Type", "application/json")),
        Arguments.of(
            "an HTML error page with 500",
            aResponse().withStatus(500).withHeader("Content-Type", "text/html").withBody(html)),
        Arguments.of(
            "an HTML error page with 502",
            aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody(html)),
        Arguments.of(
            "a 409 (the same key still being processed)",
            Stubs.error(
                409,
                "idempotency_error",
                null,
                "There is currently another in-progress request using "
                    + "this Idempotent Key (that probably means you submitted twice, and the other "
                    + "request is still going through): ref_01KopekRefund. Please try again later.")),
        Arguments.of(
            "the connection reset by the peer",
            aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)),
        Arguments.of(
            "the connection closed without an answer", aResponse().withFault(Fault.EMPTY_RESPONSE)),
        Arguments.of(
            "garbage, then the connection closed",
            aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)),
        Arguments.of("a malformed chunk", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
  }

  private static void assertUnknown(GatewayFailure failure) {
    assertThat(failure.outcomeUnknown()).as("outcome unknown: %s", failure).isTrue();
    assertThat(failure.kind()).isNotEqualTo(Kind.INPUT_NOT_ACCEPTED);
    assertThat(failure.message()).startsWith("Stripe").doesNotContain(Stubs.SECRET_KEY);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  @DisplayName("refund(): Failed with an unknown outcome, never Declined")
  void refund(String what, ResponseDefinitionBuilder answer) throws Exception {
    stripe.stubFor(any(anyUrl()).willReturn(answer));

    RefundResult result = Stubs.gateway(stripe.baseUrl()).refund(REFUND);

    assertThat(result)
        .isInstanceOfSatisfying(
            RefundResult.Failed.class, failed -> assertUnknown(failed.failure()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  @DisplayName(
      "refund() of a Checkout Session whose retrieval is unusable: unknown, not Declined no_payment")
  void refundOfSession(String what, ResponseDefinitionBuilder answer) throws Exception {
    stripe.stubFor(get(urlPathEqualTo("/v1/checkout/sessions/" + CS)).willReturn(answer));

    RefundResult result =
        Stubs.gateway(stripe.baseUrl())
            .refund(new RefundRequest("pay_x", CS, 500, "USD", "ref_01KopekRefund"));

    assertThat(result)
        .isInstanceOfSatisfying(
            RefundResult.Failed.class, failed -> assertUnknown(failed.failure()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  @DisplayName("startCheckout() with a PaymentIntent: Failed with an unknown outcome")
  void paymentIntent(String what, ResponseDefinitionBuilder answer) throws Exception {
    stripe.stubFor(any(anyUrl()).willReturn(answer));

    CheckoutResult result = Stubs.gateway(stripe.baseUrl()).startCheckout(CHECKOUT);

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class, failed -> assertUnknown(failed.failure()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  @DisplayName("startCheckout() with a Checkout Session: Failed with an unknown outcome")
  void checkoutSession(String what, ResponseDefinitionBuilder answer) throws Exception {
    stripe.stubFor(any(anyUrl()).willReturn(answer));

    CheckoutResult result =
        Stubs.gateway(stripe.baseUrl(), Map.of("mode", "checkout_session"), Clock.systemUTC())
            .startCheckout(CHECKOUT);

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class, failed -> assertUnknown(failed.failure()));
  }

  @Test
  @DisplayName(
      "refund(): a 400 idempotency_error (the key was used with other parameters) is unknown, not Declined")
  void idempotencyKeyUsedBefore() throws Exception {
    stripe.stubFor(
        any(anyUrl())
            .willReturn(
                Stubs.error(
                    400,
                    "idempotency_error",
                    null,
                    "Keys for idempotent requests can only be used with the same parameters they were "
                        + "first used with. Try using a key other than 'ref_01KopekRefund' if you meant to "
                        + "execute a different request.")));

    assertThat(Stubs.gateway(stripe.baseUrl()).refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> {
              assertUnknown(failed.failure());
              assertThat(failed.failure().message())
                  .contains(
                      "ref_01KopekRefund",
                      "used before with other parameters",
                      "idempotency_error",
                      "HTTP 400");
            });
  }

  @Test
  @DisplayName(
      "a dropped connection is named as such: what failed and the exception, not the SDK's advice")
  void droppedConnectionMessage() throws Exception {
    stripe.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    assertThat(Stubs.gateway(stripe.baseUrl()).refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed ->
                assertThat(failed.failure().message())
                    .isEqualTo(
                        "Stripe: refunding "
                            + PI
                            + " failed: no answer from Stripe: Connection "
                            + "reset (SocketException)"));
  }

  @Test
  @DisplayName("a connection closed without an answer is not sent again behind Kopek's back")
  void notResent() throws Exception {
    stripe.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));

    Stubs.gateway(stripe.baseUrl()).refund(REFUND);

    assertThat(stripe.findAll(postRequestedFor(urlPathEqualTo("/v1/refunds")))).hasSize(1);
  }

  @Test
  @DisplayName(
      "an answer slower than timeout_ms: TIMEOUT, unknown, for refund() and startCheckout()")
  void slow() throws Exception {
    stripe.stubFor(
        any(anyUrl())
            .willReturn(
                Stubs.ok(
                        Stubs.refund(
                            "re_3KopekRefund01", PI, 500, "succeeded", "ref_01KopekRefund"))
                    .withFixedDelay(1500)));
    Gateway gateway = Stubs.gateway(stripe.baseUrl(), Map.of("timeout_ms", 250), Clock.systemUTC());

    assertThat(gateway.refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(Kind.TIMEOUT);
              assertUnknown(failed.failure());
            });
    assertThat(gateway.startCheckout(CHECKOUT))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(Kind.TIMEOUT);
              assertUnknown(failed.failure());
            });
  }

  @Test
  @DisplayName(
      "a 401 is AUTHENTICATION, a definite refusal, with Stripe's message, status and request id")
  void unauthorized() throws Exception {
    stripe.stubFor(
        any(anyUrl())
            .willReturn(
                Stubs.error(
                    401,
                    "invalid_request_error",
                    null,
                    "Invalid API Key provided: sk_test_****0000")));
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    RefundResult refund = gateway.refund(REFUND);
    CheckoutResult checkout = gateway.startCheckout(CHECKOUT);

    assertThat(refund).isInstanceOf(RefundResult.Failed.class);
    assertThat(checkout).isInstanceOf(CheckoutResult.Failed.class);
    for (GatewayFailure failure :
        new GatewayFailure[] {
          ((RefundResult.Failed) refund).failure(), ((CheckoutResult.Failed) checkout).failure()
        }) {
      assertThat(failure.kind()).isEqualTo(Kind.AUTHENTICATION);
      assertThat(failure.outcomeUnknown()).isFalse();
      assertThat(failure.message())
          .contains(
              "Invalid API Key provided: sk_test_****0000",
              "HTTP 401",
              "invalid_request_error",
              "req_kopektest")
          .doesNotContain(Stubs.SECRET_KEY);
    }
  }

  @Test
  @DisplayName(
      "a 400 invalid_request: refund() Declined with Stripe's code, startCheckout() INVALID_REQUEST")
  void invalidRequest() throws Exception {
    stripe.stubFor(
        any(anyUrl())
            .willReturn(
                Stubs.error(
                    400,
                    "invalid_request_error",
                    "amount_too_large",
                    "Refund amount ($5.00) is greater than unrefunded amount on charge "
                        + "($0.00)")));
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    assertThat(gateway.refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("amount_too_large"));
    assertThat(gateway.startCheckout(CHECKOUT))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(Kind.INVALID_REQUEST);
              assertThat(failed.failure().outcomeUnknown()).isFalse();
              assertThat(failed.failure().message())
                  .contains("amount_too_large", "HTTP 400", "req_kopektest");
            });
  }
}
