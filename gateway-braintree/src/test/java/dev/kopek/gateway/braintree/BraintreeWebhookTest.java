package dev.kopek.gateway.braintree;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.kopek.gateway.braintree.BraintreeFixtures.BASE;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PRIVATE_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PUBLIC_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.stubFind;
import static dev.kopek.gateway.braintree.BraintreeFixtures.txn;
import static org.assertj.core.api.Assertions.assertThat;

import com.braintreegateway.BraintreeGateway;
import com.braintreegateway.WebhookNotification;
import com.braintreegateway.util.Sha1Hasher;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Webhooks signed by the SDK itself (its sample notifications, or its HMAC over a payload shaped
 * like Braintree's) and posted form-encoded, the way Braintree posts them.
 */
@DisplayName("Braintree webhooks")
class BraintreeWebhookTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static WireMockServer server;
  private static BraintreeAdapter gateway;
  private static BraintreeGateway signer;

  @BeforeAll
  static void start() throws Exception {
    server = BraintreeFixtures.server();
    gateway = BraintreeFixtures.gateway(server);
    signer = BraintreeFixtures.sdk(server, PUBLIC_KEY, PRIVATE_KEY);
  }

  @BeforeEach
  void reset() {
    server.resetAll();
  }

  private static WebhookRequest post(String body, String contentType) {
    return new WebhookRequest(
        body.getBytes(StandardCharsets.UTF_8),
        contentType == null ? Map.of() : Map.of("Content-Type", List.of(contentType)),
        contentType);
  }

  private static String form(String signature, String payload) {
    return "bt_signature="
        + URLEncoder.encode(signature, StandardCharsets.UTF_8)
        + "&bt_payload="
        + URLEncoder.encode(payload, StandardCharsets.UTF_8);
  }

  private static String form(Map<String, String> sample) {
    return form(sample.get("bt_signature"), sample.get("bt_payload"));
  }

  /** A notification as Braintree sends it: base64 in 60-character lines, HMAC-SHA1 signed. */
  private static Map<String, String> signed(String xml, String publicKey, String privateKey) {
    String payload =
        Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(xml.getBytes(StandardCharsets.UTF_8))
            + "\n";
    return Map.of(
        "bt_signature",
        publicKey + "|" + new Sha1Hasher().hmacHash(privateKey, payload),
        "bt_payload",
        payload);
  }

  private static String notification(String kind, BraintreeFixtures.Txn transaction) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<notification>"
        + "<timestamp type=\"datetime\">2026-11-28T10:00:00Z</timestamp>"
        + "<kind>"
        + kind
        + "</kind><subject>"
        + transaction.xml()
        + "</subject></notification>";
  }

  @Test
  void aSettledTransactionIsVerifiedWithItsPaymentAmountAndCurrency() {
    Map<String, String> sample =
        signed(
            notification(
                "transaction_settled",
                txn("txn_1").status("settled").amount("20.00", "USD").orderId("pay_x")),
            PUBLIC_KEY,
            PRIVATE_KEY);

    WebhookResult result = gateway.parseWebhook(post(form(sample), FORM));

    assertThat(result)
        .isEqualTo(
            new WebhookResult.Verified(
                new GatewayEvent(
                    "transaction_settled:txn_1:2026-11-28T10:00:00Z",
                    "transaction_settled",
                    "pay_x",
                    "txn_1",
                    2000,
                    "USD",
                    PaymentOutcome.SUCCEEDED)));
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  void theSdksOwnSampleIsVerifiedAndItsMissingAmountFetched() {
    Map<String, String> sample =
        signer
            .webhookTesting()
            .sampleNotification(WebhookNotification.Kind.TRANSACTION_SETTLED, "txn_sample");
    stubFind(server, txn("txn_sample").status("settled").amount("1000", "JPY").orderId("pay_jpy"));

    WebhookResult result = gateway.parseWebhook(post(form(sample), FORM + "; charset=utf-8"));

    assertThat(result)
        .isInstanceOfSatisfying(
            WebhookResult.Verified.class,
            verified -> {
              GatewayEvent event = verified.event();
              assertThat(event.providerEventId()).startsWith("transaction_settled:txn_sample:");
              assertThat(event.paymentId()).isEqualTo("pay_jpy");
              assertThat(event.providerReference()).isEqualTo("txn_sample");
              assertThat(event.amountMinor()).isEqualTo(1000);
              assertThat(event.currency()).isEqualTo("JPY");
              assertThat(event.outcome()).isEqualTo(PaymentOutcome.SUCCEEDED);
            });
  }

  @Test
  void aRedeliveryHasTheSameEventId() {
    Map<String, String> sample =
        signed(
            notification("transaction_settled", txn("txn_1").status("settled")),
            PUBLIC_KEY,
            PRIVATE_KEY);

    WebhookResult first = gateway.parseWebhook(post(form(sample), FORM));
    WebhookResult again = gateway.parseWebhook(post(form(sample), FORM));

    assertThat(again).isEqualTo(first);
  }

  @Test
  void aSettlementDeclineIsDeclined() {
    Map<String, String> sample =
        signed(
            notification(
                "transaction_settlement_declined",
                txn("txn_2").status("settlement_declined").amount("1.500", "KWD").orderId("pay_k")),
            PUBLIC_KEY,
            PRIVATE_KEY);

    WebhookResult result = gateway.parseWebhook(post(form(sample), FORM));

    assertThat(result)
        .isInstanceOfSatisfying(
            WebhookResult.Verified.class,
            verified -> {
              assertThat(verified.event().paymentId()).isEqualTo("pay_k");
              assertThat(verified.event().amountMinor()).isEqualTo(1500);
              assertThat(verified.event().outcome())
                  .isInstanceOfSatisfying(
                      PaymentOutcome.Declined.class,
                      declined -> assertThat(declined.code()).isEqualTo("settlement_declined"));
            });
  }

  @Test
  void theSdksSettlementDeclinedSampleIsVerified() {
    Map<String, String> sample =
        signer
            .webhookTesting()
            .sampleNotification(WebhookNotification.Kind.TRANSACTION_SETTLEMENT_DECLINED, "txn_3");

    WebhookResult result = gateway.parseWebhook(post(form(sample), FORM));

    assertThat(result)
        .isInstanceOfSatisfying(
            WebhookResult.Verified.class,
            verified ->
                assertThat(verified.event().outcome()).isInstanceOf(PaymentOutcome.Declined.class));
  }

  @Test
  void checkAndOtherKindsAreIgnored() {
    assertThat(
            gateway.parseWebhook(
                post(
                    form(
                        signer
                            .webhookTesting()
                            .sampleNotification(WebhookNotification.Kind.CHECK, "x")),
                    FORM)))
        .isEqualTo(new WebhookResult.Ignored(null, "check"));
    assertThat(
            gateway.parseWebhook(
                post(
                    form(
                        signer
                            .webhookTesting()
                            .sampleNotification(WebhookNotification.Kind.DISBURSEMENT, "d1")),
                    FORM)))
        .isInstanceOfSatisfying(
            WebhookResult.Ignored.class,
            ignored -> assertThat(ignored.type()).isEqualTo("disbursement"));
  }

  @Test
  void aRefundSettlingIsIgnored() {
    Map<String, String> sample =
        signed(
            notification(
                "transaction_settled",
                txn("txn_refund").status("settled").refundOf("txn_1").orderId("re_1")),
            PUBLIC_KEY,
            PRIVATE_KEY);

    assertThat(gateway.parseWebhook(post(form(sample), FORM)))
        .isInstanceOf(WebhookResult.Ignored.class);
  }

  @Test
  void aTamperedPayloadIsInvalid() {
    Map<String, String> sample =
        signed(
            notification(
                "transaction_settled", txn("txn_1").status("settled").amount("20.00", "USD")),
            PUBLIC_KEY,
            PRIVATE_KEY);
    String forged =
        Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(
                    notification(
                            "transaction_settled",
                            txn("txn_1").status("settled").amount("2000.00", "USD"))
                        .getBytes(StandardCharsets.UTF_8))
            + "\n";

    WebhookResult result =
        gateway.parseWebhook(post(form(sample.get("bt_signature"), forged), FORM));

    assertThat(result).isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  void anotherKeyPairsSignatureIsInvalid() {
    BraintreeGateway stranger = BraintreeFixtures.sdk(server, "pub_other", "priv_other");
    Map<String, String> sameKeyName =
        signed(
            notification("transaction_settled", txn("txn_1").status("settled")),
            PUBLIC_KEY,
            "priv_other");

    assertThat(
            gateway.parseWebhook(
                post(
                    form(
                        stranger
                            .webhookTesting()
                            .sampleNotification(
                                WebhookNotification.Kind.TRANSACTION_SETTLED, "txn_1")),
                    FORM)))
        .isInstanceOfSatisfying(
            WebhookResult.Invalid.class,
            invalid -> assertThat(invalid.reason()).contains("signature"));
    assertThat(gateway.parseWebhook(post(form(sameKeyName), FORM)))
        .isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  void missingOrRepeatedFieldsAreInvalid() {
    Map<String, String> sample =
        signer
            .webhookTesting()
            .sampleNotification(WebhookNotification.Kind.TRANSACTION_SETTLED, "txn_1");
    String signature = URLEncoder.encode(sample.get("bt_signature"), StandardCharsets.UTF_8);
    String payload = URLEncoder.encode(sample.get("bt_payload"), StandardCharsets.UTF_8);

    for (String body :
        List.of(
            "",
            "bt_signature=" + signature,
            "bt_payload=" + payload,
            "bt_signature=&bt_payload=" + payload,
            "bt_signature=" + signature + "&bt_payload=" + payload + "&bt_payload=" + payload,
            "bt_signature=%zz&bt_payload=" + payload)) {
      assertThat(gateway.parseWebhook(post(body, FORM)))
          .as(body)
          .isInstanceOf(WebhookResult.Invalid.class);
    }
    assertThat(
            gateway.parseWebhook(new WebhookRequest(new byte[] {(byte) 0xff, 'a'}, Map.of(), FORM)))
        .isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  void aJsonBodyIsInvalid() {
    Map<String, String> sample =
        signer
            .webhookTesting()
            .sampleNotification(WebhookNotification.Kind.TRANSACTION_SETTLED, "txn_1");

    assertThat(gateway.parseWebhook(post(form(sample), "application/json")))
        .isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  void aFormWithoutContentTypeIsStillRead() {
    Map<String, String> sample =
        signed(
            notification("transaction_settled", txn("txn_1").status("settled")),
            PUBLIC_KEY,
            PRIVATE_KEY);

    assertThat(gateway.parseWebhook(post(form(sample), null)))
        .isInstanceOf(WebhookResult.Verified.class);
  }

  @Test
  void whenTheMissingAmountCannotBeFetchedTheWebhookIsRefusedForRedelivery() {
    Map<String, String> sample =
        signer
            .webhookTesting()
            .sampleNotification(WebhookNotification.Kind.TRANSACTION_SETTLED, "txn_down");
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/txn_down")).willReturn(aResponse().withStatus(503)));

    assertThat(gateway.parseWebhook(post(form(sample), FORM)))
        .isInstanceOfSatisfying(
            WebhookResult.Invalid.class,
            invalid -> assertThat(invalid.reason()).contains("redelivers"));
  }

  @Test
  void anAmountWithMoreDecimalsThanTheCurrencyIsRefused() {
    Map<String, String> sample =
        signed(
            notification(
                "transaction_settled", txn("txn_1").status("settled").amount("20.001", "USD")),
            PUBLIC_KEY,
            PRIVATE_KEY);

    assertThat(gateway.parseWebhook(post(form(sample), FORM)))
        .isInstanceOf(WebhookResult.Invalid.class);
  }
}
