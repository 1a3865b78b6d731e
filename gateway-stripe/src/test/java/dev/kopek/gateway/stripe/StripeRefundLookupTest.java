package dev.kopek.gateway.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.google.gson.JsonObject;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure.Kind;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Stripe fetchRefund: the payment's refunds, by kopek_refund_id")
class StripeRefundLookupTest {

  private static final String PI = "pi_3KopekTest0001";
  private static final String CS = "cs_test_a1KopekSession";
  private static final String KEY = "ref_01KopekRefund";
  private static final RefundRequest REQUEST = new RefundRequest("pay_x", PI, 500, "USD", KEY);

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

  /** The first page of the PaymentIntent's refunds. */
  private static void firstPage(String intent, boolean hasMore, JsonObject... refunds) {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds"))
            .withQueryParam("payment_intent", equalTo(intent))
            .withQueryParam("starting_after", absent())
            .willReturn(Stubs.ok(Stubs.list("/v1/refunds", hasMore, refunds))));
  }

  private static JsonObject other(String id) {
    return Stubs.refund(id, PI, 100, "succeeded", "ref_someone_else");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"succeeded", "pending", "requires_action"})
  @DisplayName(
      "the refund with kopek_refund_id = the key, succeeded or still to complete, is Refunded")
  void refunded(String status) {
    firstPage(PI, false, other("re_other1"), Stubs.refund("re_mine", PI, 500, status, KEY));

    assertThat(gateway.fetchRefund(REQUEST)).isEqualTo(new RefundLookup.Refunded("re_mine"));
    stripe.verify(
        getRequestedFor(urlPathEqualTo("/v1/refunds"))
            .withQueryParam("payment_intent", equalTo(PI)));
    stripe.verify(0, postRequestedFor(urlMatching(".*")));
  }

  @Test
  @DisplayName("pages are followed with starting_after while has_more")
  void paging() {
    firstPage(PI, true, other("re_other1"), other("re_other2"));
    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds"))
            .withQueryParam("payment_intent", equalTo(PI))
            .withQueryParam("starting_after", equalTo("re_other2"))
            .willReturn(
                Stubs.ok(
                    Stubs.list(
                        "/v1/refunds",
                        false,
                        Stubs.refund("re_mine", PI, 500, "succeeded", KEY)))));

    assertThat(gateway.fetchRefund(REQUEST)).isEqualTo(new RefundLookup.Refunded("re_mine"));
    stripe.verify(2, getRequestedFor(urlPathEqualTo("/v1/refunds")));
  }

  @Test
  @DisplayName(
      "a failed refund is Declined with its failure_reason; a canceled one with its status")
  void declined() {
    JsonObject failed = Stubs.refund("re_mine", PI, 500, "failed", KEY);
    failed.addProperty("failure_reason", "expired_or_canceled_card");
    firstPage(PI, false, failed);

    assertThat(gateway.fetchRefund(REQUEST))
        .isInstanceOfSatisfying(
            RefundLookup.Declined.class,
            declined -> {
              assertThat(declined.code()).isEqualTo("expired_or_canceled_card");
              assertThat(declined.message()).contains("re_mine", "failed");
            });

    stripe.resetAll();
    firstPage(PI, false, Stubs.refund("re_mine", PI, 500, "canceled", KEY));
    assertThat(gateway.fetchRefund(REQUEST))
        .isInstanceOfSatisfying(
            RefundLookup.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("refund_canceled"));
  }

  @Test
  @DisplayName("no refund carries the key (others do, or none at all): Absent")
  void noRefundWithTheKey() {
    firstPage(
        PI, false, other("re_other1"), Stubs.refund("re_untagged", PI, 500, "succeeded", null));
    assertThat(gateway.fetchRefund(REQUEST)).isEqualTo(new RefundLookup.Absent());

    stripe.resetAll();
    firstPage(PI, false);
    assertThat(gateway.fetchRefund(REQUEST)).isEqualTo(new RefundLookup.Absent());
  }

  @Test
  @DisplayName("a Checkout Session is resolved to its PaymentIntent")
  void session() {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/checkout/sessions/" + CS))
            .willReturn(Stubs.ok(Stubs.session(CS, 2000, "usd", "complete", "paid", "pay_x"))));
    // The session fixture's PaymentIntent.
    String intent = "pi_1OPougJN5vQBdWEx8s2Dj0YR";
    firstPage(intent, false, Stubs.refund("re_mine", intent, 500, "succeeded", KEY));

    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", CS, 500, "USD", KEY)))
        .isEqualTo(new RefundLookup.Refunded("re_mine"));
  }

  @Test
  @DisplayName("a Checkout Session never paid has no PaymentIntent, so nothing to refund: Absent")
  void sessionNeverPaid() {
    JsonObject session = Stubs.session(CS, 2000, "usd", "expired", "unpaid", "pay_x");
    session.add("payment_intent", com.google.gson.JsonNull.INSTANCE);
    stripe.stubFor(
        get(urlPathEqualTo("/v1/checkout/sessions/" + CS)).willReturn(Stubs.ok(session)));

    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", CS, 500, "USD", KEY)))
        .isEqualTo(new RefundLookup.Absent());
    stripe.verify(0, getRequestedFor(urlPathEqualTo("/v1/refunds")));
  }

  @Test
  @DisplayName(
      "a 500 is a Failed UNAVAILABLE whose outcome is unknown; the message carries Stripe's words")
  void providerError() {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds"))
            .willReturn(Stubs.error(500, "api_error", null, "Sorry, something went wrong.")));

    assertThat(gateway.fetchRefund(REQUEST))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(Kind.UNAVAILABLE);
              assertThat(failed.failure().outcomeUnknown()).isTrue();
              assertThat(failed.failure().message())
                  .contains(
                      "Sorry, something went wrong.", "HTTP 500", "api_error", "req_kopektest");
            });
  }

  @Test
  @DisplayName("a 401 is AUTHENTICATION, an unknown PaymentIntent NOT_FOUND, as for refund()")
  void refusedLookups() {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds"))
            .willReturn(
                Stubs.error(
                    401,
                    "invalid_request_error",
                    null,
                    "Invalid API Key provided: sk_test_****0000")));
    assertThat(gateway.fetchRefund(REQUEST))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(Kind.AUTHENTICATION);
              assertThat(failed.failure().message()).doesNotContain(Stubs.SECRET_KEY);
            });

    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds"))
            .willReturn(
                Stubs.error(
                    400,
                    "invalid_request_error",
                    "resource_missing",
                    "No such payment_intent: '" + PI + "'")));
    assertThat(gateway.fetchRefund(REQUEST))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(Kind.NOT_FOUND));
  }

  @Test
  @DisplayName("an unreadable list is a Failed whose outcome is unknown, never Absent")
  void unreadableList() {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds"))
            .willReturn(
                Stubs.ok(new JsonObject())
                    .withBody("{\"object\": \"list\", \"data\": [{\"id\": \"re_")));

    assertThat(gateway.fetchRefund(REQUEST))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> assertThat(failed.failure().outcomeUnknown()).isTrue());
  }

  @Test
  @DisplayName("without a reference or a key nothing is asked")
  void nothingToLookUp() {
    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", null, 500, "USD", KEY)))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(Kind.NOT_FOUND));
    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", PI, 500, "USD", " ")))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(Kind.INVALID_REQUEST));
    assertThat(stripe.getAllServeEvents()).isEmpty();
  }
}
