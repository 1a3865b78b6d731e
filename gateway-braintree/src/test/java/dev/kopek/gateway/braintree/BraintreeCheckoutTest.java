package dev.kopek.gateway.braintree;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.kopek.gateway.braintree.BraintreeFixtures.BASE;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PRIVATE_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PUBLIC_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.checkout;
import static dev.kopek.gateway.braintree.BraintreeFixtures.errorWithTransaction;
import static dev.kopek.gateway.braintree.BraintreeFixtures.stubSearch;
import static dev.kopek.gateway.braintree.BraintreeFixtures.txn;
import static dev.kopek.gateway.braintree.BraintreeFixtures.validationError;
import static dev.kopek.gateway.braintree.BraintreeFixtures.xml;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.SubmitResult;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Starting a checkout issues a client token; submitting the Drop-in nonce makes one sale, with the
 * exact decimal amount, never a second one for the same payment, and every refusal or failure comes
 * back as a value.
 */
@DisplayName("Braintree checkout and submission")
class BraintreeCheckoutTest {

  private static final String SALES = BASE + "/transactions";
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

  private static Map<String, String> nonce(String nonce) {
    Map<String, String> form = new HashMap<>();
    form.put("payment_method_nonce", nonce);
    form.put("device_data", "{\"correlation_id\":\"c0ffee\"}");
    return form;
  }

  private static void stubSale(int status, String body) {
    server.stubFor(post(urlEqualTo(SALES)).willReturn(xml(status, body)));
  }

  @Test
  void startCheckoutIssuesAClientTokenForTheCurrencysMerchantAccount() {
    server.stubFor(
        post(urlEqualTo(BASE + "/client_token"))
            .willReturn(xml(201, "<client-token><value>tok_abc</value></client-token>")));

    CheckoutResult result =
        gateway.startCheckout(
            new CheckoutRequest(
                "pay_x", "user_1", 2000, "usd", "https://shop.example/return", "pay_x"));

    assertThat(result).isEqualTo(new CheckoutResult.Started(null, null, "tok_abc"));
    server.verify(
        postRequestedFor(urlEqualTo(BASE + "/client_token"))
            .withBasicAuth(new BasicCredentials(PUBLIC_KEY, PRIVATE_KEY))
            .withRequestBody(containing("<merchantAccountId>acct_usd</merchantAccountId>")));
  }

