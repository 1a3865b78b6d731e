package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.SubmitResult;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The hosted checkout page's back end: the token in the URL is the only credential, so it is
 * checked (exists, not expired) before anything else, and it reaches exactly one payment.
 */
final class Checkouts {

  /** Most form fields a checkout post may carry; providers need a handful. */
  private static final int FORM_FIELDS_MAX = 20;

  private final PaymentsConfig config;
  private final GatewayRegistry gateways;
  private final GatewayCalls calls;
  private final PaymentStore store;
  private final Settlement settlement;
  private final Topups topups;
  private final Clock clock;

  Checkouts(
      PaymentsConfig config,
      GatewayRegistry gateways,
      GatewayCalls calls,
      PaymentStore store,
      Settlement settlement,
      Topups topups,
      Clock clock) {
    this.config = config;
    this.gateways = gateways;
    this.calls = calls;
    this.store = store;
    this.settlement = settlement;
    this.topups = topups;
    this.clock = clock;
  }

  /** What the page shows: the payment, and for a payable one, the provider's form. */
  Future<JsonObject> get(JsonObject body) {
    return payment(body)
        .compose(
            payment -> {
              JsonObject reply =
                  new JsonObject()
                      .put("payment_id", payment.id())
                      .put("user_id", payment.userId())
                      .put("amount_minor", payment.amountMinor())
                      .put("currency", payment.currency())
                      .put("gateway", payment.gateway())
                      .put("status", payment.status())
                      .put("decline_code", payment.declineCode())
                      .put("return_url", payment.returnUrl())
                      .put("expired", expired(payment));
              if (!payment.isPending() || expired(payment)) {
                return Future.succeededFuture(reply);
              }
              if (payment.redirectUrl() != null) {
                return Future.succeededFuture(reply.put("redirect_url", payment.redirectUrl()));
              }
              // A payment whose start at the provider had an unknown outcome is started again, with
              // the same key, before its page can be shown.
              return topups
                  .resume(payment)
                  .compose(
                      started -> {
                        if (started.redirectUrl() != null) {
                          return Future.succeededFuture(
                              reply.put("redirect_url", started.redirectUrl()));
                        }
                        Gateway gateway = gateway(started);
                        HostedCheckout checkout = hosted(started);
                        return calls
                            .call(
                                gateway,
                                "checkoutPage",
                                started.id(),
                                g -> g.checkoutPage(checkout))
                            .map(page -> reply.put("page", pageJson(page)));
                      });
            });
  }

  /** The page's form post: hand it to the provider and settle what it says. */
  Future<JsonObject> submit(JsonObject body) {
    Map<String, String> form = form(body.getValue("form"));
    return payment(body)
        .compose(
            payment -> {
              if (!payment.isPending()) {
                return Future.succeededFuture(
                    status(payment.status(), settledMessage(payment.status())));
              }
              if (expired(payment)) {
                return Future.failedFuture(
                    Failure.of(
                            ErrorCode.CHECKOUT_EXPIRED,
                            "this checkout link has expired; start a new top-up")
                        .toException());
              }
              Gateway gateway = gateway(payment);
              HostedCheckout checkout = hosted(payment);
              return calls
                  .call(
                      gateway,
                      "submitCheckout",
                      payment.id(),
                      g -> g.submitCheckout(checkout, form),
                      SubmitResult.Failed::new)
                  .compose(result -> handle(payment, result));
            });
  }

  private Future<JsonObject> handle(PaymentRow payment, SubmitResult result) {
    if (result instanceof SubmitResult.Invalid invalid) {
      return Future.succeededFuture(
          status("invalid", invalid.message()).put("field", invalid.field()));
    }
    if (result instanceof SubmitResult.Failed failed) {
      if (failed.failure().outcomeUnknown()) {
        // The provider may have charged: the payment stays pending and is settled by the
        // provider's webhook or Kopek's poll, never paid a second time from this page.
        return Future.succeededFuture(
            status(
                "unknown",
                "The payment provider did not confirm "
                    + "the payment in time. If you were charged, your balance will be credited shortly."));
      }
      return Future.succeededFuture(
          status(
              "failed",
              "The payment provider is not available right "
                  + "now ("
                  + failed.failure().kind().name().toLowerCase(java.util.Locale.ROOT)
                  + "). Please try again."));
    }
    SubmitResult.Accepted accepted = (SubmitResult.Accepted) result;
    Future<Void> referenced =
        accepted.providerReference() != null && payment.providerReference() == null
            ? store.setReference(payment.id(), accepted.providerReference(), clock.instant())
            : Future.succeededFuture();
    return referenced
        .compose(
            v ->
                settlement.apply(
                    payment,
                    accepted.outcome(),
                    payment.amountMinor(),
                    payment.currency(),
                    "checkout form"))
        .map(settled -> reply(accepted.outcome()));
  }

