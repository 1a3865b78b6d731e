package dev.kopek.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.braintreegateway.BraintreeGateway;
import com.braintreegateway.Environment;
import com.braintreegateway.WebhookNotification;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service taking top-ups through Braintree's Drop-in, enabled by YAML alone and pointed
 * at WireMock answering with XML shaped like Braintree's; webhooks signed by Braintree's SDK.
 */
@DisplayName("Braintree, end to end over HTTP")
@Timeout(60)
class BraintreeFlowTest {

  static final String MERCHANT = "kopek_flow_merchant";
  static final String PUBLIC_KEY = "pub_fl0w_k3y";
  static final String PRIVATE_KEY = "priv_fl0w_s3cr3t_do_not_log";
  static final String BASE = "/merchants/" + MERCHANT;
  static final String SALES = BASE + "/transactions";
  static final String FORM = "application/x-www-form-urlencoded";

  @TempDir static Path dir;

  static WireMockServer braintree;
  static ProviderFlow kopek;

  @BeforeAll
  static void start() throws Exception {
    braintree = ProviderFlow.wiremock();
    kopek = ProviderFlow.start(dir, "braintree", gateways(braintree.baseUrl()));
  }

  /** The gateways section enabling Braintree's sandbox at {@code apiBase}, with the test keys. */
  static String gateways(String apiBase) {
    return """
        braintree:
          enabled: true
          environment: sandbox
          merchant_id: "%s"
          public_key: "%s"
          private_key: "%s"
          merchant_account_id:
            USD: acct_usd
          api_base: "%s"
          timeout_ms: 1000
    """
        .formatted(MERCHANT, PUBLIC_KEY, PRIVATE_KEY, apiBase);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (kopek != null) {
        kopek.close();
      }
    } finally {
      braintree.stop();
    }
  }

  @BeforeEach
  void reset() {
    braintree.resetAll();
    braintree.stubFor(
        post(urlEqualTo(BASE + "/client_token"))
            .willReturn(
                xml(201, "<client-token><value>client-token-for-drop-in</value></client-token>")));
  }

  // Braintree as WireMock plays it.

  static ResponseDefinitionBuilder xml(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/xml; charset=utf-8")
        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body);
  }

  /** A sale of 20.00 USD for {@code orderId}, as Braintree renders a transaction. */
  static String transaction(
      String id, String status, String orderId, String processorCode, String processorText) {
    return "<transaction><id>"
        + id
        + "</id><status>"
        + status
        + "</status><type>sale</type>"
        + "<currency-iso-code>USD</currency-iso-code><amount>20.00</amount>"
        + "<merchant-account-id>acct_usd</merchant-account-id><order-id>"
        + orderId
        + "</order-id><created-at type=\"datetime\">2026-11-28T09:59:00Z</created-at>"
        + "<updated-at type=\"datetime\">2026-11-28T09:59:00Z</updated-at>"
        + "<processor-response-code>"
        + processorCode
        + "</processor-response-code>"
        + "<processor-response-text>"
        + processorText
        + "</processor-response-text>"
        + "<gateway-rejection-reason nil=\"true\"/><refund-ids type=\"array\"/>"
        + "<disbursement-details></disbursement-details><billing></billing>"
        + "<credit-card><bin>411111</bin><last-4>1111</last-4><card-type>Visa</card-type>"
        + "</credit-card><customer></customer><descriptor></descriptor><shipping></shipping>"
        + "<subscription></subscription><status-history type=\"array\"/></transaction>";
  }

  /** A search by order id finding no transaction: the payment was never submitted. */
  static void stubNoEarlierSale(String orderId) {
    braintree.stubFor(
        post(urlEqualTo(BASE + "/transactions/advanced_search_ids"))
            .withRequestBody(containing("<order_id><is>" + orderId + "</is></order_id>"))
            .willReturn(
                xml(
                    200,
                    "<search-results><page-size type=\"integer\">50</page-size>"
                        + "<ids type=\"array\"/></search-results>")));
  }

  static List<LoggedRequest> sales() {
    return braintree.findAll(postRequestedFor(urlEqualTo(SALES)));
  }

  /** The SDK with Kopek's keys, signing notifications the way Braintree does. */
  static BraintreeGateway signer() {
    return new BraintreeGateway(
        new Environment(braintree.baseUrl(), "http://127.0.0.1:1", new String[] {}, "development"),
        MERCHANT,
        PUBLIC_KEY,
        PRIVATE_KEY);
  }

  static String form(String signature, String payload) {
    return "bt_signature="
        + URLEncoder.encode(signature, StandardCharsets.UTF_8)
        + "&bt_payload="
        + URLEncoder.encode(payload, StandardCharsets.UTF_8);
  }

  /** Pays a new top-up of 20.00 USD through the Drop-in page; returns the top-up. */
  static JsonObject payWithDropIn(String token, String transactionId) throws Exception {
    JsonObject topup = kopek.topup(token, "t1", 2000);
    String id = topup.getString("id");
    stubNoEarlierSale(id);
    braintree.stubFor(
        post(urlEqualTo(SALES))
            .willReturn(
                xml(
                    201,
                    transaction(
                        transactionId, "submitted_for_settlement", id, "1000", "Approved"))));

    HttpResponse<Buffer> paid =
        kopek.submit(
            ProviderFlow.checkoutToken(topup),
            new JsonObject().put("payment_method_nonce", "fake-valid-nonce"));
    assertThat(paid.statusCode()).as(paid.bodyAsString()).isEqualTo(200);
    assertThat(paid.bodyAsJsonObject().getString("status")).isEqualTo("succeeded");
    return topup;
  }

  // The flows.

  @Test
  @DisplayName(
      "a top-up issues a client token, the page shows the Drop-in, and the nonce makes "
          + "one sale that credits the wallet once; a second submission charges nothing")
  void fullFlow() throws Exception {
    String alice = kopek.token("alice");
    JsonObject topup = kopek.topup(alice, "t1", 2000);
    String id = topup.getString("id");
    assertThat(topup.getString("gateway")).isEqualTo("braintree");
    braintree.verify(
        1,
        postRequestedFor(urlEqualTo(BASE + "/client_token"))
            .withRequestBody(containing("<merchantAccountId>acct_usd</merchantAccountId>")));

    String checkout = ProviderFlow.checkoutToken(topup);
    HttpResponse<Buffer> page = kopek.api.get("/checkout/" + checkout, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Security-Policy"))
        .containsPattern("script-src [^;]*https://js\\.braintreegateway\\.com");
    assertThat(page.bodyAsString())
        .contains(
            "id=\"dropin-container\"",
            "https://js.braintreegateway.com/web/dropin/",
            "client-token-for-drop-in",
            "20.00 USD");

    stubNoEarlierSale(id);
    braintree.stubFor(
        post(urlEqualTo(SALES))
            .willReturn(
                xml(
                    201,
                    transaction(
                        "txn_flow_1", "submitted_for_settlement", id, "1000", "Approved"))));
    HttpResponse<Buffer> paid =
        kopek.submit(checkout, new JsonObject().put("payment_method_nonce", "fake-valid-nonce"));
    assertThat(paid.statusCode()).as(paid.bodyAsString()).isEqualTo(200);
    assertThat(paid.bodyAsJsonObject().getString("status")).isEqualTo("succeeded");
    kopek.assertCreditedOnce(alice, id, 2000);
    assertThat(sales()).hasSize(1);
    assertThat(sales().get(0).getBodyAsString())
        .contains(
            "<amount>20.00</amount>",
            "<orderId>" + id + "</orderId>",
            "<paymentMethodNonce>fake-valid-nonce</paymentMethodNonce>",
            "<merchantAccountId>acct_usd</merchantAccountId>",
            "<submitForSettlement>true</submitForSettlement>");

    HttpResponse<Buffer> again =
        kopek.submit(
            checkout, new JsonObject().put("payment_method_nonce", "fake-valid-visa-nonce"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("status")).isEqualTo("succeeded");
    assertThat(sales()).hasSize(1);
    kopek.assertCreditedOnce(alice, id, 2000);
  }

  @Test
  @DisplayName(
      "a TRANSACTION_SETTLED webhook signed by the SDK, delivered twice, credits "
          + "nothing more; a tampered payload gets 400")
  void settledWebhook() throws Exception {
    String bob = kopek.token("bob");
    String id = payWithDropIn(bob, "txn_flow_2").getString("id");
    kopek.assertCreditedOnce(bob, id, 2000);

    // The SDK's sample notification names the transaction but carries no amount: Kopek looks
    // the transaction up.
    braintree.stubFor(
        get(urlEqualTo(SALES + "/txn_flow_2"))
            .willReturn(xml(200, transaction("txn_flow_2", "settled", id, "1000", "Approved"))));
    Map<String, String> sample =
        signer()
            .webhookTesting()
            .sampleNotification(WebhookNotification.Kind.TRANSACTION_SETTLED, "txn_flow_2");
    String signed = form(sample.get("bt_signature"), sample.get("bt_payload"));

    HttpResponse<Buffer> first = kopek.webhook("braintree", FORM, null, null, signed);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
    assertThat(first.bodyAsJsonObject().getString("result")).isEqualTo("processed");
    HttpResponse<Buffer> redelivered = kopek.webhook("braintree", FORM, null, null, signed);
    assertThat(redelivered.statusCode()).isEqualTo(200);
    assertThat(redelivered.bodyAsJsonObject().getString("result")).isEqualTo("duplicate");
    kopek.assertCreditedOnce(bob, id, 2000);

    // Another transaction in the same well-formed payload (base64 in lines of Braintree's
    // shape), under the original signature.
    String xml =
        new String(
            Base64.getMimeDecoder().decode(sample.get("bt_payload")), StandardCharsets.UTF_8);
    assertThat(xml).contains("txn_flow_2");
    String forged =
        Base64.getMimeEncoder(60, new byte[] {'\n'})
                .encodeToString(
                    xml.replace("txn_flow_2", "txn_flow_9").getBytes(StandardCharsets.UTF_8))
            + "\n";
    HttpResponse<Buffer> tampered =
        kopek.webhook("braintree", FORM, null, null, form(sample.get("bt_signature"), forged));
    assertThat(tampered.statusCode()).isEqualTo(400);
    assertThat(tampered.bodyAsJsonObject().getString("field")).isEqualTo("signature");
    kopek.assertCreditedOnce(bob, id, 2000);
  }

  @Test
  @DisplayName("a processor decline is shown as declined, fails the top-up and credits nothing")
  void decline() throws Exception {
    String carol = kopek.token("carol");
    JsonObject topup = kopek.topup(carol, "t1", 2000);
    String id = topup.getString("id");
    stubNoEarlierSale(id);
    braintree.stubFor(
        post(urlEqualTo(SALES))
            .willReturn(
                xml(
                    422,
                    "<api-error-response><errors><errors type=\"array\"/></errors>"
                        + "<params><transaction><type>sale</type></transaction></params>"
                        + "<message>Do Not Honor</message>"
                        + transaction(
                            "txn_flow_3", "processor_declined", id, "2000", "Do Not Honor")
                        + "</api-error-response>")));

    HttpResponse<Buffer> declined =
        kopek.submit(
            ProviderFlow.checkoutToken(topup),
            new JsonObject().put("payment_method_nonce", "fake-processor-declined-visa-nonce"));
    assertThat(declined.statusCode()).as(declined.bodyAsString()).isEqualTo(200);
    assertThat(declined.bodyAsJsonObject().getString("status")).isEqualTo("declined");
    assertThat(declined.bodyAsJsonObject().getString("decline_code")).isEqualTo("2000");
    assertThat(sales()).hasSize(1);

    HttpResponse<Buffer> page =
        kopek.api.get("/checkout/" + ProviderFlow.checkoutToken(topup), null);
    assertThat(page.bodyAsString())
        .contains("data-status=\"failed\"", "Payment declined")
        .doesNotContain("dropin-container");
    JsonObject after = kopek.api.get("/v1/topups/" + id, carol).bodyAsJsonObject();
    assertThat(after.getString("status")).isEqualTo("failed");
    assertThat(after.getString("decline_code")).isEqualTo("2000");
    assertThat(kopek.balance(carol)).isZero();
    assertThat(kopek.topupEntries(carol)).isEmpty();
  }
}
