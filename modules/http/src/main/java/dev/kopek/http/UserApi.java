package dev.kopek.http;

import dev.kopek.client.LedgerClient;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.Wallet;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The caller's own money: wallets, charges, and the transaction log. */
final class UserApi {

  /** Where charges go: the merchant's revenue account of the currency. */
  static final String REVENUE_ACCOUNT = "revenue";

  private final LedgerClient ledger;

  UserApi(LedgerClient ledger) {
    this.ledger = ledger;
  }

  void listWallets(RoutingContext ctx) {
    String userId = Authentication.caller(ctx).userId();
    ledger
        .wallets(userId)
        .onSuccess(wallets -> Replies.json(ctx, 200, Replies.data(wallets, UserApi::ownWallet)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void getWallet(RoutingContext ctx) {
    String userId = Authentication.caller(ctx).userId();
    String currency =
        Replies.currency(
            "currency", Replies.validated(ctx).getPathParameters().get("currency").getString());
    ledger
        .wallet(userId, currency)
        .onSuccess(wallet -> Replies.json(ctx, 200, ownWallet(wallet)))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /** A wallet as its owner sees it: without the {@code user_id}, which is the caller's. */
  private static JsonObject ownWallet(Wallet wallet) {
    JsonObject json = wallet.toJson();
    json.remove("user_id");
    return json;
  }

  /**
   * Debits the caller's wallet. The ledger's idempotency key is namespaced by the caller, so two
   * users' keys never collide.
   */
  void createCharge(RoutingContext ctx) {
    String userId = Authentication.caller(ctx).userId();
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    PostingRequest charge =
        new PostingRequest(
            "charge:" + userId + ":" + Replies.idempotencyKey(ctx),
            userId,
            Replies.currency("currency", body.getString("currency")),
            Math.negateExact(body.getLong("amount_minor")),
            EntryKind.CHARGE,
            body.getString("reason"),
            body.getString("reference"),
            REVENUE_ACCOUNT);
    ledger
        .post(charge)
        .onSuccess(posted -> Replies.replayableText(ctx, 201, posted, Entry::toJsonText))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listTransactions(RoutingContext ctx) {
    EntryQuery query =
        Replies.entryQuery(ctx, Authentication.caller(ctx).userId(), Replies.limit(ctx));
    ledger
        .entries(query)
        .onSuccess(page -> Replies.json(ctx, 200, page.toJson()))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /**
   * Streams the log as CSV, a page of the ledger at a time, writing each page before asking for the
   * next so that a slow client holds back the reads instead of filling memory.
   */
  void exportTransactions(RoutingContext ctx) {
    EntryQuery query =
        Replies.entryQuery(ctx, Authentication.caller(ctx).userId(), EntryQuery.INTERNAL_LIMIT_MAX);
    exportCsv(ctx, query, error -> Replies.failed(ctx, error));
  }

  /**
   * Streams the entries of {@code query} as the CSV file; {@code failed} answers when the first
   * page cannot be read (nothing is sent yet). The customer portal's download is this same file.
   */
  void exportCsv(
      RoutingContext ctx, EntryQuery query, java.util.function.Consumer<Throwable> failed) {
    ledger
        .entries(query)
        .onFailure(failed::accept)
        .onSuccess(
            first -> {
              HttpServerResponse response =
                  ctx.response()
                      .setChunked(true)
                      .putHeader("Content-Type", "text/csv; charset=utf-8")
                      .putHeader(
                          "Content-Disposition", "attachment; filename=\"transactions.csv\"");
              response
                  .write(Csv.HEADER)
                  .compose(v -> writePages(response, query, first))
                  .onSuccess(v -> response.end())
                  .onFailure(error -> response.reset());
            });
  }

  private Future<Void> writePages(HttpServerResponse response, EntryQuery query, EntryPage page) {
    Buffer chunk = Buffer.buffer(page.data().stream().map(Csv::row).collect(Collectors.joining()));
    Future<Void> written = response.write(chunk);
    if (!page.hasMore() || page.data().isEmpty()) {
      return written;
    }
    EntryQuery next = query.after(page.data().get(page.data().size() - 1).id());
    return written
        .compose(v -> ledger.entries(next))
        .compose(nextPage -> writePages(response, next, nextPage));
  }

  /** CSV per RFC 4180, with spreadsheet formula injection defused in free-text cells. */
  static final class Csv {
    static final String HEADER =
        "id,created_at,currency,amount_minor,balance_after_minor,kind," + "reason,reference\r\n";

    private Csv() {}

    static String row(Entry entry) {
      return Stream.of(
              String.valueOf(entry.id()),
              entry.createdAt().toString(),
              entry.currency(),
              String.valueOf(entry.amountMinor()),
              String.valueOf(entry.balanceAfterMinor()),
              entry.kind().wireName(),
              text(entry.reason()),
              text(entry.reference()))
          .map(Csv::quote)
          .collect(Collectors.joining(",", "", "\r\n"));
    }

    private static String text(String value) {
      if (value == null || value.isEmpty()) {
        return "";
      }
      char first = value.charAt(0);
      return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t'
          ? "'" + value
          : value;
    }

    private static String quote(String value) {
      if (value.contains(",")
          || value.contains("\"")
          || value.contains("\n")
          || value.contains("\r")) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
      }
      return value;
    }
  }
}
