package dev.kopek.http;

import dev.kopek.client.LedgerClient;
import dev.kopek.gateway.spi.PageText;
import dev.kopek.model.Currencies;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.Wallet;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The portal's transaction history: the user's log with filters (currency, kind, from and to dates,
 * both days included), paged with the ledger's cursor, and the same CSV file as {@code GET
 * /v1/transactions.csv}. htmx swaps the table in place; every link and form also works without it.
 */
final class PortalHistory {

  static final int PAGE_SIZE = 25;

  private final LedgerClient ledger;
  private final UserApi csv;

  PortalHistory(LedgerClient ledger) {
    this.ledger = ledger;
    this.csv = new UserApi(ledger);
  }

  /** The filters of a request, checked; a bad one throws with a sentence for the user. */
  record Filters(String currency, EntryKind kind, LocalDate from, LocalDate to, Long after) {

    static Filters of(RoutingContext ctx) {
      String currency = blank(ctx.request().getParam("currency"));
      if (currency != null && Currencies.find(currency).isEmpty()) {
        throw new IllegalArgumentException("Choose a currency from the list.");
      }
      String kindText = blank(ctx.request().getParam("kind"));
      EntryKind kind =
          kindText == null
              ? null
              : EntryKind.fromWireName(kindText)
                  .orElseThrow(() -> new IllegalArgumentException("Choose a kind from the list."));
      LocalDate from = date(ctx.request().getParam("from"), "from");
      LocalDate to = date(ctx.request().getParam("to"), "to");
      if (from != null && to != null && to.isBefore(from)) {
        throw new IllegalArgumentException("The end date must not be before the start date.");
      }
      String afterText = blank(ctx.request().getParam("starting_after"));
      Long after = null;
      if (afterText != null) {
        if (!afterText.matches("[0-9]{1,18}")) {
          throw new IllegalArgumentException("That page link is not valid; start again.");
        }
        after = Long.parseLong(afterText);
      }
      return new Filters(currency, kind, from, to, after);
    }

    private static String blank(String text) {
      return text == null || text.isBlank() ? null : text.trim();
    }

    private static LocalDate date(String text, String name) {
      String value = blank(text);
      if (value == null) {
        return null;
      }
      try {
        LocalDate date = LocalDate.parse(value);
        if (date.getYear() < 1970 || date.getYear() > 9999) {
          throw new DateTimeParseException("out of range", value, 0);
        }
        return date;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "The "
                + ("from".equals(name) ? "start" : "end")
                + " date must be a date such as 2026-01-31.");
      }
    }

    EntryQuery query(String userId, int limit) {
      Instant start = from == null ? null : from.atStartOfDay(ZoneOffset.UTC).toInstant();
      Instant end = to == null ? null : to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      return new EntryQuery(userId, currency, kind, start, end, limit, after);
    }

