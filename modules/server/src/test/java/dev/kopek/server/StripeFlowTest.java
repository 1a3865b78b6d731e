package dev.kopek.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.kopek.testkit.Poll.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.Stripe;
import com.stripe.net.Webhook;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service taking top-ups through Stripe, enabled by YAML alone and pointed at WireMock
 * answering with Stripe's published object shapes; webhooks signed with Stripe's scheme.
 */
@DisplayName("Stripe, end to end over HTTP")
@Timeout(60)
class StripeFlowTest {

  static final String SECRET_KEY = "sk_test_51KopekFlowSecretKey00000000000";
  static final String PUBLISHABLE_KEY = "pk_test_51KopekFlowPublishableKey0000000";
  static final String WEBHOOK_SECRET = "whsec_kopek_flow_0123456789abcdef0123456789abcdef";
  static final String SIGNATURE = "Stripe-Signature";
  static final String JSON = "application/json; charset=utf-8";

  @TempDir static Path dir;

  static WireMockServer stripe;
  static ProviderFlow kopek;

  @BeforeAll
  static void start() throws Exception {
    stripe = ProviderFlow.wiremock();
    kopek = ProviderFlow.start(dir, "stripe", gateways(stripe.baseUrl()));
  }

  /** The gateways section enabling Stripe at {@code apiBase}, with the test keys. */
  static String gateways(String apiBase) {
    return """
        stripe:
          enabled: true
          mode: payment_element
          secret_key: "%s"
          publishable_key: "%s"
          webhook_secret: "%s"
          api_base: "%s"
          timeout_ms: 1000
    """
        .formatted(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET, apiBase);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (kopek != null) {
        kopek.close();
      }
    } finally {
      stripe.stop();
    }
  }

  @BeforeEach
  void reset() {
    stripe.resetAll();
  }

  // Stripe as WireMock plays it.

  /** One of Stripe's fixtures, as a mutable JSON object. */
  static JsonObject fixture(String name, Consumer<JsonObject> change) {
    try (InputStream in =
        StripeFlowTest.class.getResourceAsStream("/stripe-fixtures/" + name + ".json")) {
      if (in == null) {
        throw new IllegalStateException("no Stripe fixture " + name);
      }
      JsonObject object =
          JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .getAsJsonObject();
      change.accept(object);
      return object;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PaymentIntent of 20.00 USD as Stripe renders it. */
  static JsonObject paymentIntent(String id, String status, String paymentId) {
    return fixture(
        "payment_intent",
        pi -> {
          pi.addProperty("id", id);
          pi.addProperty("client_secret", id + "_secret_Xk3v9QpL0wR7");
          pi.addProperty("amount", 2000);
          pi.addProperty("amount_received", "succeeded".equals(status) ? 2000 : 0);
          pi.addProperty("currency", "usd");
          pi.addProperty("status", status);
          JsonObject metadata = new JsonObject();
          metadata.addProperty("kopek_payment_id", paymentId);
          pi.add("metadata", metadata);
        });
  }

  static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withHeader("Request-Id", "req_kopekflow")
        .withBody(body);
  }

  /**
   * Creating a PaymentIntent answers {@code id}, waiting for a payment method, with the metadata
   * the request carried: WireMock copies Kopek's payment id from the form into the body.
   */
  static void stubCreate(String id) {
    String body =
        paymentIntent(id, "requires_payment_method", "PAYMENT_ID")
            .toString()
            .replace("\"PAYMENT_ID\"", "\"{{parts.0}}\"");
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .willReturn(
                json(
                        200,
                        "{{regexExtract request.body 'kopek_payment_id[^=]*=([A-Za-z0-9_]+)' 'parts'}}"
                            + body)
                    .withTransformers("response-template")));
  }

  /** An event as Stripe sends it to a webhook endpoint, with {@code object} as data.object. */
  static String event(String id, String type, JsonObject object) {
    return fixture(
            "event",
            e -> {
              e.addProperty("id", id);
              e.addProperty("type", type);
              e.addProperty("api_version", Stripe.API_VERSION);
              e.addProperty("created", System.currentTimeMillis() / 1000);
              JsonObject data = new JsonObject();
              data.add("object", object);
              e.add("data", data);
            })
        .toString();
  }

  static String succeeded(String eventId, String intentId, String paymentId) {
    return event(
        eventId, "payment_intent.succeeded", paymentIntent(intentId, "succeeded", paymentId));
  }

  /** The Stripe-Signature header for {@code payload}: {@code t=<ts>,v1=<HMAC-SHA256>}. */
  static String signature(String secret, String payload) throws Exception {
    long timestamp = System.currentTimeMillis() / 1000;
    return "t="
        + timestamp
        + ",v1="
        + Webhook.Util.computeHmacSha256(secret, timestamp + "." + payload);
  }

  static HttpResponse<Buffer> deliver(String payload) throws Exception {
    return kopek.webhook("stripe", JSON, SIGNATURE, signature(WEBHOOK_SECRET, payload), payload);
  }

  static Map<String, String> form(LoggedRequest request) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : request.getBodyAsString().split("&")) {
      int eq = pair.indexOf('=');
      fields.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return fields;
  }

  static List<LoggedRequest> creates() {
    return stripe.findAll(postRequestedFor(urlEqualTo("/v1/payment_intents")));
  }

  // The flows.

  @Test
  @DisplayName(
      "a top-up creates a PaymentIntent, the page shows the Payment Element, and the "
          + "signed payment_intent.succeeded credits the wallet once")
  void fullFlow() throws Exception {
    stubCreate("pi_3KopekFlow0001");
    String alice = kopek.token("alice");

    var topup = kopek.topup(alice, "t1", 2000);
    String id = topup.getString("id");
    assertThat(topup.getString("gateway")).isEqualTo("stripe");
    assertThat(topup.getString("status")).isEqualTo("pending");

    assertThat(creates()).hasSize(1);
    LoggedRequest create = creates().get(0);
    assertThat(form(create))
        .containsEntry("amount", "2000")
        .containsEntry("currency", "usd")
        .containsEntry("metadata[kopek_payment_id]", id);
    assertThat(create.getHeader("Idempotency-Key")).isNotBlank();
    assertThat(create.getHeader("Authorization")).isEqualTo("Bearer " + SECRET_KEY);

    HttpResponse<Buffer> page =
        kopek.api.get("/checkout/" + ProviderFlow.checkoutToken(topup), null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Security-Policy"))
        .containsPattern("script-src [^;]*https://js\\.stripe\\.com")
        .containsPattern("frame-src [^;]*https://js\\.stripe\\.com");
    assertThat(page.bodyAsString())
        .contains(
            "id=\"payment-element\"",
            "src=\"https://js.stripe.com/v3/\"",
            PUBLISHABLE_KEY,
            "pi_3KopekFlow0001_secret_Xk3v9QpL0wR7",
            "20.00 USD");

    HttpResponse<Buffer> hook = deliver(succeeded("evt_1KopekFlow0001", "pi_3KopekFlow0001", id));
    assertThat(hook.statusCode()).as(hook.bodyAsString()).isEqualTo(200);
    assertThat(hook.bodyAsJsonObject().getString("result")).isEqualTo("processed");
    kopek.assertCreditedOnce(alice, id, 2000);
  }

  @Test
  @DisplayName(
      "a tampered or foreign-signed event gets 400 and changes nothing; the genuine one "
          + "delivered five times at once and again credits once; a late payment_failed changes "
          + "nothing")
  void redeliveriesAndForgeries() throws Exception {
    stubCreate("pi_3KopekFlow0002");
    String bob = kopek.token("bob");
    String id = kopek.topup(bob, "t1", 2000).getString("id");
    String genuine = succeeded("evt_1KopekFlow0002", "pi_3KopekFlow0002", id);

    String tampered = genuine.replace("\"amount_received\":2000", "\"amount_received\":9000");
    assertThat(tampered).isNotEqualTo(genuine);
    List<HttpResponse<Buffer>> refused =
        List.of(
            kopek.webhook("stripe", JSON, SIGNATURE, signature(WEBHOOK_SECRET, genuine), tampered),
            kopek.webhook(
                "stripe",
                JSON,
                SIGNATURE,
                signature("whsec_someone_else_0123456789abcdef0123456789ab", genuine),
                genuine),
            kopek.webhook("stripe", JSON, null, null, genuine));
    assertThat(refused)
        .allSatisfy(
            response -> {
              assertThat(response.statusCode()).isEqualTo(400);
              assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
              assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("signature");
            });
    assertThat(kopek.status(bob, id)).isEqualTo("pending");
    assertThat(kopek.balance(bob)).isZero();
    assertThat(kopek.topupEntries(bob)).isEmpty();

    String header = signature(WEBHOOK_SECRET, genuine);
    List<Future<HttpResponse<Buffer>>> deliveries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      deliveries.add(kopek.webhookAsync("stripe", JSON, SIGNATURE, header, genuine));
    }
    Future.join(deliveries).await(30, TimeUnit.SECONDS);
    assertThat(deliveries)
        .allSatisfy(delivery -> assertThat(delivery.result().statusCode()).isEqualTo(200));
    assertThat(deliveries)
        .filteredOn(
            delivery ->
                "processed".equals(delivery.result().bodyAsJsonObject().getString("result")))
        .hasSize(1);
    kopek.assertCreditedOnce(bob, id, 2000);

    HttpResponse<Buffer> again = deliver(genuine);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getString("result")).isEqualTo("duplicate");

    JsonObject failedIntent = paymentIntent("pi_3KopekFlow0002", "requires_payment_method", id);
    JsonObject error = new JsonObject();
    error.addProperty("type", "card_error");
    error.addProperty("code", "card_declined");
    error.addProperty("decline_code", "insufficient_funds");
    error.addProperty("message", "Your card has insufficient funds.");
    failedIntent.add("last_payment_error", error);
    HttpResponse<Buffer> late =
        deliver(event("evt_1KopekFlow0002Late", "payment_intent.payment_failed", failedIntent));
    assertThat(late.statusCode()).isEqualTo(200);
    kopek.assertCreditedOnce(bob, id, 2000);
    assertThat(kopek.api.get("/v1/topups/" + id, bob).bodyAsJsonObject().getString("decline_code"))
        .isNull();
  }

  @Test
  @DisplayName(
      "a status poll that times out leaves the top-up pending; once Stripe answers, the "
          + "janitor credits it once, and a late webhook changes nothing")
  void timeoutThenJanitor() throws Exception {
    stubCreate("pi_3KopekFlow0003");
    String carol = kopek.token("carol");
    String id = kopek.topup(carol, "t1", 2000).getString("id");
    String retrieve = "/v1/payment_intents/pi_3KopekFlow0003";
    // Slower than the provider's 1 s timeout: every poll gives up without an answer.
    stripe.stubFor(
        get(urlEqualTo(retrieve))
            .willReturn(
                json(200, paymentIntent("pi_3KopekFlow0003", "succeeded", id).toString())
                    .withFixedDelay(2500)));

    // The janitor only claims pending payments, so a second poll proves the first one, which
    // timed out, settled nothing.
    eventually(
        Duration.ofSeconds(15),
        () ->
            assertThat(stripe.findAll(getRequestedFor(urlEqualTo(retrieve))))
                .hasSizeGreaterThan(1));
    assertThat(kopek.status(carol, id)).isEqualTo("pending");
    assertThat(kopek.balance(carol)).isZero();

    stripe.stubFor(
        get(urlEqualTo(retrieve))
            .willReturn(json(200, paymentIntent("pi_3KopekFlow0003", "succeeded", id).toString())));
    eventually(
        Duration.ofSeconds(10), () -> assertThat(kopek.status(carol, id)).isEqualTo("succeeded"));
    kopek.assertCreditedOnce(carol, id, 2000);

    HttpResponse<Buffer> late = deliver(succeeded("evt_1KopekFlow0003", "pi_3KopekFlow0003", id));
    assertThat(late.statusCode()).isEqualTo(200);
    kopek.assertCreditedOnce(carol, id, 2000);
  }

  @Test
  @DisplayName(
      "a 500 from Stripe at creation (Stripe may have acted) is a 502 gateway_error that "
          + "keeps the top-up pending, not started; the retry with the same Idempotency-Key reaches "
          + "Stripe with the same key and starts it")
  void providerErrorThenRetry() throws Exception {
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .willReturn(
                json(
                    500,
                    "{\"error\":{\"type\":\"api_error\",\"message\":\"An unknown error occurred\"}}")));
    String dave = kopek.token("dave");
    var request =
        new io.vertx.core.json.JsonObject().put("amount_minor", 2000).put("currency", "USD");

    HttpResponse<Buffer> failed = kopek.api.post("/v1/topups", dave, "t-retry", request);
    assertThat(failed.statusCode()).isEqualTo(502);
    assertThat(failed.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(failed.bodyAsJsonObject().getString("code")).isEqualTo("gateway_error");
    assertThat(failed.bodyAsString()).doesNotContain(SECRET_KEY);
    assertThat(failed.bodyAsJsonObject().getString("detail")).contains("kept pending");
    var kept = kopek.api.get("/v1/topups", dave).bodyAsJsonObject().getJsonArray("data");
    assertThat(kept).hasSize(1);
    assertThat(kept.getJsonObject(0).getString("status")).isEqualTo("pending");
    assertThat(kept.getJsonObject(0).getString("gateway_reference")).isNull();

    stubCreate("pi_3KopekFlow0004");
    HttpResponse<Buffer> retried = kopek.api.post("/v1/topups", dave, "t-retry", request);
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(201);
    String id = retried.bodyAsJsonObject().getString("id");
    assertThat(id).isEqualTo(kept.getJsonObject(0).getString("id"));
    assertThat(retried.bodyAsJsonObject().getString("status")).isEqualTo("pending");
    assertThat(retried.bodyAsJsonObject().getString("gateway_reference"))
        .isEqualTo("pi_3KopekFlow0004");
    assertThat(kopek.api.get("/v1/topups", dave).bodyAsJsonObject().getJsonArray("data"))
        .hasSize(1);

    // The retry, and the janitor that may have started the kept top-up first, send the same
    // key: Stripe answers them all with one PaymentIntent.
    List<LoggedRequest> sent = creates();
    assertThat(sent).hasSizeGreaterThanOrEqualTo(2);
    assertThat(sent)
        .extracting(r -> r.getHeader("Idempotency-Key"))
        .doesNotContainNull()
        .containsOnly(sent.get(0).getHeader("Idempotency-Key"));
    assertThat(sent).extracting(r -> form(r).get("metadata[kopek_payment_id]")).containsOnly(id);
  }
}
