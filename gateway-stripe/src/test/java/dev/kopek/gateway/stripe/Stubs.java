package dev.kopek.gateway.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.stripe.net.Webhook;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewaySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Stripe as the tests see it: WireMock on loopback, bodies built from Stripe's fixtures. */
final class Stubs {

  static final String SECRET_KEY = "sk_test_51KopekTestSecretKey0000000000";
  static final String PUBLISHABLE_KEY = "pk_test_51KopekTestPublishableKey000000";
  static final String WEBHOOK_SECRET = "whsec_kopek_test_0123456789abcdef0123456789abcdef";

  private Stubs() {}

  static WireMockServer startServer() {
    WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    return server;
  }

  /** The stripe section with the required keys, pointed at {@code apiBase}, plus overrides. */
  static Map<String, Object> config(String apiBase, Map<String, Object> overrides) {
    Map<String, Object> config = new HashMap<>();
    config.put("secret_key", SECRET_KEY);
    config.put("webhook_secret", WEBHOOK_SECRET);
    config.put("publishable_key", PUBLISHABLE_KEY);
    config.put("api_base", apiBase);
    config.put("timeout_ms", 2000);
    config.putAll(overrides);
    config.values().removeIf(value -> value == null);
    return config;
  }

  static Gateway gateway(String apiBase, Map<String, Object> overrides, Clock clock)
      throws GatewayConfigException {
    return new StripeProvider()
        .create(new GatewaySettings("stripe", config(apiBase, overrides), clock));
  }

  static Gateway gateway(String apiBase) throws GatewayConfigException {
    return gateway(apiBase, Map.of(), Clock.systemUTC());
  }

  /** One of Stripe's fixtures, as a mutable JSON object. */
  static JsonObject fixture(String name) {
    try (InputStream in = Stubs.class.getResourceAsStream("/stripe-fixtures/" + name + ".json")) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + name);
      }
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonObject fixture(String name, Consumer<JsonObject> change) {
    JsonObject object = fixture(name);
    change.accept(object);
    return object;
  }

  /** A PaymentIntent as Stripe returns it. */
  static JsonObject paymentIntent(
      String id, long amount, String currency, String status, String paymentId) {
    return fixture(
        "payment_intent",
        pi -> {
          pi.addProperty("id", id);
          pi.addProperty("client_secret", id + "_secret_" + "Xk3v9QpL0wR7");
          pi.addProperty("amount", amount);
          pi.addProperty("amount_received", "succeeded".equals(status) ? amount : 0);
          pi.addProperty("currency", currency);
          pi.addProperty("status", status);
          JsonObject metadata = new JsonObject();
          if (paymentId != null) {
            metadata.addProperty("kopek_payment_id", paymentId);
          }
          pi.add("metadata", metadata);
        });
  }

  /** A Checkout Session as Stripe returns it. */
  static JsonObject session(
      String id,
      long amount,
      String currency,
      String status,
      String paymentStatus,
      String paymentId) {
    return fixture(
        "checkout_session",
        cs -> {
          cs.addProperty("id", id);
          cs.addProperty("amount_total", amount);
          cs.addProperty("amount_subtotal", amount);
          cs.addProperty("currency", currency);
          cs.addProperty("status", status);
          cs.addProperty("payment_status", paymentStatus);
          cs.addProperty("client_reference_id", paymentId);
          cs.addProperty(
              "url", "https://checkout.stripe.com/c/pay/" + id + "#fidkdWxOYHwnPyd1blpxYHZxWjA0");
          JsonObject metadata = new JsonObject();
          if (paymentId != null) {
            metadata.addProperty("kopek_payment_id", paymentId);
          }
          cs.add("metadata", metadata);
        });
  }

  /** A Refund as Stripe returns it, made by Kopek with {@code refundKey} as kopek_refund_id. */
  static JsonObject refund(
      String id, String paymentIntent, long amount, String status, String refundKey) {
    return fixture(
        "refund",
        re -> {
          re.addProperty("id", id);
          re.addProperty("payment_intent", paymentIntent);
          re.addProperty("amount", amount);
          re.addProperty("status", status);
          JsonObject metadata = new JsonObject();
          metadata.addProperty("kopek_payment_id", "pay_x");
          if (refundKey != null) {
            metadata.addProperty("kopek_refund_id", refundKey);
          }
          re.add("metadata", metadata);
        });
  }

  /** A list object as Stripe's list endpoints return it. */
  static JsonObject list(String url, boolean hasMore, JsonObject... data) {
    JsonObject list = new JsonObject();
    list.addProperty("object", "list");
    com.google.gson.JsonArray items = new com.google.gson.JsonArray();
    for (JsonObject item : data) {
      items.add(item);
    }
    list.add("data", items);
    list.addProperty("has_more", hasMore);
    list.addProperty("url", url);
    return list;
  }

  static ResponseDefinitionBuilder json(int status, JsonObject body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withHeader("Request-Id", "req_kopektest")
        .withBody(body.toString());
  }

  static ResponseDefinitionBuilder ok(JsonObject body) {
    return json(200, body);
  }

  /** Stripe's error body. */
  static ResponseDefinitionBuilder error(int status, String type, String code, String message) {
    JsonObject error = new JsonObject();
    error.addProperty("type", type);
    if (code != null) {
      error.addProperty("code", code);
    }
    error.addProperty("message", message);
    JsonObject body = new JsonObject();
    body.add("error", error);
    return json(status, body);
  }

  /** The form fields of a request, decoded, in order. */
  static Map<String, String> form(LoggedRequest request) {
    Map<String, String> fields = new LinkedHashMap<>();
    String body = request.getBodyAsString();
    if (body == null || body.isEmpty()) {
      return fields;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      fields.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return fields;
  }

  /** An event as Stripe sends it to a webhook endpoint, with {@code object} as data.object. */
  static String event(String id, String type, String apiVersion, JsonObject object) {
    JsonObject event =
        fixture(
            "event",
            e -> {
              e.addProperty("id", id);
              e.addProperty("type", type);
              e.addProperty("api_version", apiVersion);
              e.addProperty("created", 1764324000L);
              JsonObject data = new JsonObject();
              data.add("object", object);
              e.add("data", data);
            });
    return event.toString();
  }

  /** The Stripe-Signature header Stripe computes: {@code t=<ts>,v1=<HMAC-SHA256>}. */
  static String signature(String secret, long timestamp, String payload) {
    try {
      return "t="
          + timestamp
          + ",v1="
          + Webhook.Util.computeHmacSha256(secret, timestamp + "." + payload);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
