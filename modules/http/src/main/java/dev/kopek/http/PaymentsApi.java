package dev.kopek.http;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.payments.PaymentsAddresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.util.Base64;

/**
 * Top-ups, the hosted checkout pages, provider webhooks and refunds. A request that makes the
 * payments verticle call a provider waits for it as long as that work can take: the provider call
 * (bounded there by {@code payments.gateway_timeout_ms}), then the ledger requests it may make in a
 * row, plus a margin ({@link HttpConfig#paymentsTimeoutMs}). Answering 504 sooner would leave the
 * work going on behind the caller's back.
 */
final class PaymentsApi {

  private final BusClient payments;

  /** Starting a top-up (or starting again one kept pending): the provider call. */
  private final long topupTimeoutMs;

  /**
   * A refund: the ledger debit, the provider lookup of an earlier attempt's refund, the refund
   * call, and the debit's reversal if the provider refuses.
   */
  private final long refundTimeoutMs;

  /** The checkout and return pages: starting a kept payment again, and the provider's form. */
  private final long pageTimeoutMs;

  /**
   * The form's post and webhooks: verifying or submitting, asking the provider about a payment an
   * event names through another object, then the ledger credit.
   */
  private final long settleTimeoutMs;

  PaymentsApi(BusClient payments, HttpConfig config) {
    this.payments = payments;
    this.topupTimeoutMs = config.paymentsTimeoutMs(1, 0);
    this.refundTimeoutMs = config.paymentsTimeoutMs(2, 2);
    this.pageTimeoutMs = config.paymentsTimeoutMs(2, 0);
    this.settleTimeoutMs = config.paymentsTimeoutMs(2, 1);
  }

  void createTopup(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request =
        new JsonObject()
            .put("user_id", Authentication.caller(ctx).userId())
            .put("idempotency_key", Replies.idempotencyKey(ctx))
            .put("amount_minor", body.getLong("amount_minor"))
            .put("currency", Replies.currency("currency", body.getString("currency")))
            .put("gateway", body.getString("gateway"))
            .put("return_url", body.getString("return_url"));
    payments
        .request(PaymentsAddresses.TOPUP_CREATE, request, topupTimeoutMs)
        .onSuccess(reply -> Replies.entryCreated(ctx, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void getTopup(RoutingContext ctx) {
    JsonObject request =
        new JsonObject()
            .put("user_id", Authentication.caller(ctx).userId())
            .put("id", Replies.validated(ctx).getPathParameters().get("id").getString());
    payments
        .request(PaymentsAddresses.TOPUP_GET, request)
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listTopups(RoutingContext ctx) {
    RequestParameter after = Replies.validated(ctx).getQuery().get("starting_after");
    JsonObject request =
        new JsonObject()
            .put("user_id", Authentication.caller(ctx).userId())
            .put("limit", Replies.limit(ctx))
            .put("starting_after", after == null || after.isNull() ? null : after.getString());
    payments
        .request(PaymentsAddresses.TOPUPS_LIST, request)
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void refundTopup(RoutingContext ctx) {
    JsonObject body =
        Replies.validated(ctx).getBody() == null || Replies.validated(ctx).getBody().isNull()
            ? new JsonObject()
            : Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request =
        new JsonObject()
            .put("id", Replies.validated(ctx).getPathParameters().get("id").getString())
            .put("amount_minor", body.getLong("amount_minor"))
            .put("idempotency_key", Replies.idempotencyKey(ctx))
            .put("admin_id", Authentication.caller(ctx).userId());
    payments
        .request(PaymentsAddresses.REFUND, request, refundTimeoutMs)
        .onSuccess(
            reply ->
                Replies.replayable(
                    ctx, "pending".equals(reply.getString("status")) ? 202 : 201, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** Money providers reported that no top-up accounts for, for administrators. */
  void listUnmatchedPayments(RoutingContext ctx) {
    RequestParameter after = Replies.validated(ctx).getQuery().get("starting_after");
    JsonObject request =
        new JsonObject()
            .put("limit", Replies.limit(ctx))
            .put("starting_after", after == null || after.isNull() ? null : after.getString());
    payments
        .request(PaymentsAddresses.UNMATCHED_LIST, request)
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void checkoutPage(RoutingContext ctx) {
    payments
        .request(PaymentsAddresses.CHECKOUT_GET, token(ctx), pageTimeoutMs)
        .onSuccess(checkout -> CheckoutPages.checkout(ctx, checkout))
        .onFailure(error -> page(ctx, error));
  }

  void checkoutComplete(RoutingContext ctx) {
    payments
        .request(PaymentsAddresses.CHECKOUT_GET, token(ctx), pageTimeoutMs)
        .onSuccess(checkout -> CheckoutPages.status(ctx, checkout))
        .onFailure(error -> page(ctx, error));
  }

  /** The checkout page's form post; replies JSON for its script. */
  void submitCheckout(RoutingContext ctx) {
    JsonObject form = Replies.validated(ctx).getBody().getJsonObject();
    payments
        .request(PaymentsAddresses.CHECKOUT_SUBMIT, token(ctx).put("form", form), settleTimeoutMs)
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
    JsonObject headers = new JsonObject();
    ctx.request()
        .headers()
        .names()
        .forEach(name -> headers.put(name, new JsonArray(ctx.request().headers().getAll(name))));
    JsonObject request =
        new JsonObject()
            .put("gateway", ctx.pathParam("gateway"))
            .put("body_base64", Base64.getEncoder().encodeToString(raw.getBytes()))
            .put("headers", headers)
            .put("content_type", ctx.request().getHeader("Content-Type"));
    payments
        .request(PaymentsAddresses.WEBHOOK_RECEIVE, request, settleTimeoutMs)
        .onSuccess(
            reply ->
                Replies.json(
                    ctx,
                    200,
                    new JsonObject()
                        .put("received", true)
                        .put("result", reply.getString("result"))))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  private static JsonObject token(RoutingContext ctx) {
    return new JsonObject().put("token", ctx.pathParam("token"));
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
