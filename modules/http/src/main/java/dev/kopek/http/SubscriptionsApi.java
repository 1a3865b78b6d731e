package dev.kopek.http;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.billing.BillingAddresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;

/**
 * Recurring billing: plans (administrators create and retire them), the caller's subscriptions, and
 * the test clock. The subscriber is always the token's user, never a field of the body.
 */
final class SubscriptionsApi {

  private final BusClient billing;

  SubscriptionsApi(BusClient billing) {
    this.billing = billing;
  }

  /** The plans a user can subscribe to: the active ones. */
  void listPlans(RoutingContext ctx) {
    billing
        .request(BillingAddresses.PLANS_LIST, new JsonObject().put("include_retired", false))
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listAllPlans(RoutingContext ctx) {
    RequestParameter includeRetired = Replies.validated(ctx).getQuery().get("include_retired");
    boolean all = includeRetired != null && !includeRetired.isNull() && includeRetired.getBoolean();
    billing
        .request(BillingAddresses.PLANS_LIST, new JsonObject().put("include_retired", all))
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void createPlan(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request =
        new JsonObject()
            .put("code", body.getString("code"))
            .put("name", body.getString("name"))
            .put("price_minor", body.getLong("price_minor"))
            .put("currency", Replies.currency("currency", body.getString("currency")))
            .put("period", body.getString("period"));
    billing
        .request(BillingAddresses.PLAN_CREATE, request)
        .onSuccess(plan -> Replies.json(ctx, 201, plan))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void retirePlan(RoutingContext ctx) {
    String code = Replies.validated(ctx).getPathParameters().get("code").getString();
    billing
        .request(BillingAddresses.PLAN_RETIRE, new JsonObject().put("code", code))
        .onSuccess(plan -> Replies.json(ctx, 200, plan))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void createSubscription(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request =
        new JsonObject()
            .put("user_id", Authentication.caller(ctx).userId())
            .put("plan", body.getString("plan"))
            .put("idempotency_key", Replies.idempotencyKey(ctx));
    billing
        .request(BillingAddresses.SUBSCRIPTION_CREATE, request)
        .onSuccess(subscription -> Replies.replayable(ctx, 201, subscription))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listSubscriptions(RoutingContext ctx) {
    billing
        .request(
            BillingAddresses.SUBSCRIPTIONS_LIST,
            new JsonObject().put("user_id", Authentication.caller(ctx).userId()))
        .onSuccess(reply -> Replies.json(ctx, 200, reply))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void changeSubscription(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request =
        new JsonObject()
            .put("user_id", Authentication.caller(ctx).userId())
            .put("id", subscriptionId(ctx))
            .put("plan", body.getString("plan"))
            .put("idempotency_key", Replies.idempotencyKey(ctx));
    billing
        .request(BillingAddresses.SUBSCRIPTION_CHANGE, request)
        .onSuccess(subscription -> Replies.replayable(ctx, 200, subscription))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void cancelSubscription(RoutingContext ctx) {
    JsonObject request =
        new JsonObject()
            .put("user_id", Authentication.caller(ctx).userId())
            .put("id", subscriptionId(ctx))
            .put("idempotency_key", Replies.idempotencyKey(ctx));
    billing
        .request(BillingAddresses.SUBSCRIPTION_CANCEL, request)
        .onSuccess(subscription -> Replies.replayable(ctx, 200, subscription))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /**
   * The test clock's time. Without the test clock there is nothing to show (billing runs on the
   * system clock), so the endpoint is absent: 404, as for setting it.
   */
  void getClock(RoutingContext ctx) {
    billing
        .request(BillingAddresses.CLOCK_GET, new JsonObject())
        .onSuccess(
            clock -> {
              if (Boolean.TRUE.equals(clock.getBoolean("test_clock"))) {
                Replies.json(ctx, 200, clock);
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
    JsonObject request = new JsonObject();
    if (body.containsKey("advance_ms")) {
      request.put("advance_ms", body.getLong("advance_ms"));
    } else {
      request.put("now", body.getString("now"));
    }
    billing
        .request(BillingAddresses.CLOCK_SET, request)
        .onSuccess(clock -> Replies.json(ctx, 200, clock))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  private static String subscriptionId(RoutingContext ctx) {
    return Replies.validated(ctx).getPathParameters().get("id").getString();
  }
}
