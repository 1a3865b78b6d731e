package dev.kopek.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.kopek.server.BraintreeFlowTest.SALES;
import static dev.kopek.server.BraintreeFlowTest.xml;
import static dev.kopek.testkit.Poll.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refunds through Braintree when Braintree fails the ways it can: refuses the API keys, answers an
 * unreadable body after refunding, answers too late after refunding, drops the connection after the
 * request was sent. Braintree is WireMock answering with Braintree's XML; its sale is a WireMock
 * scenario that lists a refund from the moment Braintree made it, as Braintree's does. Braintree
 * takes no idempotency key: Kopek's key travels as the refund's order id, and a refund of the sale
 * with that order id is answered instead of refunding again. The wallet is debited exactly once for
 * the refund Braintree holds, and never for one it does not.
 */
@DisplayName("Braintree refunds under provider faults, end to end over HTTP")
@Timeout(90)
class BraintreeRefundFaultsTest {

  /** What the SDK sends as a refund's order id: Kopek's idempotency key of the attempt. */
  private static final Pattern ORDER_ID = Pattern.compile("<orderId>([^<]*)</orderId>");

  /** Braintree echoes the order id it was sent in the refund it creates. */
  private static final String ECHOED_ORDER_ID =
      "{{xPath request.body '/transaction/orderId/text()'}}";

  @TempDir static Path dir;

  static RefundFaults faults;
  static WireMockServer braintree;
  static ProviderFlow kopek;

  @BeforeAll
  static void start() throws Exception {
    faults = RefundFaults.start(dir, "braintree", BraintreeFlowTest::gateways);
    braintree = faults.provider;
    kopek = faults.kopek;
    BraintreeFlowTest.braintree = braintree;
    BraintreeFlowTest.kopek = kopek;
  }

  @AfterAll
  static void stop() throws Exception {
    BraintreeFlowTest.braintree = null;
    BraintreeFlowTest.kopek = null;
    if (faults != null) {
      faults.close();
    }
  }

  @BeforeEach
  void reset() {
    faults.reset();
    braintree.stubFor(
        post(urlEqualTo(BraintreeFlowTest.BASE + "/client_token"))
            .willReturn(
                xml(201, "<client-token><value>client-token-for-drop-in</value></client-token>")));
  }

  /** A user with a credited top-up of 20.00 USD paid by Braintree sale {@code sale}. */
  private record Paid(String user, String token, String topupId, String sale) {

    String scenario() {
      return "sale " + sale;
    }

    String refundUrl() {
      return SALES + "/" + sale + "/refund";
    }
  }

  private Paid paid() throws Exception {
    int n = faults.nextUser();
    String user = "bt-refund-user-" + n;
    String sale = "txn_refund_sale_" + n;
    String token = kopek.token(user);
    String id = BraintreeFlowTest.payWithDropIn(token, sale).getString("id");
    kopek.assertCreditedOnce(token, id, 2000);
    return new Paid(user, token, id, sale);
  }

  // Braintree as WireMock plays it.

  /** The paid sale, settled since, listing the refunds Braintree made of it. */
  private static String settledSale(Paid paid, String... refundIds) {
    String sale =
        BraintreeFlowTest.transaction(paid.sale(), "settled", paid.topupId(), "1000", "Approved");
    if (refundIds.length == 0) {
      return sale;
    }
    return sale.replace(
        "<refund-ids type=\"array\"/>",
        "<refund-ids type=\"array\">"
            + Stream.of(refundIds)
                .map(id -> "<item>" + id + "</item>")
                .collect(Collectors.joining())
            + "</refund-ids>");
  }

  /**
   * A refund of the sale as Braintree renders it: a credit, processed (1002), submitted for
   * settlement, carrying the order id it was made with.
   */
  private static String refundTransaction(String id, Paid paid, String amount, String orderId) {
    return BraintreeFlowTest.transaction(
            id, "submitted_for_settlement", orderId, "1002", "Processed")
        .replace("<type>sale</type>", "<type>credit</type>")
        .replace("<amount>20.00</amount>", "<amount>" + amount + "</amount>")
        .replace(
            "<refund-ids type=\"array\"/>",
            "<refunded-transaction-id>"
                + paid.sale()
                + "</refunded-transaction-id><refund-ids type=\"array\"/>");
  }

