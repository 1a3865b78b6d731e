package dev.kopek.http;

import dev.kopek.client.LedgerClient;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Administrators' actions: adjustments, any user's log, the ledger's self-check, and a wallet's
 * alert thresholds.
 */
final class AdminApi {

  /** The system account adjustments are posted against. */
  static final String ADJUSTMENTS_ACCOUNT = "adjustments";

  private final LedgerClient ledger;

  AdminApi(LedgerClient ledger) {
    this.ledger = ledger;
  }

  /** Credits or (negative amount) debits any wallet; debits stay under the balance guard. */
  void createAdjustment(RoutingContext ctx) {
    String adminId = Authentication.caller(ctx).userId();
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    PostingRequest adjustment =
        new PostingRequest(
            "adjustment:" + adminId + ":" + Replies.idempotencyKey(ctx),
            body.getString("user_id"),
            Replies.currency("currency", body.getString("currency")),
            body.getLong("amount_minor"),
            EntryKind.ADJUSTMENT,
            body.getString("reason"),
            body.getString("reference"),
            ADJUSTMENTS_ACCOUNT);
    ledger
        .post(adjustment)
        .onSuccess(posted -> Replies.replayable(ctx, 201, posted, Entry::toJson))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listAllTransactions(RoutingContext ctx) {
    String userId = Replies.string(Replies.validated(ctx), "user_id");
    EntryQuery query = Replies.entryQuery(ctx, userId, Replies.limit(ctx));
    ledger
        .entries(query)
        .onSuccess(page -> Replies.json(ctx, 200, page.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** A wallet's {@code wallet.balance_low} threshold: its own, and the configured default. */
  void getWalletAlerts(RoutingContext ctx) {
    JsonObject wallet = wallet(ctx);
    ledger
        .walletAlerts(wallet.getString("user_id"), wallet.getString("currency"))
        .onSuccess(reply -> Replies.json(ctx, 200, reply.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** Sets a wallet's own threshold, or drops it with null (the configured default applies). */
  void setWalletAlerts(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject wallet = wallet(ctx);
    ledger
        .setWalletAlerts(
            wallet.getString("user_id"),
            wallet.getString("currency"),
            body.getLong("balance_low_minor"))
        .onSuccess(reply -> Replies.json(ctx, 200, reply.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** The wallet a path names: {@code /v1/admin/wallets/{user_id}/{currency}/...}. */
  private static JsonObject wallet(RoutingContext ctx) {
    var path = Replies.validated(ctx).getPathParameters();
    return new JsonObject()
        .put("user_id", path.get("user_id").getString())
        .put("currency", Replies.currency("currency", path.get("currency").getString()));
  }

  void verifyLedger(RoutingContext ctx) {
    ledger
        .verify()
        .onSuccess(report -> Replies.json(ctx, 200, report.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }
}
