package dev.kopek.client;

import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostedEntry;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.UserPage;
import dev.kopek.model.ledger.UserQuery;
import dev.kopek.model.ledger.VerifyReport;
import dev.kopek.model.ledger.Wallet;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The ledger over the event bus ({@code kopek.ledger.*}, docs/EVENT-BUS.md): futures of the records
 * in {@code dev.kopek.model.ledger}. A failed future carries a {@link
 * dev.kopek.model.Failure.FailureException}; {@code Failure.from(error).code()} is one of the
 * documented codes ({@code insufficient_funds}, {@code idempotency_conflict}, {@code
 * validation_failed}, {@code unavailable}, {@code timeout}, ...). After {@code timeout} or {@code
 * unavailable} the outcome of a posting is unknown: send the same posting again (same idempotency
 * key), it is applied at most once.
 *
 * <p>Immutable and thread-safe; every request waits at most the client's one timeout.
 */
public final class LedgerClient {

  private final Channel channel;

  private LedgerClient(Channel channel) {
    this.channel = channel;
  }

  /**
   * A client of the ledger on {@code vertx}'s event bus (the cluster's, when it is clustered).
   *
   * @param timeoutMs how long each request waits for its reply, 1 ms to 10 minutes
   */
  public static LedgerClient create(Vertx vertx, long timeoutMs) {
    return new LedgerClient(new Channel(vertx, timeoutMs, false));
  }

  /** The same client with another timeout. */
  public LedgerClient withTimeout(long timeoutMs) {
    return new LedgerClient(channel.withTimeout(timeoutMs));
  }

  /**
   * The same client, sending to this Vert.x's own ledger only: for a process that runs the ledger
   * itself (Kopek's HTTP verticle), so that a clustered node serves its requests without a hop.
   */
  public LedgerClient localOnly() {
    return new LedgerClient(channel.withLocalOnly());
  }

  /** The timeout of every request, in milliseconds. */
  public long timeoutMs() {
    return channel.timeoutMs();
  }

  /** Posts one entry ({@code kopek.ledger.post}); a debit stays under the balance guard. */
  public Future<Replayable<Entry>> post(PostingRequest posting) {
    if (channel.localOnly()) {
      return channel
          .requestLocal(LedgerAddresses.POST, posting, PostedEntry.class)
          .map(posted -> new Replayable<>(posted.entry(), posted.replayed()));
    }
    return channel
        .request(LedgerAddresses.POST, posting.toJson())
        .map(reply -> Replayable.fromJson(reply, Entry::fromJson));
  }

  /** The wallets of a user that have had an entry ({@code kopek.ledger.wallets.list}). */
  public Future<List<Wallet>> wallets(String userId) {
    return channel
        .request(LedgerAddresses.WALLETS_LIST, new JsonObject().put("user_id", userId))
        .map(reply -> Json.list(reply, Wallet::fromJson));
  }

  /** One balance, zero for a currency never used ({@code kopek.ledger.wallet.get}). */
  public Future<Wallet> wallet(String userId, String currency) {
    return channel
        .request(
            LedgerAddresses.WALLET_GET,
            new JsonObject().put("user_id", userId).put("currency", currency))
        .map(Wallet::fromJson);
  }

  /** Many balances in one read, in the order asked ({@code kopek.ledger.wallets.get}). */
  public Future<List<Wallet>> wallets(List<WalletKey> wallets) {
    JsonArray asked = new JsonArray();
    wallets.forEach(
        w -> asked.add(new JsonObject().put("user_id", w.userId()).put("currency", w.currency())));
    return channel
        .request(LedgerAddresses.WALLETS_GET, new JsonObject().put("wallets", asked))
        .map(reply -> Json.list(reply, Wallet::fromJson));
  }

  /** A page of the transaction log, newest first ({@code kopek.ledger.entries.list}). */
  public Future<EntryPage> entries(EntryQuery query) {
    return channel.request(LedgerAddresses.ENTRIES_LIST, query.toJson()).map(EntryPage::fromJson);
  }

  /**
   * A page of the users that have wallets, each with all of their wallets ({@code
   * kopek.ledger.users.list}); pass {@link UserPage#nextCursor()} to {@link UserQuery#after} for
   * the next page.
   */
  public Future<UserPage> users(UserQuery query) {
    return channel.request(LedgerAddresses.USERS_LIST, query.toJson()).map(UserPage::fromJson);
  }

  /** Walks every hash chain and balance ({@code kopek.ledger.verify}). */
  public Future<VerifyReport> verify() {
    return channel
        .request(LedgerAddresses.VERIFY, new JsonObject())
        .map(
            reply ->
                new VerifyReport(
                    Boolean.TRUE.equals(reply.getBoolean("ok")),
                    reply.getLong("wallets_checked", 0L),
                    reply.getLong("entries_checked", 0L),
                    reply.getJsonObject("broken")));
  }

  /**
   * The newest verify run, {@code {"last":{"ran_at","ok","wallets_checked","entries_checked",
   * "broken"?}}} or {@code {"last":null}} ({@code kopek.ledger.verify.last}).
   */
  public Future<JsonObject> lastVerify() {
    return channel.request(LedgerAddresses.VERIFY_LAST, new JsonObject());
  }

  /**
   * The user-wallet entries per UTC day, currency and kind, {@code from} inclusive to {@code to}
   * exclusive (at most 366 days): {@code {"data":[{"day","currency","kind","amount_minor",
   * "count"}]}} ({@code kopek.ledger.daily_sums}).
   */
  public Future<JsonObject> dailySums(java.time.Instant from, java.time.Instant to) {
    return channel.request(
        LedgerAddresses.DAILY_SUMS,
        new JsonObject().put("from", from.toString()).put("to", to.toString()));
  }

  /** Succeeds when the ledger's database answers ({@code kopek.ledger.health}). */
  public Future<Void> health() {
    return channel.request(LedgerAddresses.HEALTH, new JsonObject()).mapEmpty();
  }

  /** A wallet's {@code wallet.balance_low} threshold ({@code kopek.ledger.wallet.alerts.get}). */
  public Future<WalletAlerts> walletAlerts(String userId, String currency) {
    return channel
        .request(
            LedgerAddresses.WALLET_ALERTS_GET,
            new JsonObject().put("user_id", userId).put("currency", currency))
        .map(WalletAlerts::fromJson);
  }

  /**
   * Sets a wallet's own threshold, or with null drops it so that its currency's applies ({@code
   * kopek.ledger.wallet.alerts.set}).
   */
  public Future<WalletAlerts> setWalletAlerts(
      String userId, String currency, Long balanceLowMinor) {
    return channel
        .request(
            LedgerAddresses.WALLET_ALERTS_SET,
            new JsonObject()
                .put("user_id", userId)
                .put("currency", currency)
                .put("balance_low_minor", balanceLowMinor))
        .map(WalletAlerts::fromJson);
  }
}