    /** The query string of these filters, with {@code after} as the cursor (or none). */
    String queryString(Long cursor) {
      List<String> parts = new ArrayList<>();
      add(parts, "currency", currency);
      add(parts, "kind", kind == null ? null : kind.wireName());
      add(parts, "from", from == null ? null : from.toString());
      add(parts, "to", to == null ? null : to.toString());
      add(parts, "starting_after", cursor == null ? null : cursor.toString());
      return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    private static void add(List<String> parts, String name, String value) {
      if (value != null) {
        parts.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
  }

  void page(RoutingContext ctx) {
    Filters filters;
    EntryQuery query;
    try {
      filters = Filters.of(ctx);
      query = filters.query(PortalPages.userId(ctx), PAGE_SIZE);
    } catch (IllegalArgumentException bad) {
      PortalPages.problem(ctx, 400, "Check the filters", bad.getMessage());
      return;
    } catch (Failure.FailureException bad) {
      PortalPages.failed(ctx, bad);
      return;
    }
    boolean fragment =
        ctx.request().getHeader("HX-Request") != null
            && ctx.request().getHeader("HX-History-Restore-Request") == null;
    Future<List<Wallet>> wallets =
        fragment ? Future.succeededFuture(List.of()) : ledger.wallets(PortalPages.userId(ctx));
    Future<EntryPage> entries = ledger.entries(query);
    Future.all(wallets, entries)
        .onSuccess(
            all -> {
              String table = table(filters, entries.result());
              if (fragment) {
                WebPage.fragment(ctx, 200, table);
              } else {
                WebPage.send(
                    ctx,
                    200,
                    "Transactions · " + Branding.of(ctx).name(),
                    PortalPages.header(ctx, "transactions"),
                    "<h1>Transactions</h1>"
                        + filterForm(ctx, filters, wallets.result())
                        + "<section class=\"card\"><div id=\"tx\" aria-live=\"polite\">"
                        + table
                        + "</div></section>",
                    WebPage.nonce(),
                    "",
                    false);
              }
            })
        .onFailure(error -> PortalPages.failed(ctx, error));
  }

  private static String filterForm(RoutingContext ctx, Filters filters, List<Wallet> wallets) {
    StringBuilder form =
        new StringBuilder(
            "<section class=\"card\"><form class=\"inline\" id=\"filters\" method=\"get\""
                + " action=\"/portal/transactions\" hx-get=\"/portal/transactions\""
                + " hx-target=\"#tx\" hx-push-url=\"true\">"
                + "<div><label for=\"f-currency\">Currency</label>"
                + "<select id=\"f-currency\" name=\"currency\"><option value=\"\">All</option>");
    for (Wallet wallet : wallets) {
      form.append("<option")
          .append(wallet.currency().equals(filters.currency()) ? " selected" : "")
          .append(">")
          .append(PageText.html(wallet.currency()))
          .append("</option>");
    }
    form.append(
        "</select></div><div><label for=\"f-kind\">Kind</label>"
            + "<select id=\"f-kind\" name=\"kind\"><option value=\"\">All</option>");
    for (EntryKind kind : EntryKind.values()) {
      form.append("<option value=\"")
          .append(kind.wireName())
          .append("\"")
          .append(kind == filters.kind() ? " selected" : "")
          .append(">")
          .append(PageText.html(kindLabel(kind)))
          .append("</option>");
    }
    form.append("</select></div><div><label for=\"f-from\">From</label>")
        .append("<input type=\"date\" id=\"f-from\" name=\"from\" value=\"")
        .append(filters.from() == null ? "" : filters.from())
        .append("\"></div><div><label for=\"f-to\">To</label>")
        .append("<input type=\"date\" id=\"f-to\" name=\"to\" value=\"")
        .append(filters.to() == null ? "" : filters.to())
        .append("\"></div><button type=\"submit\">Apply</button></form></section>");
    return form.toString();
  }

  static String kindLabel(EntryKind kind) {
    return switch (kind) {
      case CHARGE -> "Payment";
      case ADJUSTMENT -> "Adjustment";
      case TOPUP -> "Top-up";
      case REFUND -> "Refund";
      case BILLING -> "Subscription";
    };
  }

  private static String table(Filters filters, EntryPage page) {
    StringBuilder html = new StringBuilder();
    if (page.data().isEmpty()) {
      html.append("<p class=\"muted\" id=\"tx-empty\">No transactions")
          .append(filters.after() == null ? "" : " on this page")
          .append(".</p>");
    } else {
      html.append(
          "<table id=\"tx-table\" class=\"stack\"><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Kind"
              + "</th><th scope=\"col\">Description</th><th scope=\"col\" class=\"num\">Amount"
              + "</th><th scope=\"col\" class=\"num\">Balance after</th></tr></thead><tbody>");
      for (Entry entry : page.data()) {
        html.append("<tr data-entry-id=\"")
            .append(entry.id())
            .append("\"><td class=\"date\">")
            .append(PageText.html(PortalPages.time(entry.createdAt())))
            .append("</td><td class=\"kind\">")
            .append(PageText.html(kindLabel(entry.kind())))
            .append("</td><td class=\"reason\">")
            .append(PageText.html(entry.reason()))
            .append("</td><td class=\"num amount ")
            .append(entry.amountMinor() < 0 ? "bad" : "ok")
            .append("\" data-amount-minor=\"")
            .append(entry.amountMinor())
            .append("\">")
            .append(PageText.html(PageText.amount(entry.amountMinor(), entry.currency())))
            .append("</td><td class=\"num after\">")
            .append(PageText.html(PageText.amount(entry.balanceAfterMinor(), entry.currency())))
            .append("</td></tr>");
      }
      html.append("</tbody></table>");
    }
    html.append("<nav class=\"pager\" aria-label=\"Pages\">");
    if (filters.after() != null) {
      String first = "/portal/transactions" + filters.queryString(null);
      html.append(pagerLink(first, "Newest", "first"));
    }
    if (page.hasMore() && !page.data().isEmpty()) {
      String next =
          "/portal/transactions"
              + filters.queryString(page.data().get(page.data().size() - 1).id());
      html.append(pagerLink(next, "Older", "older"));
    }
    // Inside the part htmx swaps, so that it follows the filters.
    html.append("<a class=\"button secondary\" id=\"csv\" href=\"/portal/transactions.csv")
        .append(PageText.html(filters.queryString(null)))
        .append("\" download>Download CSV</a></nav>");
    return html.toString();
  }

  private static String pagerLink(String href, String text, String id) {
    String url = PageText.html(href);
    return "<a class=\"button secondary\" id=\"page-"
        + id
        + "\" href=\""
        + url
        + "\" hx-get=\""
        + url
        + "\" hx-target=\"#tx\" hx-push-url=\"true\">"
        + PageText.html(text)
        + "</a>";
  }

  /** {@code GET /portal/transactions.csv}: the same file as the API's, with the same filters. */
  void csv(RoutingContext ctx) {
    EntryQuery query;
    try {
      Filters filters = Filters.of(ctx);
      query = filters.query(PortalPages.userId(ctx), EntryQuery.INTERNAL_LIMIT_MAX);
    } catch (IllegalArgumentException bad) {
      PortalPages.problem(ctx, 400, "Check the filters", bad.getMessage());
      return;
    } catch (Failure.FailureException bad) {
      PortalPages.failed(ctx, bad);
      return;
    }
    ctx.response()
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff");
    csv.exportCsv(ctx, query, error -> PortalPages.failed(ctx, error));
  }
}
