package dev.kopek.client;

import dev.kopek.model.billing.BillingAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Recurring billing over the event bus ({@code kopek.billing.*}, docs/EVENT-BUS.md and
 * docs/BILLING.md): plans, subscriptions and billing's clock. A failed future carries a {@link
 * dev.kopek.model.Failure.FailureException} with one of the documented codes ({@code not_found},
 * {@code already_exists}, {@code insufficient_funds}, {@code validation_failed}, {@code
 * idempotency_conflict}, {@code unavailable}, {@code timeout}).
 *
 * <p>Immutable and thread-safe; every request waits at most the client's one timeout.
 */
public final class BillingClient {

  private final Channel channel;

  private BillingClient(Channel channel) {
    this.channel = channel;
  }

  /**
   * A client of billing on {@code vertx}'s event bus.
   *
   * @param timeoutMs how long each request waits for its reply, 1 ms to 10 minutes
   */
  public static BillingClient create(Vertx vertx, long timeoutMs) {
    return new BillingClient(new Channel(vertx, timeoutMs, false));
  }

  /** The same client with another timeout. */
  public BillingClient withTimeout(long timeoutMs) {
    return new BillingClient(channel.withTimeout(timeoutMs));
  }

  /** The same client, sending to this Vert.x's own billing only (see LedgerClient#localOnly). */
  public BillingClient localOnly() {
    return new BillingClient(channel.withLocalOnly());
  }

  /** The timeout of every request, in milliseconds. */
  public long timeoutMs() {
    return channel.timeoutMs();
  }

  /**
   * Creates a plan ({@code kopek.billing.plan.create}).
   *
   * @param period an ISO-8601 duration from {@code PT1S} to {@code P31D}, or null for {@code PT1H}
   */
  public Future<Plan> createPlan(
      String code, String name, long priceMinor, String currency, String period) {
    JsonObject request =
        new JsonObject()
            .put("code", code)
            .put("name", name)
            .put("price_minor", priceMinor)
            .put("currency", currency)
            .put("period", period);
    return channel.request(BillingAddresses.PLAN_CREATE, request).map(Plan::fromJson);
  }

  /** The active plans, and the retired ones too with {@code includeRetired}. */
  public Future<List<Plan>> plans(boolean includeRetired) {
    return channel
        .request(
            BillingAddresses.PLANS_LIST, new JsonObject().put("include_retired", includeRetired))
        .map(reply -> Json.list(reply, Plan::fromJson));
  }

  /** Stops new subscriptions to a plan; current ones go on ({@code kopek.billing.plan.retire}). */
  public Future<Plan> retirePlan(String code) {
    return channel
        .request(BillingAddresses.PLAN_RETIRE, new JsonObject().put("code", code))
        .map(Plan::fromJson);
  }

  /**
   * Subscribes a user's wallet of the plan's currency ({@code kopek.billing.subscription.create}).
   */
  public Future<Replayable<Subscription>> subscribe(
      String userId, String plan, String idempotencyKey) {
    JsonObject request =
        new JsonObject()
            .put("user_id", userId)
            .put("plan", plan)
            .put("idempotency_key", idempotencyKey);
    return channel
        .request(BillingAddresses.SUBSCRIPTION_CREATE, request)
        .map(reply -> Replayable.fromJson(reply, Subscription::fromJson));
  }

  /** A user's subscriptions, cancelled ones too ({@code kopek.billing.subscriptions.list}). */
  public Future<List<Subscription>> subscriptions(String userId) {
    return channel
        .request(BillingAddresses.SUBSCRIPTIONS_LIST, new JsonObject().put("user_id", userId))
        .map(reply -> Json.list(reply, Subscription::fromJson));
  }

  /** Changes a subscription's plan now, settling the old one ({@code ...subscription.change}). */
  public Future<Replayable<Subscription>> changePlan(
      String userId, String subscriptionId, String plan, String idempotencyKey) {
    JsonObject request =
        new JsonObject()
            .put("user_id", userId)
            .put("id", subscriptionId)
            .put("plan", plan)
            .put("idempotency_key", idempotencyKey);
    return channel
        .request(BillingAddresses.SUBSCRIPTION_CHANGE, request)
        .map(reply -> Replayable.fromJson(reply, Subscription::fromJson));
  }

  /** Cancels a subscription now, settling it up to now ({@code ...subscription.cancel}). */
  public Future<Replayable<Subscription>> cancel(
      String userId, String subscriptionId, String idempotencyKey) {
    JsonObject request =
        new JsonObject()
            .put("user_id", userId)
            .put("id", subscriptionId)
            .put("idempotency_key", idempotencyKey);
    return channel
        .request(BillingAddresses.SUBSCRIPTION_CANCEL, request)
        .map(reply -> Replayable.fromJson(reply, Subscription::fromJson));
  }

  /**
   * How many subscriptions are active and suspended: {@code {"active","suspended"}} ({@code
   * kopek.billing.subscriptions.count}).
   */
  public Future<JsonObject> subscriptionCounts() {
    return channel.request(BillingAddresses.SUBSCRIPTIONS_COUNT, new JsonObject());
  }

  /** Billing's clock ({@code kopek.billing.clock.get}). */
  public Future<BillingClock> clock() {
    return channel
        .request(BillingAddresses.CLOCK_GET, new JsonObject())
        .map(BillingClock::fromJson);
  }

  /** Moves the test clock forward by {@code advanceMs} ({@code kopek.billing.clock.set}). */
  public Future<BillingClock> advanceClock(long advanceMs) {
    return channel
        .request(BillingAddresses.CLOCK_SET, new JsonObject().put("advance_ms", advanceMs))
        .map(BillingClock::fromJson);
  }

  /** Moves the test clock forward to {@code now} ({@code kopek.billing.clock.set}). */
  public Future<BillingClock> setClock(Instant now) {
    return setClock(now.toString());
  }

  /**
   * Moves the test clock forward to the time {@code now} spells, which billing checks (an RFC 3339
   * time, not before the clock's current time).
   */
  public Future<BillingClock> setClock(String now) {
    return channel
        .request(BillingAddresses.CLOCK_SET, new JsonObject().put("now", now))
        .map(BillingClock::fromJson);
  }
}
