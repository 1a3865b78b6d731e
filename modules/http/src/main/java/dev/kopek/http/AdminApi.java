package dev.kopek.http;

import dev.kopek.client.LedgerClient;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Administrators' actions: adjustments, any user's log, and the ledger's self-check. */
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

  void verifyLedger(RoutingContext ctx) {
    ledger
        .verify()
        .onSuccess(report -> Replies.json(ctx, 200, report.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }
}