  /** Braintree's answer to a refund it made, echoing the order id it was sent. */
  private static ResponseDefinitionBuilder refunded(String id, Paid paid, String amount) {
    return xml(201, refundTransaction(id, paid, amount, ECHOED_ORDER_ID))
        .withTransformers("response-template");
  }

  /**
   * An answer cut off mid-document, after the transaction's id, status, type and amount and before
   * the rest (its order id among them).
   */
  private static ResponseDefinitionBuilder truncated(int status, String body) {
    return xml(status, body.substring(0, body.indexOf("<merchant-account-id>")));
  }

  /** The sale as Braintree answers it while the scenario is in {@code state}. */
  private static void stubSale(Paid paid, String state, ResponseDefinitionBuilder answer) {
    braintree.stubFor(
        get(urlEqualTo(SALES + "/" + paid.sale()))
            .inScenario(paid.scenario())
            .whenScenarioStateIs(state)
            .willReturn(answer));
  }

  private static void stubTransaction(String id, ResponseDefinitionBuilder answer) {
    braintree.stubFor(get(urlEqualTo(SALES + "/" + id)).willReturn(answer));
  }

  private HttpResponse<Buffer> refund(Paid paid, String key, long amount) throws Exception {
    return faults.refund(paid.user(), paid.topupId(), key, amount);
  }

  private static List<LoggedRequest> refundCalls(Paid paid) {
    return braintree.findAll(postRequestedFor(urlEqualTo(paid.refundUrl())));
  }

  private static List<LoggedRequest> refundCalls(Paid paid, String amount) {
    return braintree.findAll(
        postRequestedFor(urlEqualTo(paid.refundUrl()))
            .withRequestBody(containing("<amount>" + amount + "</amount>")));
  }

  /** The order id a refund call carried: the idempotency key of Kopek's attempt. */
  private static String orderId(LoggedRequest call) {
    Matcher matcher = ORDER_ID.matcher(call.getBodyAsString());
    assertThat(matcher.find()).as(call.getBodyAsString()).isTrue();
    return matcher.group(1);
  }

  /** How many times Braintree answered with {@code stub}. */
  private static long served(StubMapping stub) {
    return braintree.getAllServeEvents().stream()
        .filter(
            event ->
                event.getStubMapping() != null
                    && stub.getId().equals(event.getStubMapping().getId()))
        .count();
  }

  /** The amounts of the user's refund entries in the ledger, newest first. */
  private List<Long> refundEntries(Paid paid) throws Exception {
    return faults.refundEntries(paid.token(), paid.topupId());
  }

  private JsonObject topup(Paid paid) throws Exception {
    return kopek.api.get("/v1/topups/" + paid.topupId(), paid.token()).bodyAsJsonObject();
  }

  private static void assertNothingVoided() {
    braintree.verify(0, putRequestedFor(urlMatching(".*/void")));
  }

  // The faults.

  @Test
  @DisplayName(
      "Braintree refuses the API keys (401): 502 and the debit reversed; the retry with "
          + "the same Idempotency-Key once the keys work is a new attempt under a new order id, and "
          + "refunds once")
  void refusalThenRetry() throws Exception {
    Paid paid = paid();
    stubSale(paid, STARTED, xml(200, settledSale(paid)));
    braintree.stubFor(post(urlEqualTo(paid.refundUrl())).willReturn(aResponse().withStatus(401)));

    HttpResponse<Buffer> refused = refund(paid, "r1", 500);
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(502);
    assertThat(refused.bodyAsJsonObject().getString("detail"))
        .contains("authentication", "was reversed");
    assertThat(kopek.balance(paid.token())).isEqualTo(2000);
    assertThat(refundEntries(paid)).containsExactly(500L, -500L);
    assertThat(refundCalls(paid)).hasSize(1);

    braintree.stubFor(
        post(urlEqualTo(paid.refundUrl()))
            .inScenario(paid.scenario())
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("refunded")
            .willReturn(refunded("txn_refund_1a", paid, "5.00")));
    stubSale(paid, "refunded", xml(200, settledSale(paid, "txn_refund_1a")));
    HttpResponse<Buffer> retried = refund(paid, "r1", 500);
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
    JsonObject done = retried.bodyAsJsonObject();
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(done.getString("gateway_reference")).isEqualTo("txn_refund_1a");
    assertThat(done.getInteger("attempt")).isEqualTo(2);
    assertThat(kopek.balance(paid.token())).isEqualTo(1500);
    assertThat(refundEntries(paid)).containsExactly(-500L, 500L, -500L);
    assertThat(topup(paid).getLong("refunded_minor")).isEqualTo(500);

    List<LoggedRequest> calls = refundCalls(paid);
    assertThat(calls).hasSize(2);
    assertThat(calls)
        .allSatisfy(call -> assertThat(call.getBodyAsString()).contains("<amount>5.00</amount>"));
    assertThat(orderId(calls.get(0))).isEqualTo(done.getString("id"));
    assertThat(orderId(calls.get(1)))
        .isNotEqualTo(orderId(calls.get(0)))
        .isEqualTo(done.getString("id") + "_a2");
    assertNothingVoided();
  }

