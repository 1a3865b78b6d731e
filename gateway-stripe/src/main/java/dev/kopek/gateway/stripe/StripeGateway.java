package dev.kopek.gateway.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Refund;
import com.stripe.model.StripeCollection;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundListParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.GatewayFailure.Kind;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.StatusResult;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;

/** The Stripe provider's gateway; see {@link StripeProvider} for what it does. */
final class StripeGateway implements Gateway {

  static final String SIGNATURE_HEADER = "Stripe-Signature";

  /** The name of the single line item of a Checkout Session, as Stripe's page shows it. */
  static final String PRODUCT_NAME = "Balance top-up";

  /** Who pays, for Stripe's dashboard; Kopek never reads it back. */
  static final String USER_ID_KEY = "kopek_user_id";

  /**
   * The metadata key that carries Kopek's refund id (the refund's idempotency key) on refunds, next
   * to {@code kopek_payment_id}; {@link #fetchRefund} finds a refund by it.
   */
  static final String REFUND_ID_KEY = "kopek_refund_id";

  /** Refunds read per page when looking one up; Stripe's maximum. */
  private static final long REFUND_PAGE_SIZE = 100;

  /** Pages read at most when looking a refund up: a payment has a handful of refunds. */
  private static final int REFUND_PAGES_MAX = 20;

  private static final System.Logger LOG = System.getLogger(StripeGateway.class.getName());

  private final StripeConfig config;
  private final Clock clock;
  private final StripeClient client;

  StripeGateway(StripeConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    // An instance of its own, never the JVM-wide Stripe.apiKey. No SDK retries: a call that
    // fails is retried by Kopek with the same idempotency key, and a payment whose outcome is
    // unknown is reconciled by polling.
    this.client =
        StripeClient.builder()
            .setApiKey(config.secretKey())
            .setApiBase(config.apiBase())
            .setMaxNetworkRetries(0)
            .setConnectTimeout(config.timeoutMs())
            .setReadTimeout(config.timeoutMs())
            .build();
  }

  @Override
  public String id() {
    return StripeProvider.ID;
  }

  @Override
  public CheckoutResult startCheckout(CheckoutRequest request) {
    long amount;
    try {
      amount = StripeAmounts.toStripe(request.amountMinor(), request.currency());
    } catch (StripeAmounts.Unrepresentable e) {
      return new CheckoutResult.Failed(
          GatewayFailure.inputNotAccepted(
              e.field(),
              "Stripe cannot charge "
                  + request.amountMinor()
                  + " "
                  + request.currency()
                  + ": "
                  + e.getMessage()));
    }
    String currency = request.currency().trim().toLowerCase(Locale.ROOT);
    RequestOptions options =
        RequestOptions.builder().setIdempotencyKey(request.idempotencyKey()).build();
    String action =
        config.mode() == StripeConfig.Mode.CHECKOUT_SESSION
            ? "creating a Checkout Session"
            : "creating a PaymentIntent";
    try {
      if (config.mode() == StripeConfig.Mode.CHECKOUT_SESSION) {
        if (request.returnUrl() == null || request.returnUrl().isBlank()) {
          return new CheckoutResult.Failed(
              GatewayFailure.inputNotAccepted(
                  "return_url", "a Stripe Checkout Session needs a return URL"));
        }
        Session session =
            client
                .v1()
                .checkout()
                .sessions()
                .create(sessionParams(request, amount, currency), options);
        if (session.getId() == null || session.getUrl() == null) {
          return new CheckoutResult.Failed(
              unreadable(action, "a Checkout Session without an id " + "or a URL"));
        }
        return new CheckoutResult.Started(session.getId(), session.getUrl(), null);
      }
      PaymentIntent intent =
          client
              .v1()
              .paymentIntents()
              .create(paymentIntentParams(request, amount, currency), options);
      if (intent.getId() == null || intent.getClientSecret() == null) {
        return new CheckoutResult.Failed(
            unreadable(action, "a PaymentIntent without an id or " + "a client secret"));
      }
      return new CheckoutResult.Started(intent.getId(), null, intent.getClientSecret());
    } catch (StripeException e) {
      // A CardException cannot come from creating an unconfirmed payment; if it did, the
      // checkout has no outcome to carry it, so it is reported as a refused request.
      return new CheckoutResult.Failed(StripeFailures.of(action, e));
    } catch (RuntimeException e) {
      return new CheckoutResult.Failed(StripeFailures.unexpected(action, e));
    }
  }

