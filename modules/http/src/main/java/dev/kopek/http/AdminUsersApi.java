package dev.kopek.http;

import dev.kopek.client.BillingClient;
import dev.kopek.client.LedgerClient;
import dev.kopek.client.PaymentsClient;
import dev.kopek.client.Subscription;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.UserPage;
import dev.kopek.model.ledger.UserQuery;
import dev.kopek.model.ledger.UserSort;
import dev.kopek.model.ledger.UserWallets;
import dev.kopek.model.ledger.Wallet;
import dev.kopek.model.payments.Topup;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.List;

/**
 * Administrators' views of users: the users that have wallets (by currency and balance, sorted and
 * paged), one user's wallets with their runways, active subscriptions and newest entries, and one
 * user's transactions, subscriptions and top-ups. Every read goes through the typed clients, with
 * the user of the path as their user.
 */
final class AdminUsersApi {

  /** How many of a user's newest entries the user's view shows. */
  static final int LAST_ENTRIES = 10;

  private final LedgerClient ledger;
  private final BillingClient billing;
  private final PaymentsClient payments;

  AdminUsersApi(LedgerClient ledger, BillingClient billing, PaymentsClient payments) {
    this.ledger = ledger;
    this.billing = billing;
    this.payments = payments;
  }

  /** {@code GET /v1/admin/users}: a page of the users that have wallets. */
  void listUsers(RoutingContext ctx) {
    ValidatedRequest request = Replies.validated(ctx);
    String sort = Replies.string(request, "sort");
    UserQuery query =
        new UserQuery(
            Replies.currency("currency", Replies.string(request, "currency")),
            longParameter(request, "balance_min_minor"),
            longParameter(request, "balance_max_minor"),
            sort == null
                ? UserSort.USER_ID
                : UserSort.fromWireName(sort)
                    .orElseThrow(
                        () ->
                            Failure.invalid("sort", "sort must be user_id, balance or -balance")
                                .toException()),
            Replies.limit(ctx),
            Replies.string(request, "starting_after"));
    ledger
        .users(query)
        .onSuccess(page -> Replies.json(ctx, 200, userPage(page)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /**
   * {@code GET /v1/admin/users/{user_id}}: the user's wallets (each with its runway as billing
   * projects it), subscriptions that are not cancelled, and newest entries; 404 for a user with
   * neither a wallet nor a subscription.
   */
  void getUser(RoutingContext ctx) {
    String userId = userId(ctx);
    Future<List<Wallet>> wallets = ledger.wallets(userId);
    Future<List<Subscription>> subscriptions = billing.subscriptions(userId);
    Future<EntryPage> entries =
        ledger.entries(new EntryQuery(userId, null, null, null, null, LAST_ENTRIES, null));
    Future.all(wallets, subscriptions, entries)
        .onSuccess(
            all -> {
              if (wallets.result().isEmpty() && subscriptions.result().isEmpty()) {
                Problems.send(
                    ctx,
                    Failure.of(
                        ErrorCode.NOT_FOUND,
                        "user " + userId + " has no wallet and no subscription"));
                return;
              }
              Replies.json(
                  ctx,
                  200,
                  userView(userId, wallets.result(), subscriptions.result(), entries.result()));
            })
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** {@code GET /v1/admin/users/{user_id}/transactions}: as {@code /v1/admin/transactions}. */
  void listUserTransactions(RoutingContext ctx) {
    EntryQuery query = Replies.entryQuery(ctx, userId(ctx), Replies.limit(ctx));
    ledger
        .entries(query)
        .onSuccess(page -> Replies.json(ctx, 200, page.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** {@code GET /v1/admin/users/{user_id}/subscriptions}: all of them, as the user sees them. */
  void listUserSubscriptions(RoutingContext ctx) {
    billing
        .subscriptions(userId(ctx))
        .onSuccess(
            subscriptions ->
                Replies.json(ctx, 200, Replies.data(subscriptions, Subscription::toJson)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** {@code GET /v1/admin/users/{user_id}/topups}: newest first, as the user sees them. */
  void listUserTopups(RoutingContext ctx) {
    payments
        .topups(
            userId(ctx),
            Replies.limit(ctx),
            Replies.string(Replies.validated(ctx), "starting_after"))
        .onSuccess(page -> Replies.json(ctx, 200, page.toJson(Topup::toJson)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  private static String userId(RoutingContext ctx) {
    return Replies.validated(ctx).getPathParameters().get("user_id").getString();
  }

  private static Long longParameter(ValidatedRequest request, String name) {
    RequestParameter parameter = request.getQuery().get(name);
    return parameter == null || parameter.isNull() ? null : parameter.getLong();
  }

  private static JsonObject userPage(UserPage page) {
    JsonArray data = new JsonArray();
    for (UserWallets user : page.data()) {
      JsonArray wallets = new JsonArray();
      user.wallets().forEach(wallet -> wallets.add(wallet(wallet)));
      data.add(new JsonObject().put("user_id", user.userId()).put("wallets", wallets));
    }
    return new JsonObject()
        .put("data", data)
        .put("has_more", page.hasMore())
        .put("next_cursor", page.nextCursor());
  }

  /** A wallet in a row that names its user already. */
  private static JsonObject wallet(Wallet wallet) {
    return new JsonObject()
        .put("currency", wallet.currency())
        .put("balance_minor", wallet.balanceMinor());
  }

  /**
   * The user's view. A wallet's runway is billing's, the same for each of the wallet's active
   * subscriptions: taken from the first; null when the wallet pays for none.
   */
  private static JsonObject userView(
      String userId, List<Wallet> wallets, List<Subscription> subscriptions, EntryPage entries) {
    JsonArray walletViews = new JsonArray();
    for (Wallet wallet : wallets) {
      Subscription paying =
          subscriptions.stream()
              .filter(s -> "active".equals(s.status()) && s.currency().equals(wallet.currency()))
              .filter(s -> s.runsOutAt() != null)
              .findFirst()
              .orElse(null);
      walletViews.add(
          wallet(wallet)
              .put("runway_ms", paying == null ? null : paying.runwayMs())
              .put("runs_out_at", paying == null ? null : paying.runsOutAt().toString()));
    }
    JsonArray subscriptionViews = new JsonArray();
    subscriptions.stream()
        .filter(s -> !"cancelled".equals(s.status()))
        .forEach(s -> subscriptionViews.add(s.toJson()));
    JsonArray last = new JsonArray();
    entries.data().stream().map(Entry::toJson).forEach(last::add);
    return new JsonObject()
        .put("user_id", userId)
        .put("wallets", walletViews)
        .put("subscriptions", subscriptionViews)
        .put("last_entries", last);
  }
}