  @Test
  @DisplayName(
      "an unreadable answer after Braintree refunded is not a refusal: 202 pending, the "
          + "debit stays, and the refund the sale lists under Kopek's key settles it without "
          + "refunding again")
  void unreadableAnswerAfterRefunding() throws Exception {
    Paid paid = paid();
    stubSale(paid, STARTED, xml(200, settledSale(paid)));
    // Braintree refunds, then its answers come back cut off for a while.
    braintree.stubFor(
        post(urlEqualTo(paid.refundUrl()))
            .inScenario(paid.scenario())
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("refunded")
            .willReturn(
                truncated(201, refundTransaction("txn_refund_2a", paid, "7.00", "cut off"))));
    StubMapping cutOff =
        braintree.stubFor(
            get(urlEqualTo(SALES + "/" + paid.sale()))
                .inScenario(paid.scenario())
                .whenScenarioStateIs("refunded")
                .willReturn(truncated(200, settledSale(paid, "txn_refund_2a"))));

    HttpResponse<Buffer> pending = refund(paid, "r1", 700);
    assertThat(pending.statusCode()).as(pending.bodyAsString()).isEqualTo(202);
    assertThat(pending.bodyAsJsonObject().getString("status")).isEqualTo("pending");
    assertThat(pending.bodyAsJsonObject().getString("gateway_reference")).isNull();
    String refundId = pending.bodyAsJsonObject().getString("id");
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);
    assertThat(refundEntries(paid)).containsExactly(-700L);