  private static PaymentIntentCreateParams paymentIntentParams(
      CheckoutRequest request, long amount, String currency) {
    PaymentIntentCreateParams.Builder params =
        PaymentIntentCreateParams.builder()
            .setAmount(amount)
            .setCurrency(currency)
            .putMetadata(StripeEvents.PAYMENT_ID_KEY, request.paymentId())
            .setAutomaticPaymentMethods(
                PaymentIntentCreateParams.AutomaticPaymentMethods.builder()
                    .setEnabled(true)
                    .build());
    if (request.userId() != null) {
      params.putMetadata(USER_ID_KEY, request.userId());
    }
    return params.build();
  }

  private static SessionCreateParams sessionParams(
      CheckoutRequest request, long amount, String currency) {
    // The session's PaymentIntent is marked: its payment_intent.* events name an id Kopek never
    // stored, and the session's own events settle the payment (StripeEvents ignores them).
    SessionCreateParams.PaymentIntentData.Builder intentData =
        SessionCreateParams.PaymentIntentData.builder()
            .putMetadata(StripeEvents.PAYMENT_ID_KEY, request.paymentId())
            .putMetadata(StripeEvents.VIA_KEY, StripeEvents.VIA_CHECKOUT_SESSION);
    SessionCreateParams.Builder params =
        SessionCreateParams.builder()
            .setMode(SessionCreateParams.Mode.PAYMENT)
            .addLineItem(
                SessionCreateParams.LineItem.builder()
                    .setPriceData(
                        SessionCreateParams.LineItem.PriceData.builder()
                            .setCurrency(currency)
                            .setUnitAmount(amount)
                            .setProductData(
                                SessionCreateParams.LineItem.PriceData.ProductData.builder()
                                    .setName(PRODUCT_NAME)
                                    .build())
                            .build())
                    .setQuantity(1L)
                    .build())
            .setSuccessUrl(request.returnUrl())
            .setCancelUrl(request.returnUrl())
            .setClientReferenceId(request.paymentId())
            .putMetadata(StripeEvents.PAYMENT_ID_KEY, request.paymentId());
    if (request.userId() != null) {
      params.putMetadata(USER_ID_KEY, request.userId());
      intentData.putMetadata(USER_ID_KEY, request.userId());
    }
    return params.setPaymentIntentData(intentData.build()).build();
  }

  @Override
  public HostedPage checkoutPage(HostedCheckout checkout) {
    // Decided by the payment, not the current mode: a PaymentIntent started before the mode was
    // switched to checkout_session is still paid with the Payment Element.
    if (checkout.clientSecret() != null && config.publishableKey() != null) {
      return CheckoutPage.paymentElement(checkout, config.publishableKey());
    }
    return CheckoutPage.redirectOnly(checkout);
  }

