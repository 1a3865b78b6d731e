package dev.kopek.http;

import dev.kopek.client.PaymentsClient;
import dev.kopek.client.Refund;
import dev.kopek.client.UnmatchedPayment;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.payments.Topup;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Top-ups, the hosted checkout pages, provider webhooks and refunds. A request that makes the
 * payments verticle call a provider waits for it as long as that work can take: the provider call
 * (bounded there by {@code payments.gateway_timeout_ms}), then the ledger requests it may make in a
 * row, plus a margin ({@link HttpConfig#paymentsTimeoutMs}). Answering 504 sooner would leave the
 * work going on behind the caller's back.
 */
final class PaymentsApi {

  /** Reads: the ledger's timeout. */
  private final PaymentsClient payments;

  /** Starting a top-up (or starting again one kept pending): the provider call. */
  private final PaymentsClient topups;

  /**
   * A refund: the ledger debit, the provider lookup of an earlier attempt's refund, the refund
   * call, and the debit's reversal if the provider refuses.
   */
  private final PaymentsClient refunds;

  /** The checkout and return pages: starting a kept payment again, and the provider's form. */
  private final PaymentsClient pages;

  /**
   * The form's post and webhooks: verifying or submitting, asking the provider about a payment an
   * event names through another object, then the ledger credit.
   */
  private final PaymentsClient settling;

  PaymentsApi(PaymentsClient payments, HttpConfig config) {
    this.payments = payments;
    this.topups = payments.withTimeout(config.paymentsTimeoutMs(1, 0));
    this.refunds = payments.withTimeout(config.paymentsTimeoutMs(2, 2));
    this.pages = payments.withTimeout(config.paymentsTimeoutMs(2, 0));
    this.settling = payments.withTimeout(config.paymentsTimeoutMs(2, 1));
  }

  void createTopup(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    topups
        .createTopup(
            Authentication.caller(ctx).userId(),
            Replies.idempotencyKey(ctx),
            body.getLong("amount_minor"),
            Replies.currency("currency", body.getString("currency")),
            body.getString("gateway"),
            body.getString("return_url"))
        .onSuccess(topup -> Replies.replayable(ctx, 201, topup, Topup::toJson))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void getTopup(RoutingContext ctx) {
    payments
        .topup(
            Authentication.caller(ctx).userId(),
            Replies.validated(ctx).getPathParameters().get("id").getString())
        .onSuccess(topup -> Replies.json(ctx, 200, topup.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listTopups(RoutingContext ctx) {
    RequestParameter after = Replies.validated(ctx).getQuery().get("starting_after");
    payments
        .topups(
            Authentication.caller(ctx).userId(),
            Replies.limit(ctx),
            after == null || after.isNull() ? null : after.getString())
        .onSuccess(page -> Replies.json(ctx, 200, page.toJson(Topup::toJson)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void refundTopup(RoutingContext ctx) {
    JsonObject body =
        Replies.validated(ctx).getBody() == null || Replies.validated(ctx).getBody().isNull()
            ? new JsonObject()
            : Replies.validated(ctx).getBody().getJsonObject();
    refunds
        .refund(
            Replies.validated(ctx).getPathParameters().get("id").getString(),
            body.getLong("amount_minor"),
            Replies.idempotencyKey(ctx),
            Authentication.caller(ctx).userId())
        .onSuccess(
            refund ->
                Replies.replayable(
                    ctx,
                    "pending".equals(refund.value().status()) ? 202 : 201,
                    refund,
                    Refund::toJson))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** Money providers reported that no top-up accounts for, for administrators. */
  void listUnmatchedPayments(RoutingContext ctx) {
    RequestParameter after = Replies.validated(ctx).getQuery().get("starting_after");
    payments
        .unmatched(Replies.limit(ctx), after == null || after.isNull() ? null : after.getString())
        .onSuccess(page -> Replies.json(ctx, 200, page.toJson(UnmatchedPayment::toJson)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void checkoutPage(RoutingContext ctx) {
    pages
        .checkout(token(ctx))
        .onSuccess(checkout -> CheckoutPages.checkout(ctx, checkout))
        .onFailure(error -> page(ctx, error));
  }

  void checkoutComplete(RoutingContext ctx) {
    pages
        .checkout(token(ctx))
        .onSuccess(checkout -> CheckoutPages.status(ctx, checkout))
        .onFailure(error -> page(ctx, error));
  }

  /** The checkout page's form post; replies JSON for its script. */
  void submitCheckout(RoutingContext ctx) {
    JsonObject form = Replies.validated(ctx).getBody().getJsonObject();
    settling
        .submitCheckout(token(ctx), form)
        .onSuccess(reply -> ctx.response().putHeader("Cache-Control", "no-store"))
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /**
   * Hands the webhook to the provider's gateway exactly as it arrived: the raw bytes (signatures
   * cover them) and every header.
   */
  void receiveWebhook(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    ctx.request()
        .headers()
        .names()
        .forEach(name -> headers.put(name, ctx.request().headers().getAll(name)));
    settling
        .receiveWebhook(
            ctx.pathParam("gateway"),
            raw.getBytes(),
            headers,
            ctx.request().getHeader("Content-Type"))
        .onSuccess(
            result ->
                Replies.json(
                    ctx, 200, new JsonObject().put("received", true).put("result", result)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  private static String token(RoutingContext ctx) {
    return ctx.pathParam("token");
  }

  /**
   * The failure handler of the pages payers' browsers open: a link that cannot be a checkout
   * (truncated, too long, odd characters: the contract refuses its token) shows the same page as an
   * unknown checkout, not a problem document the browser cannot show.
   */
  static void pageFailure(RoutingContext ctx) {
    Throwable error = ctx.failure();
    if (error instanceof io.vertx.ext.web.handler.HttpException http && http.getCause() != null) {
      error = http.getCause();
    }
    if (error instanceof io.vertx.openapi.validation.ValidatorException
        || ctx.statusCode() == 400
        || ctx.statusCode() == 404) {
      CheckoutPages.notFound(ctx);
    } else {
      Problems.handleFailure(ctx);
    }
  }

  private static void page(RoutingContext ctx, Throwable error) {
    if (Failure.from(error).code() == ErrorCode.NOT_FOUND) {
      CheckoutPages.notFound(ctx);
    } else {
      Replies.failed(ctx, error);
    }
  }
}