  @Test
  void startCheckoutRefusesACurrencyWithoutAMerchantAccountBeforeCallingBraintree() {
    CheckoutResult result =
        gateway.startCheckout(new CheckoutRequest("pay_x", "user_1", 2000, "EUR", null, "pay_x"));

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INPUT_NOT_ACCEPTED);
              assertThat(failed.failure().field()).isEqualTo("currency");
              assertThat(failed.failure().message())
                  .contains("EUR", "payments.gateways.braintree.merchant_account_id")
                  .contains("JPY, KWD, USD");
            });
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  void saleSendsTheExactAmountOrderIdNonceAndSettlesAtOnce() {
    stubSearch(server, "pay_x");
    stubSale(201, txn("txn_1").xml());

    SubmitResult result =
        gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("fake-valid-nonce"));

    assertThat(result).isEqualTo(new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, "txn_1"));
    server.verify(
        1,
        postRequestedFor(urlEqualTo(SALES))
            .withBasicAuth(new BasicCredentials(PUBLIC_KEY, PRIVATE_KEY))
            .withHeader("Content-Type", containing("application/xml"))
            .withRequestBody(containing("<amount>20.00</amount>"))
            .withRequestBody(containing("<orderId>pay_x</orderId>"))
            .withRequestBody(
                containing("<paymentMethodNonce>fake-valid-nonce</paymentMethodNonce>"))
            .withRequestBody(containing("<merchantAccountId>acct_usd</merchantAccountId>"))
            .withRequestBody(containing("<submitForSettlement>true</submitForSettlement>"))
            .withRequestBody(
                containing(
                    "<deviceData>{&quot;correlation_id&quot;:&quot;c0ffee&quot;}"
                        + "</deviceData>"))
            .withRequestBody(notContaining(PRIVATE_KEY)));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "1000, JPY, 1000, acct_jpy",
    "1500, KWD, 1.500, acct_kwd",
    "5, USD, 0.05, acct_usd",
    "1, KWD, 0.001, acct_kwd"
  })
  void amountsUseTheCurrencysExponent(long minor, String currency, String decimal, String account) {
    String paymentId = "pay_" + currency.toLowerCase() + minor;
    stubSearch(server, paymentId);
    stubSale(201, txn("txn_" + currency).amount(decimal, currency).orderId(paymentId).xml());

    SubmitResult result =
        gateway.submitCheckout(checkout(paymentId, minor, currency), nonce("nonce-1"));

    assertThat(result)
        .isEqualTo(new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, "txn_" + currency));
    server.verify(
        postRequestedFor(urlEqualTo(SALES))
            .withRequestBody(containing("<amount>" + decimal + "</amount>"))
            .withRequestBody(containing("<merchantAccountId>" + account + "</merchantAccountId>")));
  }

  @Test
  void anEarlierTransactionForThePaymentIsAnsweredWithoutChargingAgain() {
    stubSearch(server, "pay_x", txn("txn_earlier").status("settling"));
    stubSale(201, txn("txn_second").xml());

    SubmitResult result =
        gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("another-nonce"));

    assertThat(result)
        .isEqualTo(new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, "txn_earlier"));
    server.verify(0, postRequestedFor(urlEqualTo(SALES)));
    server.verify(
        1,
        postRequestedFor(urlEqualTo(BASE + "/transactions/advanced_search_ids"))
            .withRequestBody(containing("<order_id><is>pay_x</is></order_id>"))
            .withRequestBody(containing("<item>sale</item>")));
  }

  @Test
  void anEarlierDeclineIsAnsweredToo() {
    stubSearch(
        server,
        "pay_x",
        txn("txn_declined").status("processor_declined").processor("2001", "Insufficient Funds"));

    SubmitResult result =
        gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("another-nonce"));

    assertThat(result)
        .isEqualTo(
            new SubmitResult.Accepted(
                new PaymentOutcome.Declined(
                    "2001", "The card issuer declined the payment (Insufficient Funds)."),
                "txn_declined"));
    server.verify(0, postRequestedFor(urlEqualTo(SALES)));
  }

  @Test
  void aFailedSearchChargesNothing() {
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/advanced_search_ids"))
            .willReturn(aResponse().withStatus(503)));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.UNAVAILABLE));
    server.verify(0, postRequestedFor(urlEqualTo(SALES)));
  }

  @Test
  void processorDeclineIsDeclinedWithTheProcessorCode() {
    stubSearch(server, "pay_x");
    stubSale(
        422,
        errorWithTransaction(
            "Do Not Honor",
            txn("txn_d").status("processor_declined").processor("2000", "Do Not Honor")));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isEqualTo(
            new SubmitResult.Accepted(
                new PaymentOutcome.Declined(
                    "2000", "The card issuer declined the payment (Do Not Honor)."),
                "txn_d"));
  }

  @Test
  void sensitiveProcessorTextIsNotShownToThePayer() {
    stubSearch(server, "pay_x");
    stubSale(
        422,
        errorWithTransaction(
            "Possible Stolen Card",
            txn("txn_s").status("processor_declined").processor("2013", "Possible Stolen Card")));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Accepted.class,
            accepted -> {
              assertThat(accepted.outcome())
                  .isInstanceOfSatisfying(
                      PaymentOutcome.Declined.class,
                      declined -> {
                        assertThat(declined.code()).isEqualTo("2013");
                        assertThat(declined.message()).doesNotContainIgnoringCase("stolen");
                      });
            });
  }

  @Test
  void gatewayRejectionIsDeclinedWithTheReason() {
    stubSearch(server, "pay_x");
    stubSale(422, errorWithTransaction("Gateway Rejected: cvv", txn("txn_r").rejected("cvv")));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Accepted.class,
            accepted ->
                assertThat(accepted.outcome())
                    .isInstanceOfSatisfying(
                        PaymentOutcome.Declined.class,
                        declined -> assertThat(declined.code()).isEqualTo("cvv")));
  }

  @Test
  void aDuplicateRejectionNamingThisPaymentsSaleAnswersThatSale() {
    // The search finds nothing before the sale (index lag), then finds the original after.
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/advanced_search_ids"))
            .inScenario("lag")
            .whenScenarioStateIs("Started")
            .willSetStateTo("indexed")
            .willReturn(
                xml(
                    200,
                    "<search-results><page-size type=\"integer\">50</page-size>"
                        + "<ids type=\"array\"></ids></search-results>")));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/advanced_search_ids"))
            .inScenario("lag")
            .whenScenarioStateIs("indexed")
            .willReturn(
                xml(
                    200,
                    "<search-results><page-size type=\"integer\">50</page-size>"
                        + "<ids type=\"array\"><item>txn_orig</item><item>txn_dup</item></ids>"
                        + "</search-results>")));
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/advanced_search"))
            .willReturn(
                xml(
                    200,
                    "<credit-card-transactions type=\"collection\">"
                        + "<current-page-number type=\"integer\">1</current-page-number>"
                        + "<page-size type=\"integer\">50</page-size><total-items type=\"integer\">2"
                        + "</total-items>"
                        + txn("txn_orig").xml()
                        + txn("txn_dup").rejected("duplicate").xml()
                        + "</credit-card-transactions>")));
    stubSale(
        422,
        errorWithTransaction("Gateway Rejected: duplicate", txn("txn_dup").rejected("duplicate")));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result).isEqualTo(new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, "txn_orig"));
  }

  @Test
  void anUnknownNonceIsAFormErrorThePayerCanFix() {
    stubSearch(server, "pay_x");
    stubSale(
        422,
        validationError(
            "91565", "payment_method_nonce", "Unknown or expired payment_method_nonce."));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("stale"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Invalid.class,
            invalid -> assertThat(invalid.field()).isEqualTo("payment_method_nonce"));
  }

  @Test
  void otherValidationErrorsAreInvalidRequests() {
    stubSearch(server, "pay_x");
    stubSale(422, validationError("81528", "amount", "Amount is too large."));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST);
              assertThat(failed.failure().message()).contains("81528", "Amount is too large");
            });
  }

  @Test
  void aMissingNonceIsAFormErrorAndNothingIsSent() {
    assertThat(gateway.submitCheckout(checkout("pay_x", 2000, "USD"), Map.of()))
        .isEqualTo(
            new SubmitResult.Invalid(
                "payment_method_nonce",
                "Choose a payment method and enter its details, then pay."));
    assertThat(
            gateway.submitCheckout(
                checkout("pay_x", 2000, "USD"), Map.of("payment_method_nonce", "  ")))
        .isInstanceOf(SubmitResult.Invalid.class);
    assertThat(
            gateway.submitCheckout(
                checkout("pay_x", 2000, "USD"), Map.of("payment_method_nonce", "has spaces <x>")))
        .isInstanceOf(SubmitResult.Invalid.class);
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  void aSaleForAnotherAmountIsNotReportedAsSucceeded() {
    stubSearch(server, "pay_x", txn("txn_other").amount("25.00", "USD"));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result).isEqualTo(new SubmitResult.Accepted(PaymentOutcome.UNKNOWN, "txn_other"));
  }

  @Test
  void aCurrencyWithoutAMerchantAccountIsRefusedWithoutASale() {
    stubSearch(server, "pay_eur");

    SubmitResult result = gateway.submitCheckout(checkout("pay_eur", 2000, "EUR"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INPUT_NOT_ACCEPTED);
              assertThat(failed.failure().field()).isEqualTo("currency");
            });
    server.verify(0, postRequestedFor(urlEqualTo(SALES)));
  }

  @Test
  void aSingleMerchantAccountIsLookedUpOnceAndItsCurrencyEnforced() throws Exception {
    Map<String, Object> config = BraintreeFixtures.config(server);
    config.put("merchant_account_id", "acct_eur");
    BraintreeAdapter single = BraintreeFixtures.gateway(config);
    server.stubFor(
        get(urlEqualTo(BASE + "/merchant_accounts/acct_eur"))
            .willReturn(
                xml(
                    200,
                    "<merchant-account><id>acct_eur</id><status>active</status>"
                        + "<currency-iso-code>EUR</currency-iso-code><default type=\"boolean\">false</default>"
                        + "</merchant-account>")));
    server.stubFor(
        post(urlEqualTo(BASE + "/client_token"))
            .willReturn(xml(201, "<client-token><value>tok_eur</value></client-token>")));

    CheckoutResult usd =
        single.startCheckout(new CheckoutRequest("pay_1", "u", 2000, "USD", null, "pay_1"));
    CheckoutResult eur =
        single.startCheckout(new CheckoutRequest("pay_2", "u", 2000, "EUR", null, "pay_2"));

    assertThat(usd)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().message())
                  .contains("acct_eur settles EUR, not USD")
                  .contains("takes only EUR");
              assertThat(failed.failure().field()).isEqualTo("currency");
            });
    assertThat(eur).isEqualTo(new CheckoutResult.Started(null, null, "tok_eur"));
    server.verify(1, getRequestedFor(urlEqualTo(BASE + "/merchant_accounts/acct_eur")));
    server.verify(
        1,
        postRequestedFor(urlEqualTo(BASE + "/client_token"))
            .withRequestBody(containing("<merchantAccountId>acct_eur</merchantAccountId>")));
  }

  @Test
  void withoutAConfiguredAccountTheDefaultAccountIsUsedForItsCurrencyOnly() throws Exception {
    Map<String, Object> config = BraintreeFixtures.config(server);
    config.remove("merchant_account_id");
    BraintreeAdapter byDefault = BraintreeFixtures.gateway(config);
    server.stubFor(
        get(urlPathEqualTo(BASE + "/merchant_accounts"))
            .willReturn(
                xml(
                    200,
                    "<merchant-accounts type=\"collection\">"
                        + "<current-page-number type=\"integer\">1</current-page-number>"
                        + "<page-size type=\"integer\">50</page-size>"
                        + "<total-items type=\"integer\">2</total-items>"
                        + "<merchant-account><id>acct_gbp</id><status>active</status>"
                        + "<currency-iso-code>GBP</currency-iso-code><default type=\"boolean\">false</default>"
                        + "</merchant-account>"
                        + "<merchant-account><id>acct_main</id><status>active</status>"
                        + "<currency-iso-code>USD</currency-iso-code><default type=\"boolean\">true</default>"
                        + "</merchant-account></merchant-accounts>")));
    server.stubFor(
        post(urlEqualTo(BASE + "/client_token"))
            .willReturn(xml(201, "<client-token><value>tok_main</value></client-token>")));

    assertThat(
            byDefault.startCheckout(new CheckoutRequest("pay_1", "u", 2000, "USD", null, "pay_1")))
        .isEqualTo(new CheckoutResult.Started(null, null, "tok_main"));
    assertThat(
            byDefault.startCheckout(new CheckoutRequest("pay_2", "u", 2000, "GBP", null, "pay_2")))
        .isInstanceOf(CheckoutResult.Failed.class);
    server.verify(
        postRequestedFor(urlEqualTo(BASE + "/client_token"))
            .withRequestBody(containing("<merchantAccountId>acct_main</merchantAccountId>")));
  }

  @Test
  void aTimeoutIsATimeoutFailure() throws Exception {
    Map<String, Object> config = BraintreeFixtures.config(server);
    config.put("timeout_ms", 300);
    BraintreeAdapter impatient = BraintreeFixtures.gateway(config);
    stubSearch(server, "pay_x");
    server.stubFor(
        post(urlEqualTo(SALES)).willReturn(xml(201, txn("txn_1").xml()).withFixedDelay(1500)));

    SubmitResult result = impatient.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.TIMEOUT);
              assertThat(failed.failure().retryable()).isTrue();
            });
  }

  @ParameterizedTest(name = "HTTP {0} -> {1}")
  @CsvSource({
    "503, UNAVAILABLE",
    "500, UNAVAILABLE",
    "429, UNAVAILABLE",
    "502, UNAVAILABLE",
    "504, TIMEOUT",
    "408, TIMEOUT",
    "401, AUTHENTICATION",
    "403, AUTHENTICATION",
    "404, NOT_FOUND",
    "426, INTERNAL"
  })
  void httpErrorsAreTypedFailures(int status, GatewayFailure.Kind kind) {
    stubSearch(server, "pay_x");
    server.stubFor(post(urlEqualTo(SALES)).willReturn(aResponse().withStatus(status)));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(kind);
              assertThat(failed.failure().message()).doesNotContain(PRIVATE_KEY);
            });
  }

  @Test
  void aBrokenConnectionIsUnavailable() {
    stubSearch(server, "pay_x");
    server.stubFor(
        post(urlEqualTo(SALES)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    SubmitResult result = gateway.submitCheckout(checkout("pay_x", 2000, "USD"), nonce("n"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.UNAVAILABLE));
  }

  @Test
  void aRefusedClientTokenIsAFailureNotAnException() {
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

    CheckoutResult result =
        gateway.startCheckout(new CheckoutRequest("pay_x", "u", 2000, "USD", null, "pay_x"));

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST));
  }

  @Test
  void clientTokenFailuresAreTyped() {
    server.stubFor(
        post(urlEqualTo(BASE + "/client_token"))
            .withHeader("Authorization", matching("Basic .*"))
            .willReturn(aResponse().withStatus(401)));

    CheckoutResult result =
        gateway.startCheckout(new CheckoutRequest("pay_x", "u", 2000, "USD", null, "pay_x"));

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.AUTHENTICATION));
  }
}