  private static JsonObject reply(PaymentOutcome outcome) {
    if (outcome instanceof PaymentOutcome.Succeeded) {
      return status("succeeded", "Payment succeeded.");
    }
    if (outcome instanceof PaymentOutcome.Declined declined) {
      return status("declined", "Payment declined: " + declined.message())
          .put("decline_code", declined.code());
    }
    if (outcome instanceof PaymentOutcome.Pending) {
      return status("pending", "Payment pending: the payer or the bank has not confirmed it yet.");
    }
    return status("unknown", "Payment submitted; waiting for the provider to confirm it.");
  }

  /** What the form says when it is posted for a payment that is no longer pending. */
  static String settledMessage(String status) {
    return switch (status) {
      case "succeeded" -> "This payment has already succeeded.";
      case "failed" -> "This payment was declined; nothing was charged.";
      case "refunded" -> "This payment has been refunded.";
      case "expired" -> "This checkout has expired; start a new top-up.";
      case "flagged" -> "This payment is under review.";
      default -> "This payment can no longer be paid.";
    };
  }

  private static JsonObject status(String status, String message) {
    return new JsonObject().put("status", status).put("message", message);
  }

  private Future<PaymentRow> payment(JsonObject body) {
    Object token = body.getValue("token");
    if (!(token instanceof String text) || text.length() < 20 || text.length() > 100) {
      return Future.failedFuture(Failure.of(ErrorCode.NOT_FOUND, "no such checkout").toException());
    }
    return store
        .byToken(text)
        .map(
            found ->
                found.orElseThrow(
                    () -> Failure.of(ErrorCode.NOT_FOUND, "no such checkout").toException()));
  }

  private boolean expired(PaymentRow payment) {
    return !clock.instant().isBefore(payment.checkoutExpiresAt());
  }

  private Gateway gateway(PaymentRow payment) {
    return gateways
        .find(payment.gateway())
        .orElseThrow(
            () ->
                Failure.of(
                        ErrorCode.UNAVAILABLE,
                        "the payment provider " + payment.gateway() + " is not enabled any more")
                    .toException());
  }

  HostedCheckout hosted(PaymentRow payment) {
    String base = "/checkout/" + payment.checkoutToken();
    return new HostedCheckout(
        payment.id(),
        payment.amountMinor(),
        payment.currency(),
        payment.providerReference(),
        payment.clientSecret(),
        base + "/submit",
        payment.returnUrl(),
        config.publicUrl() + "/webhooks/" + payment.gateway());
  }

  private static JsonObject pageJson(HostedPage page) {
    return new JsonObject()
        .put("body_html", page.bodyHtml())
        .put("script", page.script())
        .put("script_origins", new JsonArray(page.scriptOrigins()))
        .put("frame_origins", new JsonArray(page.frameOrigins()))
        .put("connect_origins", new JsonArray(page.connectOrigins()));
  }

  private static Map<String, String> form(Object value) {
    if (!(value instanceof JsonObject json) || json.size() > FORM_FIELDS_MAX) {
      throw Failure.invalid(
              "form", "form must be an object of at most " + FORM_FIELDS_MAX + " fields")
          .toException();
    }
    Map<String, String> form = new HashMap<>();
    json.forEach(
        field -> {
          if (field.getValue() != null
              && !(field.getValue() instanceof JsonObject)
              && !(field.getValue() instanceof JsonArray)
              && String.valueOf(field.getValue()).length() <= 2000) {
            form.put(field.getKey(), String.valueOf(field.getValue()));
          }
        });
    return form;
  }
}
