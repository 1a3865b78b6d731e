package dev.kopek.testkit;

import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
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
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A payment provider shipped in the test kit's jar, found by ServiceLoader like any other and
 * configured only through {@code payments.gateways.scripted}: proof that the SPI is enough to plug
 * a provider in without touching Kopek's code. Tests script what "the provider" says about each
 * payment; webhooks are JSON signed with HMAC-SHA256 under the configured secret in header {@code
 * Scripted-Signature}.
 */
public final class ScriptedProvider implements GatewayProvider {

  /** What the provider holds per payment id; tests write and read it. */
  public static final Map<String, PaymentOutcome> OUTCOMES = new ConcurrentHashMap<>();

  /** Amount the provider reports per payment id, when a test wants it to differ. */
  public static final Map<String, Long> REPORTED_AMOUNTS = new ConcurrentHashMap<>();

  /** Refunds the provider made, by idempotency key. */
  public static final Map<String, Long> REFUNDS = new ConcurrentHashMap<>();

  /** How many times startCheckout ran, per idempotency key. */
  public static final Map<String, AtomicInteger> STARTS = new ConcurrentHashMap<>();

  /** When true, every call fails as unavailable. */
  public static volatile boolean down;

  /** When true, refunds are declined. */
  public static volatile boolean declineRefunds;

  /** Refunds the provider declined, by idempotency key. */
  public static final Map<String, Long> DECLINED_REFUNDS = new ConcurrentHashMap<>();

  /** How many times refund ran, per idempotency key. */
  public static final Map<String, AtomicInteger> REFUND_CALLS = new ConcurrentHashMap<>();

  /** What the next refund calls do, one fault per call, in order; when empty, they refund. */
  public static final Queue<RefundFault> REFUND_FAULTS = new ConcurrentLinkedQueue<>();

  /** When true, refund lookups fail as unavailable. */
  public static volatile boolean refundLookupsDown;

  /** Faults a refund call can meet, as they look from Kopek. */
  public enum RefundFault {
    /** The provider refuses the credentials (a 401): nothing is refunded, for certain. */
    REFUSE_AUTHENTICATION,
    /** The provider declines the refund: nothing is refunded, for certain. */
    DECLINE,
    /** The provider refunds, then its answer is lost (a timeout after it acted). */
    TIMEOUT_AFTER_REFUNDING,
    /** The provider refunds, then its answer cannot be read (a garbled 200). */
    GARBLED_AFTER_REFUNDING,
    /** The connection drops before the provider acts (a reset while sending). */
    RESET_BEFORE_REFUNDING
  }

  /** How long startCheckout takes before it answers, in milliseconds (a slow provider). */
  public static volatile long startDelayMs;

  @Override
  public String id() {
    return "scripted";
  }

  @Override
  public Gateway create(GatewaySettings settings) throws GatewayConfigException {
    String secret =
        settings.requireString("secret", "set a signing secret for the scripted provider");
    return new ScriptedGateway(secret);
  }

  /** Forgets everything scripted. */
  public static void reset() {
    OUTCOMES.clear();
    REPORTED_AMOUNTS.clear();
    REFUNDS.clear();
    STARTS.clear();
    DECLINED_REFUNDS.clear();
    REFUND_CALLS.clear();
    REFUND_FAULTS.clear();
    refundLookupsDown = false;
    down = false;
    declineRefunds = false;
    startDelayMs = 0;
  }

  /**
   * The body and signature of a webhook as the scripted provider would send it, about the provider
   * object it made for {@code paymentId} ({@code ref_<paymentId>}).
   */
  public static Map.Entry<String, String> webhook(
      String secret,
      String eventId,
      String paymentId,
      String status,
      long amountMinor,
      String currency) {
    return webhook(secret, eventId, paymentId, "ref_" + paymentId, status, amountMinor, currency);
  }

  /**
   * A webhook about the provider object {@code reference}, whose metadata names {@code paymentId}
   * (either may be null).
   */
  public static Map.Entry<String, String> webhook(
      String secret,
      String eventId,
      String paymentId,
      String reference,
      String status,
      long amountMinor,
      String currency) {
    String body =
        new JsonObject()
            .put("id", eventId)
            .put("payment_id", paymentId)
            .put("reference", reference)
            .put("status", status)
            .put("amount_minor", amountMinor)
            .put("currency", currency)
            .encode();
    return Map.entry(body, sign(secret, body));
  }

