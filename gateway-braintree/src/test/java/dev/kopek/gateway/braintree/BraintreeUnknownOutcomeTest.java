package dev.kopek.gateway.braintree;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.kopek.gateway.braintree.BraintreeFixtures.BASE;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PRIVATE_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.stubFind;
import static dev.kopek.gateway.braintree.BraintreeFixtures.txn;
import static dev.kopek.gateway.braintree.BraintreeFixtures.validationError;
import static dev.kopek.gateway.braintree.BraintreeFixtures.xml;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When Braintree may have acted but Kopek cannot read what it did, refund() and startCheckout()
 * report a failure whose outcome is unknown, never a refusal.
 */
@DisplayName("Braintree: an answer Kopek cannot use is never a refusal")
class BraintreeUnknownOutcomeTest {

  private static final String REFUND_URL = BASE + "/transactions/txn_1/refund";
  private static final CheckoutRequest CHECKOUT =
      new CheckoutRequest("pay_x", "user_1", 2000, "USD", "https://shop.example/return", "pay_x");
  private static final RefundRequest REFUND =
      new RefundRequest("pay_x", "txn_1", 750, "USD", "re_key1");

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

  static Stream<Arguments> unusableAnswers() {
    String html =
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
            + "<h1>502 Bad Gateway</h1></body></html>";
    return Stream.of(
        Arguments.of(
            "a 200 whose body is not XML",
            aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/xml")
                .withBody("proxy error: upstream gone")),
        Arguments.of(
            "a 201 whose XML is cut short",
            xml(201, "<transaction><id>txn_ref</id><status>submitted_for_")),
        Arguments.of(
            "a 200 with an HTML page that is well-formed XML",
            aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/html")
                .withBody("<html><body><p>Please wait</p></body></html>")),
        Arguments.of(
            "a 200 with no body",
            aResponse().withStatus(200).withHeader("Content-Type", "application/xml")),
        Arguments.of(
            "an HTML error page with 500",
            aResponse().withStatus(500).withHeader("Content-Type", "text/html").withBody(html)),
        Arguments.of(
            "an HTML error page with 502",
            aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody(html)),
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
    assertThat(failure.message()).startsWith("Braintree").doesNotContain(PRIVATE_KEY);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  @DisplayName("refund() of a settled sale: Failed with an unknown outcome, never Declined")
  void refund(String what, ResponseDefinitionBuilder answer) {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(post(urlEqualTo(REFUND_URL)).willReturn(answer));

    RefundResult result = gateway.refund(REFUND);

    assertThat(result)
        .isInstanceOfSatisfying(
            RefundResult.Failed.class, failed -> assertUnknown(failed.failure()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  @DisplayName("refund() that voids an unsettled sale: Failed with an unknown outcome")
  void voiding(String what, ResponseDefinitionBuilder answer) {
    stubFind(server, txn("txn_1").status("submitted_for_settlement"));
    server.stubFor(put(urlEqualTo(BASE + "/transactions/txn_1/void")).willReturn(answer));

    RefundResult result =
        gateway.refund(new RefundRequest("pay_x", "txn_1", 2000, "USD", "re_key1"));

    assertThat(result)
        .isInstanceOfSatisfying(
            RefundResult.Failed.class, failed -> assertUnknown(failed.failure()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableAnswers")
  @DisplayName("startCheckout(): Failed with an unknown outcome")
  void startCheckout(String what, ResponseDefinitionBuilder answer) {
    server.stubFor(post(urlEqualTo(BASE + "/client_token")).willReturn(answer));

    CheckoutResult result = gateway.startCheckout(CHECKOUT);

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class, failed -> assertUnknown(failed.failure()));
  }

  @Test
  @DisplayName("failure messages name the exception, the HTTP status and what was done")
  void messages() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(post(urlEqualTo(REFUND_URL)).willReturn(aResponse().withStatus(503)));
    assertThat(gateway.refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed ->
                assertThat(failed.failure().message())
                    .isEqualTo(
                        "Braintree is unavailable "
                            + "(ServiceUnavailableException, HTTP 503) [refund]"));

    server.stubFor(post(urlEqualTo(REFUND_URL)).willReturn(aResponse().withStatus(502)));
    assertThat(gateway.refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed ->
                assertThat(failed.failure().message())
                    .isEqualTo(
                        "Braintree could not be "
                            + "reached (UnexpectedException: Unexpected HTTP_RESPONSE 502) [refund]"));

    server.stubFor(
        post(urlEqualTo(REFUND_URL))
            .willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
    assertThat(gateway.refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed ->
                assertThat(failed.failure().message())
                    .startsWith("Braintree's answer was not " + "HTTP"));
  }

  @Test
  @DisplayName(
      "a refund whose connection closed without an answer is not sent again behind Kopek's back")
  void notResent() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(REFUND_URL)).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));

    gateway.refund(REFUND);

    server.verify(1, postRequestedFor(urlEqualTo(REFUND_URL)));
  }

  @Test
  @DisplayName(
      "an answer slower than timeout_ms: TIMEOUT, unknown, for refund() and startCheckout()")
  void slow() throws Exception {
    Map<String, Object> config = BraintreeFixtures.config(server);
    config.put("timeout_ms", 300);
    BraintreeAdapter impatient = BraintreeFixtures.gateway(config);
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(REFUND_URL))
            .willReturn(
                xml(201, txn("txn_ref").refundOf("txn_1").orderId("re_key1").xml())
                    .withFixedDelay(1500)));
    server.stubFor(
        post(urlEqualTo(BASE + "/client_token"))
            .willReturn(
                xml(201, "<client-token><value>tok_abc</value></client-token>")
                    .withFixedDelay(1500)));

    assertThat(impatient.refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.TIMEOUT);
              assertUnknown(failed.failure());
            });
    assertThat(impatient.startCheckout(CHECKOUT))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.TIMEOUT);
              assertUnknown(failed.failure());
            });
  }

  @Test
  @DisplayName("a 401 is AUTHENTICATION, a definite refusal naming the exception and the status")
  void unauthorized() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(post(urlEqualTo(REFUND_URL)).willReturn(aResponse().withStatus(401)));
    server.stubFor(
        post(urlEqualTo(BASE + "/client_token")).willReturn(aResponse().withStatus(401)));

    RefundResult refund = gateway.refund(REFUND);
    CheckoutResult checkout = gateway.startCheckout(CHECKOUT);

    assertThat(refund).isInstanceOf(RefundResult.Failed.class);
    assertThat(checkout).isInstanceOf(CheckoutResult.Failed.class);
    for (GatewayFailure failure :
        new GatewayFailure[] {
          ((RefundResult.Failed) refund).failure(), ((CheckoutResult.Failed) checkout).failure()
        }) {
      assertThat(failure.kind()).isEqualTo(GatewayFailure.Kind.AUTHENTICATION);
      assertThat(failure.outcomeUnknown()).isFalse();
      assertThat(failure.message())
          .contains("AuthenticationException", "HTTP 401")
          .doesNotContain(PRIVATE_KEY);
    }
  }

  @Test
  @DisplayName(
      "a 422 with validation errors: refund() Declined with Braintree's code, startCheckout() INVALID_REQUEST")
  void validationErrors() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(REFUND_URL))
            .willReturn(
                xml(422, validationError("91521", "amount", "Refund amount is too large."))));
    server.stubFor(
        post(urlEqualTo(BASE + "/client_token"))
            .willReturn(
                xml(
                    422,
                    "<api-error-response><errors><errors type=\"array\"/>"
                        + "<client-token><errors type=\"array\"><error><code>92807</code>"
                        + "<attribute type=\"symbol\">merchant_account_id</attribute>"
                        + "<message>Merchant account does not exist</message></error></errors>"
                        + "</client-token></errors><message>Merchant account does not exist</message>"
                        + "</api-error-response>")));

    assertThat(gateway.refund(REFUND))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class,
            declined -> assertThat(declined.message()).contains("91521"));
    assertThat(gateway.startCheckout(CHECKOUT))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST);
              assertThat(failed.failure().outcomeUnknown()).isFalse();
              assertThat(failed.failure().message())
                  .contains("92807", "Merchant account does not exist");
            });
  }
}
