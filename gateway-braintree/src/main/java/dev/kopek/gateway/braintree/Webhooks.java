package dev.kopek.gateway.braintree;

import com.braintreegateway.BraintreeGateway;
import com.braintreegateway.Transaction;
import com.braintreegateway.WebhookNotification;
import com.braintreegateway.exceptions.BraintreeException;
import com.braintreegateway.exceptions.InvalidSignatureException;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Braintree's webhooks: a form post of {@code bt_signature} and {@code bt_payload}, where the
 * payload is base64 XML and the signature an HMAC-SHA1 keyed by the API private key. The SDK
 * verifies the signature before the payload is read.
 *
 * <p>Notifications carry no id of their own; the event id is the kind, the transaction id and the
 * notification's timestamp, which a redelivery repeats.
 */
final class Webhooks {

  static final String SIGNATURE = "bt_signature";
  static final String PAYLOAD = "bt_payload";

  /** Far above any notification Braintree sends; a larger body is not read. */
  private static final int BODY_MAX = 256 * 1024;

  private static final System.Logger LOG = System.getLogger(Webhooks.class.getName());

  private final BraintreeGateway sdk;

  Webhooks(BraintreeGateway sdk) {
    this.sdk = sdk;
  }

  WebhookResult parse(WebhookRequest request) {
    String contentType = request.contentType();
    if (contentType != null
        && !contentType
            .trim()
            .toLowerCase(Locale.ROOT)
            .startsWith("application/x-www-form-urlencoded")) {
      return new WebhookResult.Invalid(
          "expected an application/x-www-form-urlencoded body, got " + contentType);
    }
    byte[] raw = request.rawBody();
    if (raw.length > BODY_MAX) {
      return new WebhookResult.Invalid("body of " + raw.length + " bytes is too large");
    }
    Map<String, String> form;
    try {
      form = form(raw);
    } catch (IllegalArgumentException | CharacterCodingException unreadable) {
      return new WebhookResult.Invalid("body is not a UTF-8 form: " + unreadable.getMessage());
    }
    String signature = form.get(SIGNATURE);
    String payload = form.get(PAYLOAD);
    if (signature == null || signature.isBlank() || payload == null || payload.isBlank()) {
      return new WebhookResult.Invalid("bt_signature and bt_payload are required");
    }
    WebhookNotification notification;
    try {
      notification = sdk.webhookNotification().parse(signature, payload);
    } catch (InvalidSignatureException forged) {
      return new WebhookResult.Invalid("signature does not verify: " + forged.getMessage());
    } catch (RuntimeException unreadable) {
      // Signed, but not a notification the SDK can read.
      return new WebhookResult.Invalid("payload could not be read: " + unreadable);
    }
    return event(notification);
  }

  private WebhookResult event(WebhookNotification notification) {
    WebhookNotification.Kind kind = notification.getKind();
    String type = kind == null ? "unrecognized" : kind.toString();
    boolean settled = kind == WebhookNotification.Kind.TRANSACTION_SETTLED;
    boolean declined = kind == WebhookNotification.Kind.TRANSACTION_SETTLEMENT_DECLINED;
    if (!settled && !declined) {
      // CHECK (the control panel's test button) and every other kind: nothing to do.
      return new WebhookResult.Ignored(null, type);
    }
    Transaction transaction = notification.getTransaction();
    if (transaction == null || blank(transaction.getId())) {
      return new WebhookResult.Invalid("a " + type + " notification without a transaction");
    }
    String eventId =
        type
            + ":"
            + transaction.getId()
            + ":"
            + (notification.getTimestamp() == null ? "-" : notification.getTimestamp().toInstant());
    if (transaction.getType() == Transaction.Type.CREDIT) {
      // A refund settling: Kopek recorded the refund when it made it.
      return new WebhookResult.Ignored(eventId, type + " (refund)");
    }
    if (settled && (transaction.getAmount() == null || blank(transaction.getCurrencyIsoCode()))) {
      // Braintree's notifications carry the whole transaction; the SDK's samples do not.
      try {
        transaction = sdk.transaction().find(transaction.getId());
      } catch (BraintreeException failed) {
        return new WebhookResult.Invalid(
            "signed, but the amount of "
                + transaction.getId()
                + " could not be fetched ("
                + Outcomes.failure(failed, "find").message()
                + "); Braintree redelivers it, and Kopek also polls pending payments");
      }
    }
    String currency =
        blank(transaction.getCurrencyIsoCode())
            ? null
            : transaction.getCurrencyIsoCode().trim().toUpperCase(Locale.ROOT);
    OptionalLong amount = Amounts.toMinor(transaction.getAmount(), currency);
    String paymentId = blank(transaction.getOrderId()) ? null : transaction.getOrderId();
    if (declined) {
      LOG.log(
          Level.WARNING,
          "Braintree declined settlement of {0} (payment {1}); a payment "
              + "Kopek already credited is not reversed by this and needs an operator",
          transaction.getId(),
          paymentId);
      return new WebhookResult.Verified(
          new GatewayEvent(
              eventId,
              type,
              paymentId,
              transaction.getId(),
              amount.orElse(0),
              currency,
              new PaymentOutcome.Declined(
                  "settlement_declined", "The bank declined to settle the payment.")));
    }
    if (amount.isEmpty()) {
      return new WebhookResult.Invalid(
          "signed, but "
              + transaction.getAmount()
              + " "
              + currency
              + " of "
              + transaction.getId()
              + " has no exact value in minor units");
    }
    return new WebhookResult.Verified(
        new GatewayEvent(
            eventId,
            type,
            paymentId,
            transaction.getId(),
            amount.getAsLong(),
            currency,
            PaymentOutcome.SUCCEEDED));
  }

  /** An {@code application/x-www-form-urlencoded} body; a field given twice is refused. */
  static Map<String, String> form(byte[] raw) throws CharacterCodingException {
    String body =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(raw))
            .toString();
    Map<String, String> fields = new HashMap<>();
    if (body.isEmpty()) {
      return fields;
    }
    for (String pair : body.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name =
          URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      String value =
          equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      if (fields.put(name, value) != null) {
        throw new IllegalArgumentException(name + " is given twice");
      }
    }
    return fields;
  }

  private static boolean blank(String text) {
    return text == null || text.isBlank();
  }
}
