package dev.kopek.model.payments;

/**
 * The payments verticle's event-bus contract; docs/EVENT-BUS.md describes each address. Bodies are
 * JSON; failures arrive as {@link dev.kopek.model.Failure} JSON.
 */
public final class PaymentsAddresses {

  /**
   * Request/reply: {@code {"user_id","amount_minor","currency","gateway"?,"return_url"?,
   * "idempotency_key"}}; replies a {@link Topup} (and {@code "replayed"}).
   */
  public static final String TOPUP_CREATE = "kopek.payments.topup.create";

  /**
   * Request/reply: {@code {"user_id","id"}}; replies a {@link Topup}; another user's is not found.
   */
  public static final String TOPUP_GET = "kopek.payments.topup.get";

  /**
   * Request/reply: {@code {"user_id","limit","starting_after"?}}; replies {@code
   * {"data","has_more"}}.
   */
  public static final String TOPUPS_LIST = "kopek.payments.topups.list";

  /** Request/reply: {@code {"token"}}; replies what the hosted checkout page shows. */
  public static final String CHECKOUT_GET = "kopek.payments.checkout.get";

  /**
   * Request/reply: {@code {"token","form":{...}}}; replies {@code {"status","message","field"?}}.
   */
  public static final String CHECKOUT_SUBMIT = "kopek.payments.checkout.submit";

  /**
   * Request/reply: {@code {"gateway","body_base64","headers":{name:[values]},"content_type"}};
   * replies {@code {"result":"processed"|"duplicate"|"ignored"}}, fails validation_failed when the
   * webhook is not provably from the provider.
   */
  public static final String WEBHOOK_RECEIVE = "kopek.payments.webhook.receive";

  /**
   * Request/reply: {@code {"id","amount_minor"?,"idempotency_key","admin_id"}}; refunds a succeeded
   * top-up through its provider and debits the wallet under the balance guard. Replies the refund
   * with {@code "status"}: {@code succeeded}, or {@code pending} while the provider's answer is
   * being resolved; fails insufficient_funds, not_refundable, gateway_error (refused; the debit
   * reversed), validation_failed, idempotency_conflict or idempotency_in_progress.
   */
  public static final String REFUND = "kopek.payments.refund";

  /**
   * Request/reply: {@code {"limit","starting_after"?}}; replies {@code {"data","has_more"}}, the
   * unmatched provider payments, newest first: money a provider reports on an object no Kopek
   * payment accounts for (never credited).
   */
  public static final String UNMATCHED_LIST = "kopek.payments.unmatched.list";

  /**
   * Request/reply: {@code {"from","to"}} (RFC 3339, at most 366 days apart); replies {@code
   * {"data":[{"day","currency","count","amount_minor"}]}}: the top-ups that succeeded (refunded
   * ones included) per UTC day of their completion and currency, oldest day first.
   */
  public static final String TOPUPS_DAILY = "kopek.payments.topups.daily";

  /**
   * Request/reply: {@code {"status":"flagged"|"pending"|"failed","created_before"?,
   * "created_after"?,"limit"?}}; replies {@code {"data":[Topup...],"count"}}: every user's top-ups
   * in that state created in that period, newest first, and how many there are in all. For
   * administrators.
   */
  public static final String TOPUPS_ATTENTION = "kopek.payments.topups.attention";

  /** Published fact: a {@link Topup} that succeeded and was credited. */
  public static final String SUCCEEDED = "kopek.payments.succeeded";

  /** Published fact: a {@link Topup} that was declined, expired, or flagged. */
  public static final String FAILED = "kopek.payments.failed";

  private PaymentsAddresses() {}
}