    // The janitor sends it again with the same key, reads nothing, and leaves it as it is.
    eventually(Duration.ofSeconds(10), () -> assertThat(served(cutOff)).isPositive());
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);
    assertThat(refundEntries(paid)).containsExactly(-700L);

    stubSale(paid, "refunded", xml(200, settledSale(paid, "txn_refund_2a")));
    stubTransaction(
        "txn_refund_2a", xml(200, refundTransaction("txn_refund_2a", paid, "7.00", refundId)));
    eventually(
        Duration.ofSeconds(20),
        () -> {
          HttpResponse<Buffer> now = refund(paid, "r1", 700);
          assertThat(now.statusCode()).as(now.bodyAsString()).isEqualTo(201);
          assertThat(now.bodyAsJsonObject().getString("status")).isEqualTo("succeeded");
          assertThat(now.bodyAsJsonObject().getString("gateway_reference"))
              .isEqualTo("txn_refund_2a");
        });
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);
    assertThat(refundEntries(paid)).containsExactly(-700L);
    assertThat(topup(paid).getLong("refunded_minor")).isEqualTo(700);
    assertThat(refundCalls(paid))
        .singleElement()
        .satisfies(
            call -> {
              assertThat(orderId(call)).isEqualTo(refundId);
              assertThat(call.getBodyAsString()).contains("<amount>7.00</amount>");
            });
    assertNothingVoided();
  }

  @Test
  @DisplayName(
      "a connection reset after sending, and an answer later than timeout_ms after "
          + "Braintree refunded, leave each refund pending with its debit; each ends with one debit "
          + "for the one refund Braintree holds")
  void resetAndTimeoutAfterSending() throws Exception {
    Paid paid = paid();
    stubSale(paid, STARTED, xml(200, settledSale(paid)));
    // 4.00: the connection drops once the request is sent; Braintree never got it.
    StubMapping reset =
        braintree.stubFor(
            post(urlEqualTo(paid.refundUrl()))
                .withRequestBody(containing("<amount>4.00</amount>"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    // 3.00: Braintree refunds, and is slower than timeout_ms from then on.
    braintree.stubFor(
        post(urlEqualTo(paid.refundUrl()))
            .inScenario(paid.scenario())
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("late refunded")
            .withRequestBody(containing("<amount>3.00</amount>"))
            .willReturn(refunded("txn_refund_3a", paid, "3.00").withFixedDelay(2500)));
    stubSale(
        paid, "late refunded", xml(200, settledSale(paid, "txn_refund_3a")).withFixedDelay(2500));

    HttpResponse<Buffer> dropped = refund(paid, "reset", 400);
    assertThat(dropped.statusCode()).as(dropped.bodyAsString()).isEqualTo(202);
    assertThat(dropped.bodyAsJsonObject().getString("status")).isEqualTo("pending");
    String resetId = dropped.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> late = refund(paid, "late", 300);
    assertThat(late.statusCode()).as(late.bodyAsString()).isEqualTo(202);
    assertThat(late.bodyAsJsonObject().getString("status")).isEqualTo("pending");
    String lateId = late.bodyAsJsonObject().getString("id");
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);
    assertThat(refundEntries(paid)).containsExactly(-300L, -400L);

    // Braintree answers in time again: it holds the late refund; the dropped one is made when
    // it is sent again.
    // (Stubbed from the leaves up: the janitor may look at any moment.)
    stubTransaction(
        "txn_refund_3a", xml(200, refundTransaction("txn_refund_3a", paid, "3.00", lateId)));
    stubTransaction(
        "txn_refund_3b", xml(200, refundTransaction("txn_refund_3b", paid, "4.00", resetId)));
    stubSale(paid, "both refunded", xml(200, settledSale(paid, "txn_refund_3a", "txn_refund_3b")));
    StubMapping made =
        braintree.stubFor(
            post(urlEqualTo(paid.refundUrl()))
                .inScenario(paid.scenario())
                .whenScenarioStateIs("late refunded")
                .willSetStateTo("both refunded")
                .withRequestBody(containing("<amount>4.00</amount>"))
                .willReturn(refunded("txn_refund_3b", paid, "4.00")));
    braintree.removeStub(reset);
    stubSale(paid, "late refunded", xml(200, settledSale(paid, "txn_refund_3a")));

    eventually(
        Duration.ofSeconds(20),
        () -> {
          HttpResponse<Buffer> lateNow = refund(paid, "late", 300);
          assertThat(lateNow.statusCode()).as(lateNow.bodyAsString()).isEqualTo(201);
          assertThat(lateNow.bodyAsJsonObject().getString("gateway_reference"))
              .isEqualTo("txn_refund_3a");
          HttpResponse<Buffer> resetNow = refund(paid, "reset", 400);
          assertThat(resetNow.statusCode()).as(resetNow.bodyAsString()).isEqualTo(201);
          assertThat(resetNow.bodyAsJsonObject().getString("gateway_reference"))
              .isEqualTo("txn_refund_3b");
        });
    assertThat(kopek.balance(paid.token())).isEqualTo(1300);
    assertThat(refundEntries(paid)).containsExactlyInAnyOrder(-300L, -400L);
    assertThat(topup(paid).getLong("refunded_minor")).isEqualTo(700);

    // The late refund was sent once; the dropped one as often as it took (the JDK's HTTP client
    // itself sends a POST again, once, when the connection drops before the answer), always
    // under its own key, and made once.
    assertThat(refundCalls(paid, "3.00"))
        .singleElement()
        .satisfies(call -> assertThat(orderId(call)).isEqualTo(lateId));
    assertThat(refundCalls(paid, "4.00"))
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(call -> assertThat(orderId(call)).isEqualTo(resetId));
    assertThat(refundCalls(paid))
        .hasSize(refundCalls(paid, "3.00").size() + refundCalls(paid, "4.00").size());
    assertThat(served(made)).isEqualTo(1);
    assertNothingVoided();
  }

  @Test
  @DisplayName(
      "defect: a connection reset after Braintree refunded is not followed by a second "
          + "refund: the JDK's HTTP client must not send the refund again behind Kopek's back")
  void resetAfterBraintreeRefundedRefundsOnce() throws Exception {
    Paid paid = paid();
    stubSale(paid, STARTED, xml(200, settledSale(paid)));
    // Braintree refunds (txn_refund_4a), then the connection drops before its answer arrives.
    braintree.stubFor(
        post(urlEqualTo(paid.refundUrl()))
            .inScenario(paid.scenario())
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("refunded")
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    // Braintree takes no idempotency key: the same refund sent again is a second refund.
    StubMapping second =
        braintree.stubFor(
            post(urlEqualTo(paid.refundUrl()))
                .inScenario(paid.scenario())
                .whenScenarioStateIs("refunded")
                .willSetStateTo("refunded twice")
                .willReturn(refunded("txn_refund_4b", paid, "6.00")));
    stubSale(paid, "refunded", xml(200, settledSale(paid, "txn_refund_4a")));
    stubSale(paid, "refunded twice", xml(200, settledSale(paid, "txn_refund_4a", "txn_refund_4b")));
    stubTransaction("txn_refund_4a", aResponse().withStatus(503));

    HttpResponse<Buffer> pending = refund(paid, "r1", 600);
    assertThat(refundCalls(paid)).hasSize(1);
    assertThat(served(second)).isZero();
    assertThat(pending.statusCode()).as(pending.bodyAsString()).isEqualTo(202);
    String refundId = pending.bodyAsJsonObject().getString("id");

    stubTransaction(
        "txn_refund_4a", xml(200, refundTransaction("txn_refund_4a", paid, "6.00", refundId)));
    eventually(
        Duration.ofSeconds(20),
        () -> {
          HttpResponse<Buffer> now = refund(paid, "r1", 600);
          assertThat(now.statusCode()).as(now.bodyAsString()).isEqualTo(201);
          assertThat(now.bodyAsJsonObject().getString("gateway_reference"))
              .isEqualTo("txn_refund_4a");
        });
    assertThat(kopek.balance(paid.token())).isEqualTo(1400);
    assertThat(refundEntries(paid)).containsExactly(-600L);
    assertThat(refundCalls(paid)).hasSize(1);
    assertThat(served(second)).isZero();
  }

  @Test
  @DisplayName(
      "defect: a connection reset after Braintree voided the unsettled sale ends with the "
          + "refund succeeded, not with its debit reversed")
  void resetAfterBraintreeVoidedKeepsTheDebit() throws Exception {
    Paid paid = paid();
    String voidUrl = SALES + "/" + paid.sale() + "/void";
    String refusal =
        "Transaction can only be voided if status is authorized, "
            + "submitted_for_settlement, or - for PayPal - settlement_pending.";
    stubSale(
        paid,
        STARTED,
        xml(
            200,
            BraintreeFlowTest.transaction(
                paid.sale(), "submitted_for_settlement", paid.topupId(), "1000", "Approved")));
    // Braintree voids the sale, then the connection drops before its answer arrives.
    braintree.stubFor(
        put(urlEqualTo(voidUrl))
            .inScenario(paid.scenario())
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("voided")
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    // A void of the voided sale is refused (91504).
    braintree.stubFor(
        put(urlEqualTo(voidUrl))
            .inScenario(paid.scenario())
            .whenScenarioStateIs("voided")
            .willReturn(
                xml(
                    422,
                    "<api-error-response><errors><errors type=\"array\"/>"
                        + "<transaction><errors type=\"array\"><error><code>91504</code>"
                        + "<attribute type=\"symbol\">base</attribute><message>"
                        + refusal
                        + "</message></error></errors></transaction></errors>"
                        + "<params><transaction></transaction></params><message>"
                        + refusal
                        + "</message></api-error-response>")));
    stubSale(
        paid,
        "voided",
        xml(
            200,
            BraintreeFlowTest.transaction(
                paid.sale(), "voided", paid.topupId(), "1000", "Approved")));

    HttpResponse<Buffer> first = refund(paid, "r1", 2000);
    assertThat(first.statusCode()).as(first.bodyAsString()).isIn(201, 202);
    eventually(
        Duration.ofSeconds(20),
        () -> {
          HttpResponse<Buffer> now = refund(paid, "r1", 2000);
          assertThat(now.statusCode()).as(now.bodyAsString()).isEqualTo(201);
          assertThat(now.bodyAsJsonObject().getString("gateway_reference")).isEqualTo(paid.sale());
        });
    assertThat(kopek.balance(paid.token())).isZero();
    assertThat(refundEntries(paid)).containsExactly(-2000L);
    assertThat(topup(paid).getString("status")).isEqualTo("refunded");
  }
}
