package dev.kopek.gateway.braintree;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.kopek.gateway.braintree.BraintreeFixtures.BASE;
import static dev.kopek.gateway.braintree.BraintreeFixtures.errorWithTransaction;
import static dev.kopek.gateway.braintree.BraintreeFixtures.stubFind;
import static dev.kopek.gateway.braintree.BraintreeFixtures.stubSearch;
import static dev.kopek.gateway.braintree.BraintreeFixtures.txn;
import static dev.kopek.gateway.braintree.BraintreeFixtures.xml;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.StatusResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Polling where a payment stands, and refunds and voids that never happen twice. */
@DisplayName("Braintree status and refunds")
class BraintreeStatusAndRefundTest {

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

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "submitted_for_settlement, SUCCEEDED",
    "settling, SUCCEEDED",
    "settled, SUCCEEDED",
    "authorizing, PENDING",
    "authorized, PENDING",
    "settlement_pending, PENDING",
    "voided, DECLINED",
    "processor_declined, DECLINED",
    "gateway_rejected, DECLINED",
    "failed, DECLINED",
    "settlement_declined, DECLINED",
    "authorization_expired, DECLINED",
    "some_new_status, UNKNOWN"
  })
  void statusesMapToOutcomes(String status, String expected) {
    stubFind(server, txn("txn_1").status(status));
    stubSearch(server, "pay_x");

    StatusResult result = gateway.fetchStatus("pay_x", "txn_1");

    assertThat(result)
        .isInstanceOfSatisfying(
            StatusResult.Known.class,
            known -> {
              assertThat(known.outcome().getClass().getSimpleName().toUpperCase())
                  .isEqualTo(expected);
              assertThat(known.providerReference()).isEqualTo("txn_1");
              assertThat(known.amountMinor()).isEqualTo(2000);
              assertThat(known.currency()).isEqualTo("USD");
            });
  }

  @Test
  void aCapturedReferenceIsAnsweredWithoutSearching() {
    stubFind(server, txn("txn_1").status("settled").amount("1.500", "KWD"));

    assertThat(gateway.fetchStatus("pay_x", "txn_1"))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.SUCCEEDED, "txn_1", 1500, "KWD"));
    server.verify(1, getRequestedFor(urlEqualTo(BASE + "/transactions/txn_1")));
    server.verify(0, postRequestedFor(urlMatching(".*/advanced_search.*")));
  }

  @Test
  void withoutAReferenceTheOrderIdIsSearched() {
    stubSearch(server, "pay_x", txn("txn_found").status("authorizing"));

    assertThat(gateway.fetchStatus("pay_x", null))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.PENDING, "txn_found", 2000, "USD"));
    server.verify(
        postRequestedFor(urlEqualTo(BASE + "/transactions/advanced_search_ids"))
            .withRequestBody(containing("<order_id><is>pay_x</is></order_id>")));
  }

  @Test
  void aCapturedSaleOfTheOrderOutranksADeclinedReference() {
    stubFind(server, txn("txn_declined").status("processor_declined"));
    stubSearch(
        server,
        "pay_x",
        txn("txn_declined").status("processor_declined"),
        txn("txn_paid").status("settled"));

    assertThat(gateway.fetchStatus("pay_x", "txn_declined"))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.SUCCEEDED, "txn_paid", 2000, "USD"));
  }

  @Test
  void noTransactionAtAllIsNotFound() {
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_gone")).willReturn(aResponse().withStatus(404)));
    stubSearch(server, "pay_x");

    assertThat(gateway.fetchStatus("pay_x", "txn_gone"))
        .isInstanceOfSatisfying(
            StatusResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.NOT_FOUND));
  }

  @Test
  void pollingFailuresAreTyped() {
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1")).willReturn(aResponse().withStatus(503)));

    assertThat(gateway.fetchStatus("pay_x", "txn_1"))
        .isInstanceOfSatisfying(
            StatusResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.UNAVAILABLE));
  }

  private static RefundRequest refund(long amountMinor) {
    return new RefundRequest("pay_x", "txn_1", amountMinor, "USD", "re_key1");
  }

  @Test
  void aSettledSaleIsRefundedWithTheKeyAsOrderId() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/txn_1/refund"))
            .willReturn(
                xml(
                    201,
                    txn("txn_ref")
                        .refundOf("txn_1")
                        .orderId("re_key1")
                        .amount("7.50", "USD")
                        .xml())));

    assertThat(gateway.refund(refund(750))).isEqualTo(new RefundResult.Refunded("txn_ref"));
    server.verify(
        1,
        postRequestedFor(urlEqualTo(BASE + "/transactions/txn_1/refund"))
            .withRequestBody(containing("<amount>7.50</amount>"))
            .withRequestBody(containing("<orderId>re_key1</orderId>")));
  }

  @Test
  void aRetryFindsTheEarlierRefundAndRefundsNothing() {
    stubFind(server, txn("txn_1").status("settled").refundIds("txn_other", "txn_ref"));
    stubFind(server, txn("txn_other").refundOf("txn_1").orderId("re_someone_else"));
    stubFind(server, txn("txn_ref").refundOf("txn_1").orderId("re_key1"));

    assertThat(gateway.refund(refund(750))).isEqualTo(new RefundResult.Refunded("txn_ref"));
    server.verify(0, postRequestedFor(urlMatching(".*/refund")));
  }

  @Test
  void anUnsettledSaleIsVoidedWhenRefundedInFull() {
    stubFind(server, txn("txn_1").status("submitted_for_settlement"));
    server.stubFor(
        put(urlEqualTo(BASE + "/transactions/txn_1/void"))
            .willReturn(xml(200, txn("txn_1").status("voided").xml())));

    assertThat(gateway.refund(refund(2000))).isEqualTo(new RefundResult.Refunded("txn_1"));
    server.verify(1, putRequestedFor(urlEqualTo(BASE + "/transactions/txn_1/void")));
    server.verify(0, postRequestedFor(urlMatching(".*/refund")));
  }

  @Test
  void aRetryOfAVoidFindsTheSaleVoided() {
    stubFind(server, txn("txn_1").status("voided"));

    assertThat(gateway.refund(refund(2000))).isEqualTo(new RefundResult.Refunded("txn_1"));
    assertThat(gateway.refund(refund(500))).isInstanceOf(RefundResult.Declined.class);
    server.verify(0, putRequestedFor(urlMatching(".*/void")));
  }

  @Test
  void partOfAnUnsettledSaleCannotBeRefundedYet() {
    stubFind(server, txn("txn_1").status("submitted_for_settlement"));

    assertThat(gateway.refund(refund(500)))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("not_settled"));
    server.verify(0, putRequestedFor(urlMatching(".*/void")));
  }

  @Test
  void aSaleThatStartedSettlingIsRefundedWhenTheVoidIsRefused() {
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1"))
            .inScenario("settle")
            .whenScenarioStateIs("Started")
            .willSetStateTo("settling")
            .willReturn(xml(200, txn("txn_1").status("submitted_for_settlement").xml())));
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1"))
            .inScenario("settle")
            .whenScenarioStateIs("settling")
            .willReturn(xml(200, txn("txn_1").status("settling").xml())));
    server.stubFor(
        put(urlEqualTo(BASE + "/transactions/txn_1/void"))
            .willReturn(
                xml(
                    422,
                    BraintreeFixtures.validationError(
                        "91504",
                        "base",
                        "Transaction can only be voided if status is authorized, submitted_for_settlement, "
                            + "or - for PayPal - settlement_pending."))));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/txn_1/refund"))
            .willReturn(xml(201, txn("txn_ref").refundOf("txn_1").orderId("re_key1").xml())));

    assertThat(gateway.refund(refund(2000))).isEqualTo(new RefundResult.Refunded("txn_ref"));
  }

  @Test
  void aVoidRefusedBecauseTheSaleIsVoidedAlreadyIsRefunded() {
    // The first void went through but its answer was lost; the repeat is refused.
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1"))
            .inScenario("voided")
            .whenScenarioStateIs("Started")
            .willSetStateTo("voided")
            .willReturn(xml(200, txn("txn_1").status("submitted_for_settlement").xml())));
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1"))
            .inScenario("voided")
            .whenScenarioStateIs("voided")
            .willReturn(xml(200, txn("txn_1").status("voided").xml())));
    server.stubFor(
        put(urlEqualTo(BASE + "/transactions/txn_1/void"))
            .willReturn(
                xml(
                    422,
                    BraintreeFixtures.validationError(
                        "91504",
                        "base",
                        "Transaction can only be voided if status is authorized, submitted_for_settlement, "
                            + "or - for PayPal - settlement_pending."))));

    assertThat(gateway.refund(refund(2000))).isEqualTo(new RefundResult.Refunded("txn_1"));
    server.verify(0, postRequestedFor(urlMatching(".*/refund")));
  }

  @Test
  void aRefusedRefundIsDeclinedWithBraintreesCode() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/txn_1/refund"))
            .willReturn(
                xml(
                    422,
                    BraintreeFixtures.validationError(
                        "91521", "amount", "Refund amount is too large."))));

    assertThat(gateway.refund(refund(750)))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class,
            declined -> {
              assertThat(declined.code()).isEqualTo("transaction_refund_amount_is_too_large");
              assertThat(declined.message()).contains("91521");
            });
  }

  @Test
  void aRefundDeclinedByTheProcessorIsDeclined() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/txn_1/refund"))
            .willReturn(
                xml(
                    422,
                    errorWithTransaction(
                        "Processor Declined",
                        txn("txn_ref")
                            .refundOf("txn_1")
                            .status("processor_declined")
                            .processor("2046", "Declined")))));

    assertThat(gateway.refund(refund(750)))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class, declined -> assertThat(declined.code()).isEqualTo("2046"));
  }

  @Test
  void withoutAReferenceTheCapturedSaleOfThePaymentIsRefunded() {
    stubSearch(server, "pay_x", txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/txn_1/refund"))
            .willReturn(xml(201, txn("txn_ref").refundOf("txn_1").orderId("re_key1").xml())));

    assertThat(gateway.refund(new RefundRequest("pay_x", null, 2000, "USD", "re_key1")))
        .isEqualTo(new RefundResult.Refunded("txn_ref"));
  }

  @Test
  void withoutAReferenceARetryOfAVoidFindsTheVoidedSale() {
    stubSearch(server, "pay_x", txn("txn_1").status("voided"));

    assertThat(gateway.refund(new RefundRequest("pay_x", null, 2000, "USD", "re_key1")))
        .isEqualTo(new RefundResult.Refunded("txn_1"));
    server.verify(0, putRequestedFor(urlMatching(".*/void")));
  }

  @Test
  void aRefundInAnotherCurrencyIsDeclined() {
    stubFind(server, txn("txn_1").status("settled"));

    assertThat(gateway.refund(new RefundRequest("pay_x", "txn_1", 2000, "JPY", "re_key1")))
        .isInstanceOfSatisfying(
            RefundResult.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("currency_mismatch"));
  }

  @Test
  void refundFailuresAreTyped() {
    stubFind(server, txn("txn_1").status("settled"));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/txn_1/refund"))
            .willReturn(aResponse().withStatus(504)));

    assertThat(gateway.refund(refund(750)))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.TIMEOUT));
  }

  @Test
  void anUnknownSaleIsNotFound() {
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_1")).willReturn(aResponse().withStatus(404)));
    stubSearch(server, "pay_x");

    assertThat(gateway.refund(refund(750)))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.NOT_FOUND));
  }
}
