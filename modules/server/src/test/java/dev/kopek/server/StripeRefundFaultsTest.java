package dev.kopek.server;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.kopek.testkit.Poll.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refunds through Stripe when Stripe fails the ways it can: refuses the key, answers an unreadable
 * 200 after refunding, answers too late after refunding, drops the connection after the request was
 * sent. Stripe is WireMock answering with Stripe's published object shapes. The wallet is debited
 * exactly once for the refund Stripe holds, and never for one it does not.
 */
@DisplayName("Stripe refunds under provider faults, end to end over HTTP")
@Timeout(90)
class StripeRefundFaultsTest {

  @TempDir static Path dir;

  static RefundFaults faults;
  static WireMockServer stripe;
  static ProviderFlow kopek;

  @BeforeAll
  static void start() throws Exception {
    faults = RefundFaults.start(dir, "stripe", StripeFlowTest::gateways);
    stripe = faults.provider;
    kopek = faults.kopek;
    StripeFlowTest.stripe = stripe;
    StripeFlowTest.kopek = kopek;
  }

  @AfterAll
  static void stop() throws Exception {
    StripeFlowTest.stripe = null;
    StripeFlowTest.kopek = null;
    if (faults != null) {
      faults.close();
    }
  }

  @BeforeEach
  void reset() {
    faults.reset();
  }

  /** A user with a credited top-up of 20.00 USD through PaymentIntent {@code pi}. */
  private record Paid(String user, String token, String topupId, String intent) {}

  private Paid paid() throws Exception {
    int n = faults.nextUser();
    String user = "refund-user-" + n;
    String intent = "pi_3KopekRefund000" + n;
    StripeFlowTest.stubCreate(intent);
    String token = kopek.token(user);
    String id = kopek.topup(token, "t1", 2000).getString("id");
    HttpResponse<Buffer> hook =
        StripeFlowTest.deliver(StripeFlowTest.succeeded("evt_refund_" + n, intent, id));
    assertThat(hook.statusCode()).as(hook.bodyAsString()).isEqualTo(200);
    kopek.assertCreditedOnce(token, id, 2000);
    return new Paid(user, token, id, intent);
  }

  /** A Stripe refund of {@code amount} cents of {@code intent}, made with {@code refundId}. */
  private static JsonObject refundObject(
      String stripeId, String intent, long amount, String kopekRefundKey) {
    return StripeFlowTest.fixture(
        "refund",
        refund -> {
          refund.addProperty("id", stripeId);
          refund.addProperty("amount", amount);
          refund.addProperty("currency", "usd");
          refund.addProperty("payment_intent", intent);
          refund.addProperty("status", "succeeded");
          JsonObject metadata = new JsonObject();
          metadata.addProperty("kopek_refund_id", kopekRefundKey);
          refund.add("metadata", metadata);
        });
  }

  /** Stripe's list of {@code intent}'s refunds, holding {@code refunds}. */
  private static void stubRefundList(String intent, JsonObject... refunds) {
    JsonObject list = new JsonObject();
    list.addProperty("object", "list");
    list.addProperty("url", "/v1/refunds");
    list.addProperty("has_more", false);
    JsonArray data = new JsonArray();
    for (JsonObject refund : refunds) {
      data.add(refund);
    }
    list.add("data", data);
    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds")).willReturn(StripeFlowTest.json(200, list.toString())));
  }

  private HttpResponse<Buffer> refund(Paid paid, String key, long amount) throws Exception {
    return faults.refund(paid.user(), paid.topupId(), key, amount);
  }

  private static List<LoggedRequest> refundCalls() {
    return stripe.findAll(postRequestedFor(urlEqualTo("/v1/refunds")));
  }

  private long refundEntriesSum(Paid paid) throws Exception {
    return faults.refundEntriesSum(paid.token(), paid.topupId());
  }

