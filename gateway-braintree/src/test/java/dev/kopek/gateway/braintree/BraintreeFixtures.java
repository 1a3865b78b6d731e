package dev.kopek.gateway.braintree;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.braintreegateway.BraintreeGateway;
import com.braintreegateway.Environment;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewaySettings;
import dev.kopek.gateway.spi.HostedCheckout;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Braintree stand-in on WireMock, answering with XML shaped like Braintree's (kebab-case tags,
 * typed elements), and gateways pointed at it. The SDK itself parses every stubbed body, so a stub
 * it could not read fails the test that uses it.
 */
final class BraintreeFixtures {

  static final String MERCHANT = "kopek_merchant";
  static final String PUBLIC_KEY = "pub_3x4mpl3";
  static final String PRIVATE_KEY = "priv_s3cr3t_do_not_log";
  static final String BASE = "/merchants/" + MERCHANT;
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);

  private BraintreeFixtures() {}

  /**
   * The stand-in, started once for every test class of the run (starting WireMock takes longer than
   * the tests); each test resets it.
   */
  static synchronized WireMockServer server() {
    if (server == null) {
      server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
      server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    }
    return server;
  }

  private static WireMockServer server;

  /** The settings every test starts from: merchant accounts per currency, a short timeout. */
  static Map<String, Object> config(WireMockServer server) {
    Map<String, Object> config = new HashMap<>();
    config.put("merchant_id", MERCHANT);
    config.put("public_key", PUBLIC_KEY);
    config.put("private_key", PRIVATE_KEY);
    config.put("api_base", server.baseUrl());
    config.put(
        "merchant_account_id", Map.of("USD", "acct_usd", "JPY", "acct_jpy", "KWD", "acct_kwd"));
    config.put("timeout_ms", 2000);
    return config;
  }

  static BraintreeAdapter gateway(Map<String, Object> config) throws GatewayConfigException {
    return (BraintreeAdapter)
        new BraintreeProvider().create(new GatewaySettings("braintree", config, CLOCK));
  }

  static BraintreeAdapter gateway(WireMockServer server) throws GatewayConfigException {
    return gateway(config(server));
  }

  /** The SDK with the same keys, for signing sample webhooks the way Braintree does. */
  static BraintreeGateway sdk(WireMockServer server, String publicKey, String privateKey) {
    return new BraintreeGateway(
        new Environment(server.baseUrl(), "http://127.0.0.1:1", new String[] {}, "development"),
        MERCHANT,
        publicKey,
        privateKey);
  }

  static HostedCheckout checkout(String paymentId, long amountMinor, String currency) {
    return new HostedCheckout(
        paymentId,
        amountMinor,
        currency,
        null,
        "client-token-1",
        "/checkout/tok_1/submit",
        "https://shop.example/return",
        "https://pay.example/webhooks/braintree");
  }

  /** A transaction as Braintree renders it. */
  static Txn txn(String id) {
    return new Txn(id);
  }

  /** Builds one {@code <transaction>} element. */
  static final class Txn {
    private final String id;
    private String status = "submitted_for_settlement";
    private String type = "sale";
    private String amount = "20.00";
    private String currency = "USD";
    private String orderId = "pay_x";
    private String processorCode = "1000";
    private String processorText = "Approved";
    private String rejection;
    private String refundedId;
    private String createdAt = "2026-11-28T09:59:00Z";
    private List<String> refundIds = List.of();

    private Txn(String id) {
      this.id = id;
    }

    Txn status(String value) {
      status = value;
      return this;
    }

    Txn type(String value) {
      type = value;
      return this;
    }

    Txn amount(String value, String currencyCode) {
      amount = value;
      currency = currencyCode;
      return this;
    }

    Txn orderId(String value) {
      orderId = value;
      return this;
    }

    Txn processor(String code, String text) {
      processorCode = code;
      processorText = text;
      return this;
    }

    Txn rejected(String reason) {
      status = "gateway_rejected";
      rejection = reason;
      return this;
    }

    Txn refundOf(String saleId) {
      type = "credit";
      refundedId = saleId;
      return this;
    }

    Txn refundIds(String... ids) {
      refundIds = Arrays.asList(ids);
      return this;
    }

    Txn createdAt(String instant) {
      createdAt = instant;
      return this;
    }

    String xml() {
      return "<transaction>"
          + "<id>"
          + id
          + "</id>"
          + "<status>"
          + status
          + "</status>"
          + "<type>"
          + type
          + "</type>"
          + "<currency-iso-code>"
          + currency
          + "</currency-iso-code>"
          + "<amount>"
          + amount
          + "</amount>"
          + "<merchant-account-id>acct_"
          + currency.toLowerCase()
          + "</merchant-account-id>"
          + (orderId == null ? "<order-id nil=\"true\"/>" : "<order-id>" + orderId + "</order-id>")
          + "<created-at type=\"datetime\">"
          + createdAt
          + "</created-at>"
          + "<updated-at type=\"datetime\">"
          + createdAt
          + "</updated-at>"
          + "<processor-response-code>"
          + processorCode
          + "</processor-response-code>"
          + "<processor-response-text>"
          + processorText
          + "</processor-response-text>"
          + (rejection == null
              ? "<gateway-rejection-reason nil=\"true\"/>"
              : "<gateway-rejection-reason>" + rejection + "</gateway-rejection-reason>")
          + (refundedId == null
              ? ""
              : "<refunded-transaction-id>" + refundedId + "</refunded-transaction-id>")
          + "<refund-ids type=\"array\">"
          + refundIds.stream()
              .map(refund -> "<item>" + refund + "</item>")
              .collect(Collectors.joining())
          + "</refund-ids>"
          + "<disbursement-details></disbursement-details><billing></billing>"
          + "<credit-card><bin>411111</bin><last-4>1111</last-4><card-type>Visa</card-type>"
          + "</credit-card><customer></customer><descriptor></descriptor><shipping></shipping>"
          + "<subscription></subscription><status-history type=\"array\"/>"
          + "</transaction>";
    }
  }

  static ResponseDefinitionBuilder xml(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/xml; charset=utf-8")
        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body);
  }

  /** A 422 with a transaction: declined or rejected, as Braintree answers a refused sale. */
  static String errorWithTransaction(String message, Txn transaction) {
    return "<api-error-response><errors><errors type=\"array\"/></errors>"
        + "<params><transaction><type>sale</type></transaction></params>"
        + "<message>"
        + message
        + "</message>"
        + transaction.xml()
        + "</api-error-response>";
  }

  /** A 422 with validation errors on the transaction and no transaction. */
  static String validationError(String code, String attribute, String message) {
    return "<api-error-response><errors><errors type=\"array\"/><transaction>"
        + "<errors type=\"array\"><error><code>"
        + code
        + "</code><attribute type=\"symbol\">"
        + attribute
        + "</attribute><message>"
        + message
        + "</message></error></errors>"
        + "</transaction></errors><params><transaction><type>sale</type></transaction></params>"
        + "<message>"
        + message
        + "</message></api-error-response>";
  }

  /** Stubs a transaction search by order id answering these transactions. */
  static void stubSearch(WireMockServer server, String orderId, Txn... found) {
    String ids =
        Arrays.stream(found).map(t -> "<item>" + t.id + "</item>").collect(Collectors.joining());
    server.stubFor(
        post(urlEqualTo(BASE + "/transactions/advanced_search_ids"))
            .withRequestBody(containing("<order_id><is>" + orderId + "</is></order_id>"))
            .willReturn(
                xml(
                    200,
                    "<search-results><page-size type=\"integer\">50</page-size>"
                        + "<ids type=\"array\">"
                        + ids
                        + "</ids></search-results>")));
    if (found.length > 0) {
      server.stubFor(
          post(urlEqualTo(BASE + "/transactions/advanced_search"))
              .withRequestBody(containing("<order_id><is>" + orderId + "</is></order_id>"))
              .willReturn(
                  xml(
                      200,
                      "<credit-card-transactions type=\"collection\">"
                          + "<current-page-number type=\"integer\">1</current-page-number>"
                          + "<page-size type=\"integer\">50</page-size>"
                          + "<total-items type=\"integer\">"
                          + found.length
                          + "</total-items>"
                          + Arrays.stream(found).map(Txn::xml).collect(Collectors.joining())
                          + "</credit-card-transactions>")));
    }
  }

  static void stubFind(WireMockServer server, Txn transaction) {
    server.stubFor(
        get(urlEqualTo(BASE + "/transactions/" + transaction.id))
            .willReturn(xml(200, transaction.xml())));
  }
}
