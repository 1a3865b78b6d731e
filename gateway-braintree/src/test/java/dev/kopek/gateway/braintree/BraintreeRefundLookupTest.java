package dev.kopek.gateway.braintree;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.kopek.gateway.braintree.BraintreeFixtures.BASE;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PRIVATE_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.stubFind;
import static dev.kopek.gateway.braintree.BraintreeFixtures.stubSearch;
import static dev.kopek.gateway.braintree.BraintreeFixtures.txn;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Looking a refund up by its key: the sale's refunds, by order id; a void for a whole refund. */
@DisplayName("Braintree fetchRefund")
class BraintreeRefundLookupTest {

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

  private static RefundRequest refund(long amountMinor) {
    return new RefundRequest("pay_x", "txn_1", amountMinor, "USD", "re_key1");
  }

  private static void assertNothingSent() {
    server.verify(0, postRequestedFor(urlMatching(".*/refund")));
    server.verify(0, putRequestedFor(urlMatching(".*/void")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"submitted_for_settlement", "settling", "settled", "authorizing"})
  @DisplayName("the sale's refund whose order id is the key is Refunded")
  void refunded(String status) {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_other", "txn_ref"));
    stubFind(server, txn("txn_other").refundOf("txn_1").orderId("re_someone_else"));
    stubFind(
        server,
        txn("txn_ref").refundOf("txn_1").orderId("re_key1").status(status).amount("7.50", "USD"));

    assertThat(gateway.fetchRefund(refund(750))).isEqualTo(new RefundLookup.Refunded("txn_ref"));
    assertNothingSent();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "processor_declined, 2046",
    "failed, failed",
    "voided, voided",
    "settlement_declined, settlement_declined"
  })
  @DisplayName("a refund the processor declined, that failed or was voided, is Declined")
  void declined(String status, String code) {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_ref"));
    stubFind(
        server,
        txn("txn_ref")
            .refundOf("txn_1")
            .orderId("re_key1")
            .status(status)
            .processor("2046", "Declined"));

    assertThat(gateway.fetchRefund(refund(750)))
        .isInstanceOfSatisfying(
            RefundLookup.Declined.class,
            declined -> {
              assertThat(declined.code()).isEqualTo(code);
              assertThat(declined.message()).contains("txn_ref", status);
            });
    assertNothingSent();
  }

  @Test
  @DisplayName("a refund the gateway rejected is Declined with the rejection reason")
  void rejected() {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_ref"));
    stubFind(server, txn("txn_ref").refundOf("txn_1").orderId("re_key1").rejected("fraud"));

    assertThat(gateway.fetchRefund(refund(750)))
        .isInstanceOfSatisfying(
            RefundLookup.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("fraud"));
  }

  @Test
  @DisplayName(
      "refund() sent again under the key of a declined refund answers Declined, and refunds nothing")
  void refundAgainAfterADecline() {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_ref"));
    stubFind(
        server,
        txn("txn_ref")
            .refundOf("txn_1")
            .orderId("re_key1")
            .status("processor_declined")
            .processor("2046", "Declined"));

    assertThat(gateway.refund(refund(750)))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class, declined -> assertThat(declined.code()).isEqualTo("2046"));
    assertNothingSent();
  }

  @Test
  @DisplayName("a voided sale answers for a refund of its whole amount, not for part of it")
  void voided() {
    stubFind(server, txn("txn_1").status("voided"));

    assertThat(gateway.fetchRefund(refund(2000))).isEqualTo(new RefundLookup.Refunded("txn_1"));
    assertThat(gateway.fetchRefund(refund(500))).isEqualTo(new RefundLookup.Absent());
    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", "txn_1", 2000, "JPY", "re_key1")))
        .isEqualTo(new RefundLookup.Absent());
    assertNothingSent();
  }

  @Test
  @DisplayName("without a reference the payment's voided sale is found by its order id")
  void voidedWithoutReference() {
    stubSearch(server, "pay_x", txn("txn_1").status("voided"));

    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", null, 2000, "USD", "re_key1")))
        .isEqualTo(new RefundLookup.Refunded("txn_1"));
  }

  @Test
  @DisplayName(
      "no refund with the key (others, or none), an unsettled sale, or an unknown sale: Absent")
  void absent() {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_other"));
    stubFind(server, txn("txn_other").refundOf("txn_1").orderId("re_someone_else"));
    assertThat(gateway.fetchRefund(refund(750))).isEqualTo(new RefundLookup.Absent());

    stubFind(server, txn("txn_1").status("submitted_for_settlement"));
    assertThat(gateway.fetchRefund(refund(2000))).isEqualTo(new RefundLookup.Absent());

    server.resetAll();
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1")).willReturn(aResponse().withStatus(404)));
    stubSearch(server, "pay_x");
    assertThat(gateway.fetchRefund(refund(750))).isEqualTo(new RefundLookup.Absent());
    assertNothingSent();
  }

  @Test
  @DisplayName("a 503 is Failed UNAVAILABLE, outcome unknown, naming the exception and status")
  void unavailable() {
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1")).willReturn(aResponse().withStatus(503)));

    assertThat(gateway.fetchRefund(refund(750)))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.UNAVAILABLE);
              assertThat(failed.failure().outcomeUnknown()).isTrue();
              assertThat(failed.failure().message())
                  .contains("ServiceUnavailableException", "HTTP 503", "refund lookup");
            });
  }

  @Test
  @DisplayName("a failure reading a refund of the sale is Failed, never Absent")
  void refundUnreadable() {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_ref"));
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_ref"))
            .willReturn(aResponse().withStatus(200).withBody("<transaction><id>txn_ref")));

    assertThat(gateway.fetchRefund(refund(750)))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> assertThat(failed.failure().outcomeUnknown()).isTrue());
  }

  @Test
  @DisplayName("a refund the sale lists but Braintree cannot find is unknown, never NOT_FOUND")
  void listedRefundMissing() {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_ref"));
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_ref")).willReturn(aResponse().withStatus(404)));

    assertThat(gateway.fetchRefund(refund(750)))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> {
              assertThat(failed.failure().outcomeUnknown()).isTrue();
              assertThat(failed.failure().message()).contains("txn_ref", "txn_1");
            });
    assertThat(gateway.refund(refund(750)))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> assertThat(failed.failure().outcomeUnknown()).isTrue());
    assertNothingSent();
  }

  @Test
  @DisplayName("a 401 is AUTHENTICATION, definite, and never carries the private key")
  void unauthorized() {
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1")).willReturn(aResponse().withStatus(401)));

    assertThat(gateway.fetchRefund(refund(750)))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.AUTHENTICATION);
              assertThat(failed.failure().outcomeUnknown()).isFalse();
              assertThat(failed.failure().message())
                  .contains("HTTP 401")
                  .doesNotContain(PRIVATE_KEY);
            });
  }

  @Test
  @DisplayName("without a key nothing is asked")
  void noKey() {
    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", "txn_1", 750, "USD", "")))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST));
    assertThat(server.getAllServeEvents()).isEmpty();
  }
}
