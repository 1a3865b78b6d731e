package dev.kopek.gateway.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
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
import dev.kopek.gateway.spi.StatusResult;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stripe failures are typed values, never exceptions")
class StripeFailuresTest {

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

  private static final CheckoutRequest CHECKOUT =
      new CheckoutRequest(
          "pay_x", "user-7", 2000, "USD", "https://pay.example.com/return", "pay_x");

  /** The failure of each call (start, poll, refund) against whatever Stripe answers now. */
  private static List<GatewayFailure> failures(Gateway gateway) {
    List<GatewayFailure> failures = new ArrayList<>();
    CheckoutResult started = gateway.startCheckout(CHECKOUT);
    assertThat(started).isInstanceOf(CheckoutResult.Failed.class);
    failures.add(((CheckoutResult.Failed) started).failure());
    StatusResult status = gateway.fetchStatus("pay_x", "pi_3KopekTest0001");
    assertThat(status).isInstanceOf(StatusResult.Failed.class);
    failures.add(((StatusResult.Failed) status).failure());
    RefundResult refund =
        gateway.refund(new RefundRequest("pay_x", "pi_3KopekTest0001", 500, "USD", "re_key"));
    assertThat(refund).isInstanceOf(RefundResult.Failed.class);
    failures.add(((RefundResult.Failed) refund).failure());
    return failures;
  }

  private static List<GatewayFailure> failuresWhenStripeAnswers(ResponseDefinitionBuilder answer)
      throws Exception {
    stripe.stubFor(any(anyUrl()).willReturn(answer));
    return failures(Stubs.gateway(stripe.baseUrl()));
  }

  @Test
  @DisplayName("401 (a wrong key) is AUTHENTICATION")
  void unauthorized() throws Exception {
    assertThat(
            failuresWhenStripeAnswers(
                Stubs.error(
                    401,
                    "invalid_request_error",
                    null,
                    "Invalid API Key provided: sk_test_****0000")))
        .allSatisfy(
            failure -> {
              assertThat(failure.kind()).isEqualTo(Kind.AUTHENTICATION);
              assertThat(failure.message()).doesNotContain(Stubs.SECRET_KEY);
            });
  }

  @Test
  @DisplayName("403 (a restricted key without the permission) is AUTHENTICATION")
  void forbidden() throws Exception {
    assertThat(
            failuresWhenStripeAnswers(
                Stubs.error(
                    403,
                    "invalid_request_error",
                    null,
                    "The provided key does not have the required permissions")))
        .extracting(GatewayFailure::kind)
        .containsOnly(Kind.AUTHENTICATION);
  }

  @Test
  @DisplayName("400 resource_missing is NOT_FOUND")
  void resourceMissing() throws Exception {
    assertThat(
            failuresWhenStripeAnswers(
                Stubs.error(
                    400,
                    "invalid_request_error",
                    "resource_missing",
                    "No such payment_intent: 'pi_3KopekTest0001'")))
        .allSatisfy(
            failure -> {
              assertThat(failure.kind()).isEqualTo(Kind.NOT_FOUND);
              assertThat(failure.message()).contains("No such payment_intent");
            });
  }

  @Test
  @DisplayName("400 with another code is INVALID_REQUEST when starting and polling")
  void invalidRequest() throws Exception {
    stripe.stubFor(
        any(anyUrl())
            .willReturn(
                Stubs.error(
                    400,
                    "invalid_request_error",
                    "parameter_invalid_integer",
                    "Invalid integer: abc")));
    Gateway gateway = Stubs.gateway(stripe.baseUrl());

    assertThat(gateway.startCheckout(CHECKOUT))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(Kind.INVALID_REQUEST));
    assertThat(gateway.fetchStatus("pay_x", "pi_1"))
        .isInstanceOfSatisfying(
            StatusResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(Kind.INVALID_REQUEST));
  }

  @Test
  @DisplayName("500 is UNAVAILABLE, retryable")
  void serverError() throws Exception {
    assertThat(
            failuresWhenStripeAnswers(
                Stubs.error(500, "api_error", null, "Sorry, something went wrong.")))
        .allSatisfy(
            failure -> {
              assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
              assertThat(failure.retryable()).isTrue();
            });
  }

  @Test
  @DisplayName("429 (rate limited) is UNAVAILABLE")
  void rateLimited() throws Exception {
    assertThat(
            failuresWhenStripeAnswers(
                Stubs.error(429, "invalid_request_error", "rate_limit", "Too many requests")))
        .extracting(GatewayFailure::kind)
        .containsOnly(Kind.UNAVAILABLE);
  }

  @Test
  @DisplayName("an answer slower than timeout_ms is TIMEOUT")
  void slowAnswer() throws Exception {
    stripe.stubFor(
        any(anyUrl())
            .willReturn(
                Stubs.ok(
                        Stubs.paymentIntent(
                            "pi_3KopekTest0001", 2000, "usd", "requires_payment_method", "pay_x"))
                    .withFixedDelay(1500)));
    Gateway gateway = Stubs.gateway(stripe.baseUrl(), Map.of("timeout_ms", 250), Clock.systemUTC());

    long started = System.nanoTime();
    CheckoutResult result = gateway.startCheckout(CHECKOUT);

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(Kind.TIMEOUT);
              assertThat(failed.failure().retryable()).isTrue();
            });
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1400);
  }

  @Test
  @DisplayName("connection refused (api_base at a closed port) is UNAVAILABLE")
  void connectionRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    assertThat(failures(Stubs.gateway("http://127.0.0.1:" + port)))
        .extracting(GatewayFailure::kind)
        .containsOnly(Kind.UNAVAILABLE);
  }

  @Test
  @DisplayName("a connection dropped mid-answer is UNAVAILABLE")
  void connectionReset() throws Exception {
    assertThat(failuresWhenStripeAnswers(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)))
        .extracting(GatewayFailure::kind)
        .containsOnly(Kind.UNAVAILABLE);
  }

  @Test
  @DisplayName("a 200 whose body is not JSON is a failure, not an exception")
  void unreadableAnswer() throws Exception {
    assertThat(
            failuresWhenStripeAnswers(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("<html>proxy error</html>")))
        .extracting(GatewayFailure::kind)
        .containsOnly(Kind.INTERNAL);
  }
}