  @Override
  public WebhookResult parseWebhook(WebhookRequest request) {
    String signature = request.header(SIGNATURE_HEADER);
    if (signature == null || signature.isBlank()) {
      return new WebhookResult.Invalid("no " + SIGNATURE_HEADER + " header");
    }
    String payload;
    try {
      // Decoded strictly: the signature covers the bytes, and a lenient decoding would sign
      // something else than what was sent.
      payload =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(request.rawBody()))
              .toString();
    } catch (CharacterCodingException e) {
      return new WebhookResult.Invalid("the body is not UTF-8");
    }
    Event event;
    try {
      event =
          Webhook.constructEvent(
              payload, signature, config.webhookSecret(), config.toleranceSeconds(), clock);
    } catch (SignatureVerificationException e) {
      return new WebhookResult.Invalid("signature not verified: " + e.getMessage());
    } catch (RuntimeException e) {
      // Signed, but not an event the SDK can read (malformed JSON).
      return new WebhookResult.Invalid("unreadable event: " + e.getClass().getSimpleName());
    }
    try {
      return StripeEvents.map(event);
    } catch (RuntimeException e) {
      return new WebhookResult.Invalid(
          "Stripe event "
              + event.getId()
              + " ("
              + event.getType()
              + ") cannot be read: "
              + e.getClass().getSimpleName());
    }
  }

  @Override
  public StatusResult fetchStatus(String paymentId, String providerReference) {
    if (providerReference == null || providerReference.isBlank()) {
      return new StatusResult.Failed(
          new GatewayFailure(
              Kind.NOT_FOUND,
              "payment "
                  + paymentId
                  + " has no Stripe reference (PaymentIntent or Checkout Session id) to look up"));
    }
    String action = "retrieving " + providerReference;
    try {
      if (providerReference.startsWith("pi_")) {
        return status(paymentId, client.v1().paymentIntents().retrieve(providerReference));
      }
      if (providerReference.startsWith("cs_")) {
        return status(paymentId, client.v1().checkout().sessions().retrieve(providerReference));
      }
      return new StatusResult.Failed(
          new GatewayFailure(
              Kind.NOT_FOUND,
              providerReference
                  + " is neither a Stripe PaymentIntent (pi_...) nor a Checkout Session (cs_...)"));
    } catch (StripeException e) {
      return new StatusResult.Failed(StripeFailures.of(action, e));
    } catch (StripeAmounts.Unrepresentable e) {
      LOG.log(
          Level.WARNING,
          "Stripe {0} for payment {1}: {2}",
          providerReference,
          paymentId,
          e.getMessage());
      return new StatusResult.Failed(
          new GatewayFailure(Kind.INTERNAL, providerReference + ": " + e.getMessage()));
    } catch (RuntimeException e) {
      return new StatusResult.Failed(StripeFailures.unexpected(action, e));
    }
  }

  private static StatusResult status(String paymentId, PaymentIntent intent)
      throws StripeAmounts.Unrepresentable {
    StatusResult.Failed foreign =
        foreign(paymentId, intent.getId(), StripeEvents.paymentId(intent.getMetadata(), null));
    if (foreign != null) {
      return foreign;
    }
    String status = String.valueOf(intent.getStatus());
    PaymentOutcome outcome =
        switch (status) {
          case "succeeded" -> PaymentOutcome.SUCCEEDED;
          case "canceled" ->
              new PaymentOutcome.Declined(
                  "canceled",
                  intent.getCancellationReason() == null
                      ? "the payment was canceled"
                      : "the payment was canceled (" + intent.getCancellationReason() + ")");
          // requires_payment_method after a failed attempt too: the payer may still retry.
          case "processing",
              "requires_action",
              "requires_confirmation",
              "requires_capture",
              "requires_payment_method" ->
              PaymentOutcome.PENDING;
          default -> PaymentOutcome.UNKNOWN;
        };
    Long amount =
        "succeeded".equals(status) && intent.getAmountReceived() != null
            ? intent.getAmountReceived()
            : intent.getAmount();
    return known(outcome, intent.getId(), amount, intent.getCurrency());
  }

  private static StatusResult status(String paymentId, Session session)
      throws StripeAmounts.Unrepresentable {
    StatusResult.Failed foreign =
        foreign(
            paymentId,
            session.getId(),
            StripeEvents.paymentId(session.getMetadata(), session.getClientReferenceId()));
    if (foreign != null) {
      return foreign;
    }
    PaymentOutcome outcome;
    if ("paid".equals(session.getPaymentStatus())) {
      outcome = PaymentOutcome.SUCCEEDED;
    } else if ("expired".equals(session.getStatus())) {
      outcome = new PaymentOutcome.Declined("expired", "the checkout session expired unpaid");
    } else {
      outcome = PaymentOutcome.PENDING;
    }
    return known(outcome, session.getId(), session.getAmountTotal(), session.getCurrency());
  }

  private static StatusResult known(
      PaymentOutcome outcome, String reference, Long amount, String currency)
      throws StripeAmounts.Unrepresentable {
    long amountMinor =
        amount == null || currency == null ? 0 : StripeAmounts.fromStripe(amount, currency);
    return new StatusResult.Known(
        outcome,
        reference,
        amountMinor,
        currency == null ? null : currency.toUpperCase(Locale.ROOT));
  }

  /** A reference that names another Kopek payment must never settle this one. */
  private static StatusResult.Failed foreign(String paymentId, String reference, String carried) {
    if (paymentId == null || carried == null || carried.equals(paymentId)) {
      return null;
    }
    return new StatusResult.Failed(
        new GatewayFailure(
            Kind.INVALID_REQUEST,
            reference + " belongs to Kopek payment " + carried + ", not " + paymentId));
  }

  @Override
  public RefundResult refund(RefundRequest request) {
    String reference = request.providerReference();
    if (reference == null || reference.isBlank()) {
      return new RefundResult.Failed(
          new GatewayFailure(
              Kind.NOT_FOUND,
              "payment " + request.paymentId() + " has no Stripe reference to refund"));
    }
    if (request.idempotencyKey() == null || request.idempotencyKey().isBlank()) {
      return new RefundResult.Failed(
          new GatewayFailure(Kind.INVALID_REQUEST, "a refund needs an idempotency key"));
    }
    long amount;
    try {
      amount = StripeAmounts.toStripe(request.amountMinor(), request.currency());
    } catch (StripeAmounts.Unrepresentable e) {
      return new RefundResult.Failed(
          GatewayFailure.inputNotAccepted(
              e.field(),
              "Stripe cannot refund "
                  + request.amountMinor()
                  + " "
                  + request.currency()
                  + ": "
                  + e.getMessage()));
    }
    String action = "refunding " + reference;
    try {
      String intentId = reference;
      if (reference.startsWith("cs_")) {
        Session session = client.v1().checkout().sessions().retrieve(reference);
        if (session.getId() == null) {
          return new RefundResult.Failed(
              unreadable("retrieving " + reference, "a Checkout Session without an id"));
        }
        intentId = session.getPaymentIntent();
        if (intentId == null) {
          return new RefundResult.Declined(
              "no_payment", "Checkout Session " + reference + " has no payment to refund");
        }
      }
      Refund refund =
          client
              .v1()
              .refunds()
              .create(
                  RefundCreateParams.builder()
                      .setPaymentIntent(intentId)
                      .setAmount(amount)
                      .putMetadata(StripeEvents.PAYMENT_ID_KEY, request.paymentId())
                      .putMetadata(REFUND_ID_KEY, request.idempotencyKey())
                      .build(),
                  RequestOptions.builder().setIdempotencyKey(request.idempotencyKey()).build());
      return switch (refundState(refund)) {
        case REFUNDED -> new RefundResult.Refunded(refund.getId());
        case DECLINED ->
            new RefundResult.Declined(refundDeclineCode(refund), refundDeclineMessage(refund));
        case UNREADABLE -> new RefundResult.Failed(unreadable(action, refundShape(refund)));
      };
    } catch (CardException e) {
      return new RefundResult.Declined(code(e, "card_declined"), message(e));
    } catch (InvalidRequestException e) {
      // Refused as such (charge_already_refunded, amount_too_large, ...): final. An unknown
      // payment is a failure, so that the operator sees the reference is wrong.
      if (StripeFailures.kind(e) == Kind.NOT_FOUND) {
        return new RefundResult.Failed(StripeFailures.of(action, e));
      }
      return new RefundResult.Declined(code(e, "invalid_request"), message(e));
    } catch (IdempotencyException e) {
      // The key was used before with other parameters: Stripe may have refunded under it, so
      // this is no refusal. fetchRefund tells.
      return new RefundResult.Failed(
          new GatewayFailure(
              Kind.INTERNAL,
              "Stripe: "
                  + action
                  + ": the idempotency key "
                  + request.idempotencyKey()
                  + " was used before with other "
                  + "parameters, and Stripe may have refunded under it: "
                  + StripeFailures.describe(e)));
    } catch (StripeException e) {
      return new RefundResult.Failed(StripeFailures.of(action, e));
    } catch (RuntimeException e) {
      return new RefundResult.Failed(StripeFailures.unexpected(action, e));
    }
  }

  /**
   * Looks the refund made with {@code request}'s idempotency key up among the refunds of the
   * payment's PaymentIntent ({@code GET /v1/refunds?payment_intent=...}, every page), by the
   * metadata key {@value #REFUND_ID_KEY} that {@link #refund} sets. A Checkout Session is resolved
   * to its PaymentIntent first; a session that has none was never paid, so nothing can have been
   * refunded. Refunds made before Kopek set that key carry only {@code kopek_payment_id} and are
   * not found.
   */
  @Override
  public RefundLookup fetchRefund(RefundRequest request) {
    String reference = request.providerReference();
    if (reference == null || reference.isBlank()) {
      return new RefundLookup.Failed(
          new GatewayFailure(
              Kind.NOT_FOUND,
              "payment " + request.paymentId() + " has no Stripe reference to look refunds up by"));
    }
    String key = request.idempotencyKey();
    if (key == null || key.isBlank()) {
      return new RefundLookup.Failed(
          new GatewayFailure(
              Kind.INVALID_REQUEST,
              "a refund is looked up by its idempotency key, and none was given"));
    }
    String action = "looking up refund " + key + " of " + reference;
    try {
      String intentId = reference;
      if (reference.startsWith("cs_")) {
        Session session = client.v1().checkout().sessions().retrieve(reference);
        if (session.getId() == null) {
          return new RefundLookup.Failed(
              unreadable("retrieving " + reference, "a Checkout Session without an id"));
        }
        intentId = session.getPaymentIntent();
        if (intentId == null) {
          return new RefundLookup.Absent();
        }
      }
      String startingAfter = null;
      for (int page = 0; page < REFUND_PAGES_MAX; page++) {
        RefundListParams.Builder params =
            RefundListParams.builder().setPaymentIntent(intentId).setLimit(REFUND_PAGE_SIZE);
        if (startingAfter != null) {
          params.setStartingAfter(startingAfter);
        }
        StripeCollection<Refund> refunds = client.v1().refunds().list(params.build());
        if (refunds.getData() == null) {
          return new RefundLookup.Failed(unreadable(action, "a list without data"));
        }
        for (Refund refund : refunds.getData()) {
          if (refund.getMetadata() != null && key.equals(refund.getMetadata().get(REFUND_ID_KEY))) {
            return switch (refundState(refund)) {
              case REFUNDED -> new RefundLookup.Refunded(refund.getId());
              case DECLINED ->
                  new RefundLookup.Declined(
                      refundDeclineCode(refund), refundDeclineMessage(refund));
              case UNREADABLE -> new RefundLookup.Failed(unreadable(action, refundShape(refund)));
            };
          }
        }
        if (!Boolean.TRUE.equals(refunds.getHasMore())) {
          return new RefundLookup.Absent();
        }
        if (refunds.getData().isEmpty()) {
          return new RefundLookup.Failed(unreadable(action, "an empty page with has_more"));
        }
        startingAfter = refunds.getData().get(refunds.getData().size() - 1).getId();
        if (startingAfter == null) {
          return new RefundLookup.Failed(unreadable(action, "a refund without an id"));
        }
      }
      return new RefundLookup.Failed(
          new GatewayFailure(
              Kind.INTERNAL,
              "Stripe: "
                  + action
                  + ": more than "
                  + REFUND_PAGES_MAX * REFUND_PAGE_SIZE
                  + " refunds; not looking "
                  + "further"));
    } catch (StripeException e) {
      return new RefundLookup.Failed(StripeFailures.of(action, e));
    } catch (RuntimeException e) {
      return new RefundLookup.Failed(StripeFailures.unexpected(action, e));
    }
  }

  /** Where a refund object stands, by its status. */
  private enum RefundState {
    REFUNDED,
    DECLINED,
    UNREADABLE
  }

  /**
   * {@code succeeded}, and {@code pending} and {@code requires_action} which Stripe completes
   * without Kopek, are refunded; {@code failed} and {@code canceled} are refusals. A refund without
   * an id or with a status Stripe does not document cannot be taken for either.
   */
  private static RefundState refundState(Refund refund) {
    if (refund == null || refund.getId() == null || refund.getStatus() == null) {
      return RefundState.UNREADABLE;
    }
    return switch (refund.getStatus()) {
      case "succeeded", "pending", "requires_action" -> RefundState.REFUNDED;
      case "failed", "canceled" -> RefundState.DECLINED;
      default -> RefundState.UNREADABLE;
    };
  }

  private static String refundDeclineCode(Refund refund) {
    return refund.getFailureReason() == null
        ? "refund_" + refund.getStatus()
        : refund.getFailureReason();
  }

  private static String refundDeclineMessage(Refund refund) {
    return "Stripe refund "
        + refund.getId()
        + " "
        + refund.getStatus()
        + (refund.getFailureReason() == null ? "" : " (" + refund.getFailureReason() + ")");
  }

  private static String refundShape(Refund refund) {
    return refund == null
        ? "no refund"
        : "refund " + refund.getId() + " with status " + refund.getStatus();
  }

  /**
   * An answer Stripe gave that Kopek cannot use: the call may have had its effect, so this is never
   * taken as a refusal ({@link GatewayFailure#outcomeUnknown()}).
   */
  private static GatewayFailure unreadable(String action, String what) {
    return new GatewayFailure(
        Kind.INTERNAL, "Stripe: " + action + ": the answer could not be " + "used (" + what + ")");
  }

  private static String code(StripeException e, String fallback) {
    if (e instanceof CardException card && card.getDeclineCode() != null) {
      return card.getDeclineCode();
    }
    return e.getCode() == null ? fallback : e.getCode();
  }

  /** Stripe's own sentence, without the request id the full message appends. */
  private static String message(StripeException e) {
    if (e.getStripeError() != null && e.getStripeError().getMessage() != null) {
      return e.getStripeError().getMessage();
    }
    return StripeFailures.describe(e);
  }

  /** The SDK's HTTP client holds no resources beyond the JDK's shared connection cache. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "StripeGateway[" + config + "]";
  }
}
