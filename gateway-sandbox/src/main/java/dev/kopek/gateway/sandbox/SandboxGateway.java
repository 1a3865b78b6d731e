package dev.kopek.gateway.sandbox;

import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.StatusResult;
import dev.kopek.gateway.spi.SubmitResult;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The sandbox provider's gateway; see {@link SandboxProvider} for what it does. */
final class SandboxGateway implements Gateway {

  /** The wait before the first webhook retry; later ones double it. */
  static final Duration RETRY_BASE_DELAY = Duration.ofSeconds(1);

  private static final System.Logger LOG = System.getLogger(SandboxGateway.class.getName());

  private final SandboxConfig config;
  private final Clock clock;
  private final PaymentStore store = new PaymentStore();
  private final Webhooks webhooks;

  SandboxGateway(SandboxConfig config, Clock clock, Duration retryBaseDelay) {
    this(
        config,
        clock,
        new WebhookSender(config.webhookSecret(), clock, config.webhookRetryMax(), retryBaseDelay));
  }

  /** A gateway whose webhooks go to {@code webhooks}, which it closes on {@link #close}. */
  SandboxGateway(SandboxConfig config, Clock clock, Webhooks webhooks) {
    this.config = config;
    this.clock = clock;
    this.webhooks = webhooks;
  }

  @Override
  public String id() {
    return SandboxProvider.ID;
  }

  @Override
  public CheckoutResult startCheckout(CheckoutRequest request) {
    String currency = request.currency().toUpperCase(Locale.ROOT);
    if (!knownCurrency(currency)) {
      return new CheckoutResult.Failed(
          GatewayFailure.inputNotAccepted(
              "currency",
              "the sandbox takes ISO 4217 currencies with minor units; "
                  + request.currency()
                  + " is not one"));
    }
    SandboxPayment payment = store.start(request, currency);
    // Like Stripe, a key reused for different parameters is refused, not silently answered with
    // the first payment.
    if (!payment.paymentId.equals(request.paymentId())
        || payment.amountMinor != request.amountMinor()
        || !payment.currency.equals(currency)) {
      return new CheckoutResult.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INVALID_REQUEST,
              "idempotency key "
                  + request.idempotencyKey()
                  + " was used for payment "
                  + payment.paymentId
                  + " of "
                  + payment.amountMinor
                  + " "
                  + payment.currency));
    }
    return new CheckoutResult.Started(payment.reference, null, null);
  }

  @Override
  public HostedPage checkoutPage(HostedCheckout checkout) {
    return CheckoutPage.render(checkout);
  }

  @Override
  public SubmitResult submitCheckout(HostedCheckout checkout, Map<String, String> form) {
    CardForm.Checked card = CardForm.check(form, YearMonth.now(clock));
    if (card.invalid() != null) {
      return card.invalid();
    }
    SandboxPayment payment = store.find(checkout.paymentId(), checkout.providerReference());
    if (payment == null) {
      return new SubmitResult.Failed(notFound(checkout.paymentId(), checkout.providerReference()));
    }
    if (payment.amountMinor != checkout.amountMinor()
        || !payment.currency.equalsIgnoreCase(String.valueOf(checkout.currency()))) {
      return new SubmitResult.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INVALID_REQUEST,
              payment.reference
                  + " is for "
                  + payment.amountMinor
                  + " "
                  + payment.currency
                  + ", the page showed "
                  + checkout.amountMinor()
                  + " "
                  + checkout.currency()));
    }
    SandboxPayment.Charge charge = payment.charge(TestCard.of(card.digits()));
    if (charge.finalized()) {
      deliver(payment, charge.outcome(), checkout.webhookUrl());
    }
    return new SubmitResult.Accepted(charge.outcome(), payment.reference);
  }

  private void deliver(SandboxPayment payment, PaymentOutcome outcome, String webhookUrl) {
    if (!config.deliverWebhooks()) {
      LOG.log(
          Level.DEBUG,
          "Not sending the webhook for {0}: deliver_webhooks is false",
          payment.reference);
      return;
    }
    URI url;
    try {
      url = new URI(webhookUrl);
    } catch (URISyntaxException | NullPointerException e) {
      url = null;
    }
    if (url == null
        || !url.isAbsolute()
        || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))
        || url.getHost() == null) {
      LOG.log(
          Level.WARNING,
          "Not sending the webhook for {0}: {1} is not an absolute http(s) URL",
          payment.reference,
          webhookUrl);
      return;
    }
    String eventId = "evt_" + RandomIds.alphanumeric(24);
    byte[] body = SandboxEvents.body(eventId, clock.instant().getEpochSecond(), payment, outcome);
    webhooks.send(url, eventId, body);
  }

  @Override
  public WebhookResult parseWebhook(WebhookRequest request) {
    byte[] body = request.rawBody();
    Optional<String> refused =
        SandboxSignature.verify(
            request.header(SandboxSignature.HEADER),
            body,
            config.webhookSecret(),
            clock.instant().getEpochSecond(),
            config.toleranceSeconds());
    if (refused.isPresent()) {
      return new WebhookResult.Invalid(refused.get());
    }
    return SandboxEvents.parse(body);
  }

  @Override
  public StatusResult fetchStatus(String paymentId, String providerReference) {
    SandboxPayment payment = store.find(paymentId, providerReference);
    if (payment == null) {
      return new StatusResult.Failed(notFound(paymentId, providerReference));
    }
    return new StatusResult.Known(
        payment.outcome(), payment.reference, payment.amountMinor, payment.currency);
  }

  @Override
  public RefundResult refund(RefundRequest request) {
    SandboxPayment payment = store.find(request.paymentId(), request.providerReference());
    if (payment == null) {
      return new RefundResult.Failed(notFound(request.paymentId(), request.providerReference()));
    }
    if (request.idempotencyKey() == null || request.idempotencyKey().isBlank()) {
      return new RefundResult.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INVALID_REQUEST, "a refund needs an idempotency key"));
    }
    return store.refund(payment, request);
  }

  /**
   * The refund the sandbox made under the request's idempotency key, from memory. For a payment it
   * does not know (gone with a restart) it holds no refund either: absent, and the refund sent
   * again is {@code NOT_FOUND}.
   */
  @Override
  public RefundLookup fetchRefund(RefundRequest request) {
    if (request.idempotencyKey() == null || request.idempotencyKey().isBlank()) {
      return new RefundLookup.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INVALID_REQUEST,
              "a refund is looked up by its idempotency key, and none was given"));
    }
    SandboxPayment payment = store.find(request.paymentId(), request.providerReference());
    return payment == null ? new RefundLookup.Absent() : store.lookUp(payment, request);
  }

  /** Stops the webhook threads; retries still waiting are dropped. */
  @Override
  public void close() {
    webhooks.close();
  }

  private static boolean knownCurrency(String code) {
    try {
      return Currency.getInstance(code).getDefaultFractionDigits() >= 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static GatewayFailure notFound(String paymentId, String reference) {
    // Said outright because it surprises: the sandbox keeps payments in memory only.
    return new GatewayFailure(
        GatewayFailure.Kind.NOT_FOUND,
        "the sandbox knows no payment "
            + (reference != null ? reference : paymentId)
            + " (its payments live in memory and are gone after a restart)");
  }
}