  /** The signature of {@code body} under {@code secret}, hex. */
  public static String sign(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class ScriptedGateway implements Gateway {
    private final String secret;

    ScriptedGateway(String secret) {
      this.secret = secret;
    }

    @Override
    public String id() {
      return "scripted";
    }

    private static void pause(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static GatewayFailure unavailable() {
      return new GatewayFailure(GatewayFailure.Kind.UNAVAILABLE, "scripted outage");
    }

    @Override
    public CheckoutResult startCheckout(CheckoutRequest request) {
      if ("KWD".equals(request.currency()) && request.amountMinor() % 10 != 0) {
        // As Stripe's rules for three-decimal currencies: refused before anything is sent.
        return new CheckoutResult.Failed(
            GatewayFailure.inputNotAccepted(
                "amount_minor",
                "the scripted provider charges KWD in multiples of 10 minor units"));
      }
      STARTS.computeIfAbsent(request.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
      pause(startDelayMs);
      if (down) {
        return new CheckoutResult.Failed(unavailable());
      }
      OUTCOMES.putIfAbsent(request.paymentId(), PaymentOutcome.PENDING);
      Payments.AMOUNTS.put(request.paymentId(), request.amountMinor());
      return new CheckoutResult.Started("ref_" + request.paymentId(), null, null);
    }

    @Override
    public HostedPage checkoutPage(HostedCheckout checkout) {
      return new HostedPage(
          "<p id=\"scripted\">" + checkout.paymentId() + "</p>", "", null, null, null);
    }

    @Override
    public SubmitResult submitCheckout(HostedCheckout checkout, Map<String, String> form) {
      String outcome = form.getOrDefault("outcome", "");
      PaymentOutcome result =
          switch (outcome) {
            case "succeed" -> PaymentOutcome.SUCCEEDED;
            case "decline" -> new PaymentOutcome.Declined("card_declined", "declined");
            case "" -> null;
            default -> PaymentOutcome.PENDING;
          };
      if (result == null) {
        return new SubmitResult.Invalid("outcome", "outcome is required");
      }
      OUTCOMES.put(checkout.paymentId(), result);
      return new SubmitResult.Accepted(result, "ref_" + checkout.paymentId());
    }

    @Override
    public WebhookResult parseWebhook(WebhookRequest request) {
      String body = new String(request.rawBody(), StandardCharsets.UTF_8);
      String signature = request.header("Scripted-Signature");
      if (signature == null
          || !MessageDigest.isEqual(
              sign(secret, body).getBytes(StandardCharsets.UTF_8),
              signature.getBytes(StandardCharsets.UTF_8))) {
        return new WebhookResult.Invalid("bad signature");
      }
      JsonObject json = new JsonObject(body);
      PaymentOutcome outcome =
          switch (json.getString("status")) {
            case "succeeded" -> PaymentOutcome.SUCCEEDED;
            case "failed" -> new PaymentOutcome.Declined("card_declined", "declined");
            case "ping" -> null;
            default -> PaymentOutcome.PENDING;
          };
      if (outcome == null) {
        return new WebhookResult.Ignored(json.getString("id"), "ping");
      }
      return new WebhookResult.Verified(
          new GatewayEvent(
              json.getString("id"),
              "payment." + json.getString("status"),
              json.getString("payment_id"),
              json.getString("reference"),
              json.getLong("amount_minor"),
              json.getString("currency"),
              outcome));
    }

    @Override
    public StatusResult fetchStatus(String paymentId, String providerReference) {
      if (down) {
        return new StatusResult.Failed(unavailable());
      }
      PaymentOutcome outcome = OUTCOMES.get(paymentId);
      if (outcome == null) {
        return new StatusResult.Failed(
            new GatewayFailure(GatewayFailure.Kind.NOT_FOUND, paymentId));
      }
      long amount = REPORTED_AMOUNTS.getOrDefault(paymentId, Long.MIN_VALUE);
      return new StatusResult.Known(
          outcome,
          providerReference,
          amount == Long.MIN_VALUE ? Payments.amountOf(paymentId) : amount,
          "USD");
    }

    @Override
    public RefundResult refund(RefundRequest request) {
      String key = request.idempotencyKey();
      REFUND_CALLS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      if (REFUNDS.containsKey(key)) {
        // The same key again: the refund already made, as providers answer a repeat.
        return new RefundResult.Refunded("rf_" + key);
      }
      RefundFault fault = REFUND_FAULTS.poll();
      if (fault == RefundFault.REFUSE_AUTHENTICATION) {
        return new RefundResult.Failed(
            new GatewayFailure(
                GatewayFailure.Kind.AUTHENTICATION, "scripted 401: invalid API key"));
      }
      if (fault == RefundFault.RESET_BEFORE_REFUNDING) {
        return new RefundResult.Failed(
            new GatewayFailure(GatewayFailure.Kind.UNAVAILABLE, "scripted connection reset"));
      }
      if (declineRefunds || fault == RefundFault.DECLINE) {
        DECLINED_REFUNDS.put(key, request.amountMinor());
        return new RefundResult.Declined("charge_disputed", "the charge is disputed");
      }
      DECLINED_REFUNDS.remove(key);
      REFUNDS.put(key, request.amountMinor());
      if (fault == RefundFault.TIMEOUT_AFTER_REFUNDING) {
        return new RefundResult.Failed(
            new GatewayFailure(GatewayFailure.Kind.TIMEOUT, "scripted read timeout"));
      }
      if (fault == RefundFault.GARBLED_AFTER_REFUNDING) {
        return new RefundResult.Failed(
            new GatewayFailure(GatewayFailure.Kind.INTERNAL, "scripted unreadable answer"));
      }
      return new RefundResult.Refunded("rf_" + key);
    }

    @Override
    public RefundLookup fetchRefund(RefundRequest request) {
      if (refundLookupsDown) {
        return new RefundLookup.Failed(unavailable());
      }
      String key = request.idempotencyKey();
      if (REFUNDS.containsKey(key)) {
        return new RefundLookup.Refunded("rf_" + key);
      }
      if (DECLINED_REFUNDS.containsKey(key)) {
        return new RefundLookup.Declined("charge_disputed", "the charge is disputed");
      }
      return new RefundLookup.Absent();
    }
  }

  /** Amounts of payments the tests created, so polls report what was asked for. */
  public static final class Payments {
    public static final Map<String, Long> AMOUNTS = new ConcurrentHashMap<>();

    /** The amount a test payment was created with. */
    public static long amountOf(String paymentId) {
      return AMOUNTS.getOrDefault(paymentId, 0L);
    }
  }
}
