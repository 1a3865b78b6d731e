package dev.kopek.gateway.stripe;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.model.Event;
import com.stripe.model.EventDataObjectDeserializer;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeError;
import com.stripe.model.StripeObject;
import com.stripe.model.checkout.Session;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.WebhookResult;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps verified Stripe events to Kopek's normalized events. Kopek acts on these types, which the
 * webhook endpoint in the Stripe dashboard must send:
 *
 * <ul>
 *   <li>{@code payment_intent.succeeded}: succeeded, for {@code amount_received};
 *   <li>{@code payment_intent.payment_failed}: declined with the last error's decline code;
 *   <li>{@code checkout.session.completed}: succeeded when {@code payment_status} is {@code paid},
 *       else pending (a bank debit or voucher still to clear);
 *   <li>{@code checkout.session.async_payment_succeeded} and {@code ..._failed}: the outcome of
 *       such a delayed payment.
 * </ul>
 *
 * Every other type is acknowledged and ignored, and so are {@code payment_intent.*} events of a
 * PaymentIntent that a Checkout Session created (metadata {@code kopek_via: checkout_session}):
 * Kopek stores the session's id as the payment's reference, and the session's own events above
 * settle it.
 */
final class StripeEvents {

  /** The metadata key that carries Kopek's payment id on PaymentIntents and Checkout Sessions. */
  static final String PAYMENT_ID_KEY = "kopek_payment_id";

  /**
   * The metadata key that marks a PaymentIntent Kopek did not create itself but had a Checkout
   * Session create ({@code payment_intent_data.metadata}), with {@link #VIA_CHECKOUT_SESSION}.
   */
  static final String VIA_KEY = "kopek_via";

  /** The {@link #VIA_KEY} value of a Checkout Session's PaymentIntent. */
  static final String VIA_CHECKOUT_SESSION = "checkout_session";

  private StripeEvents() {}

  static WebhookResult map(Event event) {
    String id = event.getId();
    String type = event.getType();
    if (id == null || type == null) {
      return new WebhookResult.Invalid("a signed Stripe event without an id or a type");
    }
    try {
      return switch (type) {
        case "payment_intent.succeeded", "payment_intent.payment_failed" -> {
          StripeObject object = object(event);
          // A Checkout Session's PaymentIntent: Kopek stored the session's id, not this one, and
          // the session's own events settle the payment.
          if (object instanceof PaymentIntent intent
              && intent.getMetadata() != null
              && VIA_CHECKOUT_SESSION.equals(intent.getMetadata().get(VIA_KEY))) {
            yield new WebhookResult.Ignored(id, type);
          }
          yield paymentIntent(id, type, object, "payment_intent.succeeded".equals(type));
        }
        case "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed" ->
            session(id, type, object(event));
        // Kopek starts every refund itself and records it when Stripe answers the refund call,
        // so the charge.refunded that follows carries nothing new; a refund made in the Stripe
        // dashboard is not mirrored in the wallet and must be booked in Kopek by hand.
        case "charge.refunded" -> new WebhookResult.Ignored(id, type);
        default -> new WebhookResult.Ignored(id, type);
      };
    } catch (EventDataObjectDeserializationException e) {
      return new WebhookResult.Invalid(
          "Stripe event "
              + id
              + " ("
              + type
              + "): data.object "
              + "cannot be read: "
              + e.getMessage());
    } catch (StripeAmounts.Unrepresentable e) {
      return new WebhookResult.Invalid("Stripe event " + id + " (" + type + "): " + e.getMessage());
    }
  }

  /**
   * The event's object. Stripe renders an event in the API version of the endpoint it is sent to,
   * which is set in the dashboard and often older or newer than the version this SDK is pinned to
   * ({@link com.stripe.Stripe#API_VERSION}); for such an event {@code getObject()} is empty,
   * deliberately. The fields Kopek reads (ids, amounts, currency, status, metadata,
   * last_payment_error, client_reference_id) have had the same shape across API versions, so the
   * object is deserialized regardless rather than dropping the payment's only notice.
   */
  private static StripeObject object(Event event) throws EventDataObjectDeserializationException {
    EventDataObjectDeserializer data = event.getDataObjectDeserializer();
    Optional<StripeObject> matching = data.getObject();
    return matching.isPresent() ? matching.get() : data.deserializeUnsafe();
  }