  @Test
  @DisplayName(
      "defect: Stripe refuses the key (401); the retry with the same Idempotency-Key "
          + "once the key works debits again and refunds once")
  void refusalThenRetry() throws Exception {
    Paid paid = paid();
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                StripeFlowTest.json(
                    401,
                    "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid API Key provided: "
                        + "sk_test_****0000\"}}")));
    HttpResponse<Buffer> refused = refund(paid, "r1", 500);
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(502);
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("was reversed");
    assertThat(kopek.balance(paid.token())).isEqualTo(2000);
    assertThat(refundEntriesSum(paid)).isZero();

    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                StripeFlowTest.json(
                    200,
                    refundObject("re_3KopekStripe0001", paid.intent(), 500, "any").toString())));
    HttpResponse<Buffer> retried = refund(paid, "r1", 500);
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
    assertThat(retried.bodyAsJsonObject().getString("status")).isEqualTo("succeeded");
    assertThat(retried.bodyAsJsonObject().getString("gateway_reference"))
        .isEqualTo("re_3KopekStripe0001");
    assertThat(kopek.balance(paid.token())).isEqualTo(1500);
    assertThat(refundEntriesSum(paid)).isEqualTo(-500);
    List<LoggedRequest> calls = refundCalls();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(1).getHeader("Idempotency-Key"))
        .isNotEqualTo(calls.get(0).getHeader("Idempotency-Key"));
  }

  @Test
  @DisplayName(
      "defect: an unreadable 200 after Stripe refunded is not a refusal: 202 pending, "
          + "the debit stays, and the refund Stripe holds settles it")
  void garbledAnswerAfterRefunding() throws Exception {
    Paid paid = paid();
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                StripeFlowTest.json(
                    200,
                    "{\"id\": \"re_3KopekStripe0002\", \"object\": \"refund\", \"amount\": 5")));
    HttpResponse<Buffer> pending = refund(paid, "r1", 700);
    assertThat(pending.statusCode()).as(pending.bodyAsString()).isEqualTo(202);
    assertThat(pending.bodyAsJsonObject().getString("status")).isEqualTo("pending");
    String refundId = pending.bodyAsJsonObject().getString("id");
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);

    JsonObject held = refundObject("re_3KopekStripe0002", paid.intent(), 700, refundId);
    stubRefundList(paid.intent(), held);
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds")).willReturn(StripeFlowTest.json(200, held.toString())));
    eventually(
        Duration.ofSeconds(20),
        () -> {
          HttpResponse<Buffer> now = refund(paid, "r1", 700);
          assertThat(now.statusCode()).as(now.bodyAsString()).isEqualTo(201);
          assertThat(now.bodyAsJsonObject().getString("gateway_reference"))
              .isEqualTo("re_3KopekStripe0002");
        });
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);
    assertThat(refundEntriesSum(paid)).isEqualTo(-700);
    assertThat(refundCalls())
        .extracting(r -> r.getHeader("Idempotency-Key"))
        .containsOnly(refundId);
  }

  @Test
  @DisplayName(
      "a timeout after Stripe refunded, and a connection reset after sending, leave the "
          + "refund pending with its debit; each ends with one debit for the one refund")
  void timeoutAndResetAfterSending() throws Exception {
    Paid paid = paid();
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                StripeFlowTest.json(
                        200,
                        refundObject("re_3KopekStripe0003", paid.intent(), 300, "x").toString())
                    .withFixedDelay(2500)));
    HttpResponse<Buffer> late = refund(paid, "late", 300);
    assertThat(late.statusCode()).as(late.bodyAsString()).isEqualTo(202);
    String lateId = late.bodyAsJsonObject().getString("id");

    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                    .withFault(Fault.CONNECTION_RESET_BY_PEER)));
    HttpResponse<Buffer> reset = refund(paid, "reset", 400);
    assertThat(reset.statusCode()).as(reset.bodyAsString()).isEqualTo(202);
    String resetId = reset.bodyAsJsonObject().getString("id");
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);

    // Stripe holds the late one; the reset one never reached it and is sent again.
    stubRefundList(paid.intent(), refundObject("re_3KopekStripe0003", paid.intent(), 300, lateId));
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                StripeFlowTest.json(
                    200,
                    refundObject("re_3KopekStripe0004", paid.intent(), 400, resetId).toString())));
    eventually(
        Duration.ofSeconds(20),
        () -> {
          assertThat(refund(paid, "late", 300).statusCode()).isEqualTo(201);
          assertThat(refund(paid, "reset", 400).statusCode()).isEqualTo(201);
        });
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);
    assertThat(refundEntriesSum(paid)).isEqualTo(-700);
    var topup = kopek.api.get("/v1/topups/" + paid.topupId(), paid.token()).bodyAsJsonObject();
    assertThat(topup.getLong("refunded_minor")).isEqualTo(700);
  }
}
