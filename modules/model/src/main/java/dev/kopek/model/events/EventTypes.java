package dev.kopek.model.events;

import java.util.List;
import java.util.Set;

/**
 * The types of Kopek's events, {@code resource.past_tense} as in Stripe's API. docs/WEBHOOKS.md
 * shows a payload of each.
 */
public final class EventTypes {

  private EventTypes() {}

  /** Every ledger entry (its kind inside): top-ups, charges, billing, refunds, adjustments. */
  public static final String ENTRY_POSTED = "entry.posted";

  public static final String TOPUP_SUCCEEDED = "topup.succeeded";
  public static final String TOPUP_FAILED = "topup.failed";

  /** A top-up the provider settled differently from what was asked (held for an administrator). */
  public static final String TOPUP_FLAGGED = "topup.flagged";

  public static final String REFUND_SUCCEEDED = "refund.succeeded";
  public static final String REFUND_FAILED = "refund.failed";
  public static final String SUBSCRIPTION_CREATED = "subscription.created";
  public static final String SUBSCRIPTION_UPDATED = "subscription.updated";
  public static final String SUBSCRIPTION_CANCELED = "subscription.canceled";
  public static final String SUBSCRIPTION_CHARGED = "subscription.charged";
  public static final String SUBSCRIPTION_SUSPENDED = "subscription.suspended";
  public static final String SUBSCRIPTION_RESUMED = "subscription.resumed";

  /** The wallet's balance crossed below its threshold. */
  public static final String WALLET_BALANCE_LOW = "wallet.balance_low";

  /** The runway of the wallet's active subscriptions crossed below one of the thresholds. */
  public static final String WALLET_RUNWAY_LOW = "wallet.runway_low";

  /** The wallet's subscriptions were suspended for lack of money. */
  public static final String WALLET_DEPLETED = "wallet.depleted";

  /** A webhook endpoint was disabled: its deliveries failed for good, or it answered 410. */
  public static final String ENDPOINT_DISABLED = "endpoint.disabled";

  /** Every type, in the catalogue's order. */
  public static final List<String> ALL =
      List.of(
          ENTRY_POSTED,
          TOPUP_SUCCEEDED,
          TOPUP_FAILED,
          TOPUP_FLAGGED,
          REFUND_SUCCEEDED,
          REFUND_FAILED,
          SUBSCRIPTION_CREATED,
          SUBSCRIPTION_UPDATED,
          SUBSCRIPTION_CANCELED,
          SUBSCRIPTION_CHARGED,
          SUBSCRIPTION_SUSPENDED,
          SUBSCRIPTION_RESUMED,
          WALLET_BALANCE_LOW,
          WALLET_RUNWAY_LOW,
          WALLET_DEPLETED,
          ENDPOINT_DISABLED);

  private static final Set<String> KNOWN = Set.copyOf(ALL);

  public static boolean isKnown(String type) {
    return KNOWN.contains(type);
  }
}