  private static WebhookResult paymentIntent(
      String id, String type, StripeObject object, boolean succeeded)
      throws StripeAmounts.Unrepresentable {
    if (!(object instanceof PaymentIntent intent) || intent.getId() == null) {
      return new WebhookResult.Invalid(
          "Stripe event " + id + " (" + type + ") carries no " + "PaymentIntent");
    }
    PaymentOutcome outcome = succeeded ? PaymentOutcome.SUCCEEDED : declined(intent);
    Long amount =
        succeeded && intent.getAmountReceived() != null
            ? intent.getAmountReceived()
            : intent.getAmount();
    return verified(
        id,
        type,
        paymentId(intent.getMetadata(), null),
        intent.getId(),
        amount,
        intent.getCurrency(),
        outcome);
  }

  private static WebhookResult session(String id, String type, StripeObject object)
      throws StripeAmounts.Unrepresentable {
    if (!(object instanceof Session session) || session.getId() == null) {
      return new WebhookResult.Invalid(
          "Stripe event " + id + " (" + type + ") carries no " + "Checkout Session");
    }
    PaymentOutcome outcome =
        switch (type) {
          case "checkout.session.async_payment_succeeded" -> PaymentOutcome.SUCCEEDED;
          case "checkout.session.async_payment_failed" ->
              new PaymentOutcome.Declined(
                  "async_payment_failed", "the payment failed after checkout was completed");
          // completed: paid at once (cards), or a delayed method whose async_payment_* follows.
          default ->
              "paid".equals(session.getPaymentStatus())
                  ? PaymentOutcome.SUCCEEDED
                  : PaymentOutcome.PENDING;
        };
    return verified(
        id,
        type,
        paymentId(session.getMetadata(), session.getClientReferenceId()),
        session.getId(),
        session.getAmountTotal(),
        session.getCurrency(),
        outcome);
  }

  private static WebhookResult verified(
      String id,
      String type,
      String paymentId,
      String reference,
      Long amount,
      String currency,
      PaymentOutcome outcome)
      throws StripeAmounts.Unrepresentable {
    // Without an amount or a currency the event reports 0 of nothing: Kopek credits only when
    // both match the payment, so such a success is flagged rather than credited.
    long amountMinor =
        amount == null || currency == null ? 0 : StripeAmounts.fromStripe(amount, currency);
    return new WebhookResult.Verified(
        new GatewayEvent(
            id,
            type,
            paymentId,
            reference,
            amountMinor,
            currency == null ? null : currency.toUpperCase(Locale.ROOT),
            outcome));
  }

  /** The decline Stripe reports for a failed PaymentIntent. */
  static PaymentOutcome.Declined declined(PaymentIntent intent) {
    StripeError error = intent.getLastPaymentError();
    if (error == null) {
      return new PaymentOutcome.Declined("payment_failed", "the payment failed");
    }
    String code = firstNonBlank(error.getDeclineCode(), error.getCode(), "payment_failed");
    return new PaymentOutcome.Declined(code, firstNonBlank(error.getMessage(), code, code));
  }

  static String paymentId(Map<String, String> metadata, String clientReferenceId) {
    if (clientReferenceId != null && !clientReferenceId.isBlank()) {
      return clientReferenceId;
    }
    String fromMetadata = metadata == null ? null : metadata.get(PAYMENT_ID_KEY);
    return fromMetadata == null || fromMetadata.isBlank() ? null : fromMetadata;
  }

  private static String firstNonBlank(String first, String second, String fallback) {
    if (first != null && !first.isBlank()) {
      return first;
    }
    return second != null && !second.isBlank() ? second : fallback;
  }
}
