package dev.kopek.gateway.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.WebhookResult;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The sandbox's webhook events as JSON: {@code
 * {"id","type","created","data":{"payment_id","reference","amount_minor","currency",
 * "status","decline_code"}}}.
 */
final class SandboxEvents {

  static final String SUCCEEDED = "payment.succeeded";
  static final String FAILED = "payment.failed";

  // A signed body is trusted as a whole, so it must not be ambiguous: no duplicate keys for one
  // reader to take first and another last, nothing after the object.
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private SandboxEvents() {}

  /** The body of the event announcing a payment's final outcome. */
  static byte[] body(String eventId, long created, SandboxPayment payment, PaymentOutcome outcome) {
    boolean succeeded = outcome instanceof PaymentOutcome.Succeeded;
    ObjectNode event = JSON.createObjectNode();
    event.put("id", eventId);
    event.put("type", succeeded ? SUCCEEDED : FAILED);
    event.put("created", created);
    ObjectNode data = event.putObject("data");
    data.put("payment_id", payment.paymentId);
    data.put("reference", payment.reference);
    data.put("amount_minor", payment.amountMinor);
    data.put("currency", payment.currency);
    data.put("status", succeeded ? "succeeded" : "failed");
    data.put(
        "decline_code",
        outcome instanceof PaymentOutcome.Declined declined ? declined.code() : null);
    try {
      return JSON.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a body whose signature has been verified. */
  static WebhookResult parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return new WebhookResult.Invalid("body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return new WebhookResult.Invalid("body is not readable: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return new WebhookResult.Invalid("body is not a JSON object");
    }
    String id = text(root, "id");
    String type = text(root, "type");
    if (type == null) {
      return new WebhookResult.Invalid("event has no type");
    }
    if (!type.equals(SUCCEEDED) && !type.equals(FAILED)) {
      return new WebhookResult.Ignored(id, type);
    }
    if (id == null || id.isEmpty()) {
      return new WebhookResult.Invalid(type + " event has no id");
    }
    JsonNode data = root.get("data");
    if (data == null || !data.isObject()) {
      return new WebhookResult.Invalid(type + " event " + id + " has no data object");
    }
    String paymentId = text(data, "payment_id");
    String reference = text(data, "reference");
    if (paymentId == null && reference == null) {
      return new WebhookResult.Invalid(
          type + " event " + id + " names neither payment_id nor reference");
    }
    JsonNode amount = data.get("amount_minor");
    if (amount == null
        || !amount.isIntegralNumber()
        || !amount.canConvertToLong()
        || amount.longValue() <= 0) {
      return new WebhookResult.Invalid(
          type + " event " + id + " has no positive whole amount_minor");
    }
    String currency = text(data, "currency");
    if (currency == null || !currency.matches("[A-Z]{3}")) {
      return new WebhookResult.Invalid(
          type + " event " + id + " has no upper-case ISO 4217 currency");
    }
    PaymentOutcome outcome;
    if (type.equals(SUCCEEDED)) {
      outcome = PaymentOutcome.SUCCEEDED;
    } else {
      String code = text(data, "decline_code");
      if (code == null || code.isEmpty()) {
        return new WebhookResult.Invalid(type + " event " + id + " has no decline_code");
      }
      outcome = new PaymentOutcome.Declined(code, TestCard.declineMessage(code));
    }
    return new WebhookResult.Verified(
        new GatewayEvent(id, type, paymentId, reference, amount.longValue(), currency, outcome));
  }

  /** A string member, or null when absent, null or not a string. */
  private static String text(JsonNode object, String name) {
    JsonNode node = object.get(name);
    return node != null && node.isTextual() ? node.textValue() : null;
  }
}
