package dev.kopek.model.ledger;

/**
 * The ledger's event-bus contract: every address the ledger serves or publishes, and nothing else
 * spells them. Request bodies and replies are the JSON forms of the records in this package;
 * failures arrive as {@link dev.kopek.model.Failure} JSON. docs/EVENT-BUS.md describes each one.
 */
public final class LedgerAddresses {

  /** Request/reply: one {@link PostingRequest}; replies with the {@link Entry} posted. */
  public static final String POST = "kopek.ledger.post";

  /**
   * Request/reply: {@code {"postings":[PostingRequest...], "atomic": false}}, applied in order,
   * each with its own outcome, or with {@code "atomic": true} all or none; replies {@code
   * {"results":[{"entry":{...}} | {"error":{...}}]}} in the same order. Or {@code
   * {"groups":[[PostingRequest...], ...]}}: independent groups, each posted all or none on its own;
   * replies {@code {"groups":[[result...], ...]}} in the same order.
   */
  public static final String POST_BATCH = "kopek.ledger.post.batch";

  /** Request/reply: {@code {"user_id"}}; replies {@code {"data":[Wallet...]}}. */
  public static final String WALLETS_LIST = "kopek.ledger.wallets.list";

  /** Request/reply: {@code {"user_id","currency"}}; replies one {@link Wallet}. */
  public static final String WALLET_GET = "kopek.ledger.wallet.get";

  /**
   * Request/reply: {@code {"wallets":[{"user_id","currency"}...]}}; replies {@code
   * {"data":[Wallet...]}} in the same order.
   */
  public static final String WALLETS_GET = "kopek.ledger.wallets.get";

  /** Request/reply: an {@link EntryQuery}; replies an {@link EntryPage}. */
  public static final String ENTRIES_LIST = "kopek.ledger.entries.list";

  /**
   * Request/reply: a {@link UserQuery}; replies a {@link UserPage}: the users that have wallets,
   * each with all of their wallets, for administrators.
   */
  public static final String USERS_LIST = "kopek.ledger.users.list";

  /** Request/reply: {@code {}}; replies a {@link VerifyReport}. */
  public static final String VERIFY = "kopek.ledger.verify";

  /**
   * Request/reply: {@code {}}; replies {@code {"last":{"ran_at","ok","wallets_checked",
   * "entries_checked","broken"?}}} for the newest {@link #VERIFY} run ({@code last} null when none
   * ran). Every verify run is recorded.
   */
  public static final String VERIFY_LAST = "kopek.ledger.verify.last";

  /**
   * Request/reply: {@code {"from","to"}} (RFC 3339, at most 366 days apart); replies {@code
   * {"data":[{"day","currency","kind","amount_minor","count"}]}}: the user-wallet entries per UTC
   * day, currency and kind ({@code amount_minor} signed from the wallets' side), oldest day first.
   */
  public static final String DAILY_SUMS = "kopek.ledger.daily_sums";

  /** Request/reply: {@code {}}; replies {@code {"status":"UP"}} when the database answers. */
  public static final String HEALTH = "kopek.ledger.health";

  /**
   * Request/reply: {@code {"user_id","currency"}}; replies the wallet's alert settings {@code
   * {"user_id","currency","balance_low_minor","default_balance_low_minor"}}: the wallet's own
   * {@code wallet.balance_low} threshold (null when it has none) and the one configured for its
   * currency ({@code alerts.balance_low_minor}, null when none), which applies without an override.
   */
  public static final String WALLET_ALERTS_GET = "kopek.ledger.wallet.alerts.get";

  /**
   * Request/reply: {@code {"user_id","currency","balance_low_minor"}}, the threshold a whole number
   * of minor units from 0, or null to drop the wallet's override (the configured default applies
   * again); replies the settings as {@link #WALLET_ALERTS_GET} does.
   */
  public static final String WALLET_ALERTS_SET = "kopek.ledger.wallet.alerts.set";

  /** Published fact: one {@link Entry} for every user-wallet entry, after its commit. */
  public static final String POSTED = "kopek.ledger.posted";

  private LedgerAddresses() {}
}
