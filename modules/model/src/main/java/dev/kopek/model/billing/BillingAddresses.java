package dev.kopek.model.billing;

/**
 * The billing verticle's event-bus contract; docs/EVENT-BUS.md describes each address, its messages
 * and replies. Failures arrive as {@link dev.kopek.model.Failure} JSON.
 */
public final class BillingAddresses {

  /** Request/reply: {@code {"code","name","price_minor","currency","period"}}; replies the plan. */
  public static final String PLAN_CREATE = "kopek.billing.plan.create";

  /** Request/reply: {@code {"include_retired"?}}; replies {@code {"data":[plan...]}}. */
  public static final String PLANS_LIST = "kopek.billing.plans.list";

  /** Request/reply: {@code {"code"}}; replies the retired plan. */
  public static final String PLAN_RETIRE = "kopek.billing.plan.retire";

  /** Request/reply: {@code {"user_id","plan","idempotency_key"}}; replies the subscription. */
  public static final String SUBSCRIPTION_CREATE = "kopek.billing.subscription.create";

  /** Request/reply: {@code {"user_id"}}; replies {@code {"data":[subscription...]}}. */
  public static final String SUBSCRIPTIONS_LIST = "kopek.billing.subscriptions.list";

  /** Request/reply: {@code {"user_id","id","plan","idempotency_key"}}; changes the plan now. */
  public static final String SUBSCRIPTION_CHANGE = "kopek.billing.subscription.change";

  /** Request/reply: {@code {"user_id","id","idempotency_key"}}; settles up to now and ends it. */
  public static final String SUBSCRIPTION_CANCEL = "kopek.billing.subscription.cancel";

  /**
   * Request/reply: {@code {}}; replies {@code {"active","suspended"}}: how many subscriptions are
   * in each state, for the operator console.
   */
  public static final String SUBSCRIPTIONS_COUNT = "kopek.billing.subscriptions.count";

  /** Request/reply: {@code {}}; replies {@code {"now","test_clock"}}. */
  public static final String CLOCK_GET = "kopek.billing.clock.get";

  /**
   * Request/reply: {@code {"advance_ms"}} or {@code {"now"}}; moves the test clock forward (only
   * with {@code billing.test_clock: true}; never backwards).
   */
  public static final String CLOCK_SET = "kopek.billing.clock.set";

  /** Published fact: one billing entry was posted (a period, or the part of one). */
  public static final String CHARGED = "kopek.billing.charged";

  /** Published fact: a wallet's balance ran out; its subscriptions are suspended. */
  public static final String SUSPENDED = "kopek.billing.suspended";

  /** Published fact: a credit resumed a wallet's suspended subscriptions. */
  public static final String RESUMED = "kopek.billing.resumed";

  private BillingAddresses() {}
}
