package dev.kopek.http;

import dev.kopek.client.BillingClient;
import dev.kopek.client.Plan;
import dev.kopek.client.Subscription;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;

/**
 * Recurring billing: plans (administrators create and retire them), the caller's subscriptions, and
 * the test clock. The subscriber is always the token's user, never a field of the body.
 */
final class SubscriptionsApi {

  private final BillingClient billing;

  SubscriptionsApi(BillingClient billing) {
    this.billing = billing;
  }

  /** The plans a user can subscribe to: the active ones. */
  void listPlans(RoutingContext ctx) {
    billing
        .plans(false)
        .onSuccess(plans -> Replies.json(ctx, 200, Replies.data(plans, Plan::toJson)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listAllPlans(RoutingContext ctx) {
    RequestParameter includeRetired = Replies.validated(ctx).getQuery().get("include_retired");
    boolean all = includeRetired != null && !includeRetired.isNull() && includeRetired.getBoolean();
    billing
        .plans(all)
        .onSuccess(plans -> Replies.json(ctx, 200, Replies.data(plans, Plan::toJson)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void createPlan(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    billing
        .createPlan(
            body.getString("code"),
            body.getString("name"),
            body.getLong("price_minor"),
            Replies.currency("currency", body.getString("currency")),
            body.getString("period"))
        .onSuccess(plan -> Replies.json(ctx, 201, plan.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void retirePlan(RoutingContext ctx) {
    String code = Replies.validated(ctx).getPathParameters().get("code").getString();
    billing
        .retirePlan(code)
        .onSuccess(plan -> Replies.json(ctx, 200, plan.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void createSubscription(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    billing
        .subscribe(
            Authentication.caller(ctx).userId(),
            body.getString("plan"),
            Replies.idempotencyKey(ctx))
        .onSuccess(subscription -> Replies.replayable(ctx, 201, subscription, Subscription::toJson))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listSubscriptions(RoutingContext ctx) {
    billing
        .subscriptions(Authentication.caller(ctx).userId())
        .onSuccess(
            subscriptions ->
                Replies.json(ctx, 200, Replies.data(subscriptions, Subscription::toJson)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void changeSubscription(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    billing
        .changePlan(
            Authentication.caller(ctx).userId(),
            subscriptionId(ctx),
            body.getString("plan"),
            Replies.idempotencyKey(ctx))
        .onSuccess(subscription -> Replies.replayable(ctx, 200, subscription, Subscription::toJson))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void cancelSubscription(RoutingContext ctx) {
    billing
        .cancel(
            Authentication.caller(ctx).userId(), subscriptionId(ctx), Replies.idempotencyKey(ctx))
        .onSuccess(subscription -> Replies.replayable(ctx, 200, subscription, Subscription::toJson))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /**
   * The test clock's time. Without the test clock there is nothing to show (billing runs on the
   * system clock), so the endpoint is absent: 404, as for setting it.
   */
  void getClock(RoutingContext ctx) {
    billing
        .clock()
        .onSuccess(
            clock -> {
              if (clock.testClock()) {
                Replies.json(ctx, 200, clock.toJson());
              } else {
                Problems.send(
                    ctx,
                    Failure.of(
                        ErrorCode.NOT_FOUND, "the test clock is off (billing.test_clock: false)"));
              }
            })
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void setClock(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    (body.containsKey("advance_ms")
            ? billing.advanceClock(body.getLong("advance_ms"))
            : billing.setClock(body.getString("now")))
        .onSuccess(clock -> Replies.json(ctx, 200, clock.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  private static String subscriptionId(RoutingContext ctx) {
    return Replies.validated(ctx).getPathParameters().get("id").getString();
  }
}
