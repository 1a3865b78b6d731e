package dev.kopek.http;

import static dev.kopek.http.ConsoleHtml.amount;
import static dev.kopek.http.ConsoleHtml.amountCell;
import static dev.kopek.http.ConsoleHtml.card;
import static dev.kopek.http.ConsoleHtml.field;
import static dev.kopek.http.ConsoleHtml.h;
import static dev.kopek.http.ConsoleHtml.hidden;
import static dev.kopek.http.ConsoleHtml.notice;
import static dev.kopek.http.ConsoleHtml.time;
import static dev.kopek.http.ConsoleHtml.url;

import dev.kopek.client.AccessClient;
import dev.kopek.client.BillingClient;
import dev.kopek.client.EventsClient;
import dev.kopek.client.KopekClients;
import dev.kopek.client.LedgerClient;
import dev.kopek.client.PaymentsClient;
import dev.kopek.client.Plan;
import dev.kopek.client.Subscription;
import dev.kopek.client.UnmatchedPayment;
import dev.kopek.gateway.spi.PageText;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.UserQuery;
import dev.kopek.model.ledger.UserSort;
import dev.kopek.model.ledger.UserWallets;
import dev.kopek.model.ledger.Wallet;
import dev.kopek.model.payments.Topup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console at {@code /console}, for administrators signed in with a one-time link
 * ({@code java -jar kopek.jar console-link --user <admin id>} or {@code POST
 * /v1/admin/console_links}). Every page reads through the same typed clients as the API; every
 * action that changes something goes through the same client call as its API route (same
 * idempotency: the key is generated when the form is rendered, so a form sent twice acts once),
 * after a confirmation page, and is recorded in the audit log with the session's administrator as
 * the actor, under the API route's action name and {@code "via":"console"}.
 */
final class ConsolePages {

  /** The overview's charts: this many days back from today (UTC), today included. */
  static final int CHART_DAYS = 30;

  /** Pending top-ups older than this need attention, unless the page asks for another age. */
  static final int PENDING_MINUTES_DEFAULT = 60;

  /** How often, and how long apart, a refund waits for the same refund already under way. */
  private static final int REFUND_WAITS = 40;

  private static final long REFUND_WAIT_MS = 250;

  private static final Logger LOG = LoggerFactory.getLogger(ConsolePages.class);

  private final Vertx vertx;

  private final LedgerClient ledger;
  private final BillingClient billing;
  private final PaymentsClient payments;
  private final PaymentsClient refunds;
  private final EventsClient events;
  private final AccessClient access;

  private ConsolePages(
      Vertx vertx,
      LedgerClient ledger,
      BillingClient billing,
      PaymentsClient payments,
      PaymentsClient refunds,
      EventsClient events,
      AccessClient access) {
    this.vertx = vertx;
    this.ledger = ledger;
    this.billing = billing;
    this.payments = payments;
    this.refunds = refunds;
    this.events = events;
    this.access = access;
  }

  static void mount(
      Vertx vertx, Router root, KopekClients clients, AccessClient access, JsonObject config) {
    HttpConfig http = HttpConfig.from(config);
    ConsolePages pages =
        new ConsolePages(
            vertx,
            clients.ledger(),
            clients.billing(),
            clients.payments(),
            clients.payments().withTimeout(http.paymentsTimeoutMs(2, 2)),
            EventsClient.create(vertx, http.ledgerTimeoutMs()).localOnly(),
            access);
    root.get("/console").handler(pages::overview);
    root.post("/console/verify").handler(pages::verify);
    root.get("/console/users").handler(pages::users);
    root.get("/console/users/:user").handler(pages::user);
    root.post("/console/users/:user/adjustment").handler(ctx -> pages.adjustment(ctx, false));
    root.post("/console/users/:user/adjustment/confirm")
        .handler(ctx -> pages.adjustment(ctx, true));
    root.post("/console/users/:user/topups/:id/refund").handler(ctx -> pages.refund(ctx, false));
    root.post("/console/users/:user/topups/:id/refund/confirm")
        .handler(ctx -> pages.refund(ctx, true));
    root.get("/console/plans").handler(pages::plans);
    root.post("/console/plans").handler(ctx -> pages.createPlan(ctx, false));
    root.post("/console/plans/confirm").handler(ctx -> pages.createPlan(ctx, true));
    root.post("/console/plans/:code/retire").handler(ctx -> pages.retirePlan(ctx, false));
    root.post("/console/plans/:code/retire/confirm").handler(ctx -> pages.retirePlan(ctx, true));
    root.get("/console/payments").handler(pages::attention);
    root.get("/console/webhooks").handler(pages::webhooks);
    root.post("/console/webhooks/redeliver").handler(ctx -> pages.redeliver(ctx, false));
    root.post("/console/webhooks/redeliver/confirm").handler(ctx -> pages.redeliver(ctx, true));
    root.get("/console/audit").handler(pages::audit);
  }

  // ---------------------------------------------------------------- overview

  private void overview(RoutingContext ctx) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate first = today.minusDays(CHART_DAYS - 1L);
    Instant from = first.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant pendingBefore = Instant.now().minus(Duration.ofMinutes(PENDING_MINUTES_DEFAULT));
    Future<JsonObject> sums = ledger.dailySums(from, to);
    Future<JsonObject> topups = payments.dailyTopups(from, to);
    Future<JsonObject> counts = billing.subscriptionCounts();
    Future<JsonObject> flagged = payments.topupsNeedingAttention("flagged", null, 1);
    Future<JsonObject> stale = payments.topupsNeedingAttention("pending", pendingBefore, 1);
    Future<JsonObject> failedTopups = payments.topupsNeedingAttention("failed", null, from, 1);
    Future<JsonObject> verified = ledger.lastVerify();
    Future.all(List.of(sums, topups, counts, flagged, stale, failedTopups, verified))
        .onSuccess(
            all -> {
              // day → currency → minor units
              Map<String, Map<String, Long>> revenue = new TreeMap<>();
              Map<String, Map<String, Long>> paidIn = new TreeMap<>();
              Map<String, Long> topupCounts = new TreeMap<>();
              TreeSet<String> currencies = new TreeSet<>();
              for (Object row : sums.result().getJsonArray("data")) {
                JsonObject sum = (JsonObject) row;
                String kind = sum.getString("kind");
                if (EntryKind.CHARGE.wireName().equals(kind)
                    || EntryKind.BILLING.wireName().equals(kind)) {
                  currencies.add(sum.getString("currency"));
                  revenue
                      .computeIfAbsent(sum.getString("currency"), c -> new TreeMap<>())
                      .merge(sum.getString("day"), -sum.getLong("amount_minor"), Long::sum);
                }
              }
              for (Object row : topups.result().getJsonArray("data")) {
                JsonObject day = (JsonObject) row;
                currencies.add(day.getString("currency"));
                paidIn
                    .computeIfAbsent(day.getString("currency"), c -> new TreeMap<>())
                    .merge(day.getString("day"), day.getLong("amount_minor"), Long::sum);
                topupCounts.merge(day.getString("currency"), day.getLong("count"), Long::sum);
              }
              StringBuilder figures = new StringBuilder();
              JsonObject charts = new JsonObject();
              JsonArray days = new JsonArray();
              for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
                days.add(day.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
              }
              StringBuilder chartBoxes = new StringBuilder();
              for (String currency : currencies) {
                long revenueTotal = total(revenue.get(currency));
                long topupTotal = total(paidIn.get(currency));
                figures
                    .append("<tr data-currency=\"")
                    .append(h(currency))
                    .append("\"><th scope=\"row\">")
                    .append(h(currency))
                    .append("</th>")
                    .append(
                        amountCell(revenueTotal, currency)
                            .replace("<td", "<td data-figure=\"revenue\""))
                    .append(
                        amountCell(topupTotal, currency)
                            .replace("<td", "<td data-figure=\"topups\""))
                    .append("<td class=\"num\" data-figure=\"topup-count\">")
                    .append(topupCounts.getOrDefault(currency, 0L))
                    .append("</td></tr>");
                JsonArray revenueSeries = new JsonArray();
                JsonArray topupSeries = new JsonArray();
                for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
                  revenueSeries.add(
                      revenue.getOrDefault(currency, Map.of()).getOrDefault(day.toString(), 0L));
                  topupSeries.add(
                      paidIn.getOrDefault(currency, Map.of()).getOrDefault(day.toString(), 0L));
                }
                charts.put(
                    currency,
                    new JsonObject()
                        .put(
                            "exponent",
                            dev.kopek.model.Currencies.find(currency)
                                .map(c -> Math.max(c.getDefaultFractionDigits(), 0))
                                .orElse(0))
                        .put("revenue", revenueSeries)
                        .put("topups", topupSeries));
                chartBoxes
                    .append("<figure class=\"chartbox\"><figcaption>")
                    .append(h(currency))
                    .append(
                        ": revenue and top-ups per day</figcaption><div class=\"chart\" data-chart=\"")
                    .append(h(currency))
                    .append("\" role=\"img\" aria-label=\"")
                    .append(h(currency))
                    .append(" revenue and top-ups per day, last ")
                    .append(CHART_DAYS)
                    .append(" days\"></div></figure>");
              }
              JsonObject data = new JsonObject().put("days", days).put("currencies", charts);
              JsonObject subscriptionCounts = counts.result();
              long flaggedCount = flagged.result().getLong("count", 0L);
              long staleCount = stale.result().getLong("count", 0L);
              String body =
                  "<h1>Overview</h1>"
                      + "<div class=\"grid tiles\">"
                      + tile(
                          "Active subscriptions",
                          "active-subscriptions",
                          subscriptionCounts.getLong("active", 0L),
                          null)
                      + tile(
                          "Suspended subscriptions",
                          "suspended-subscriptions",
                          subscriptionCounts.getLong("suspended", 0L),
                          null)
                      + tile(
                          "Flagged payments", "flagged", flaggedCount, "/console/payments#flagged")
                      + tile(
                          "Failed payments (" + CHART_DAYS + " days)",
                          "failed",
                          failedTopups.result().getLong("count", 0L),
                          "/console/payments#failed")
                      + tile(
                          "Pending over " + PENDING_MINUTES_DEFAULT + " min",
                          "stale-pending",
                          staleCount,
                          "/console/payments#pending")
                      + "</div><div class=\"gap\"></div>"
                      + card(
                          "Last " + CHART_DAYS + " days",
                          (currencies.isEmpty()
                                  ? "<p class=\"muted\">No revenue and no top-ups in this period.</p>"
                                  : "<table id=\"figures\"><thead><tr><th scope=\"col\">Currency</th>"
                                      + "<th scope=\"col\" class=\"num\">Revenue</th>"
                                      + "<th scope=\"col\" class=\"num\">Top-ups</th>"
                                      + "<th scope=\"col\" class=\"num\">Top-up count</th></tr></thead><tbody>"
                                      + figures
                                      + "</tbody></table>")
                              + "<p class=\"muted\">Revenue: charges and subscription periods"
                              + " paid from balances. Top-ups: payments that succeeded (refunded ones"
                              + " included), by day of completion (UTC).</p>"
                              + chartBoxes)
                      + card("Ledger self-check", verifyBox(ctx, verified.result()));
              String script =
                  "(function(){var d=JSON.parse(document.getElementById('chart-data').textContent);"
                      + "if(typeof uPlot==='undefined'){return;}"
                      + "document.querySelectorAll('[data-chart]').forEach(function(el){"
                      + "var c=d.currencies[el.dataset.chart];var s=Math.pow(10,c.exponent);"
                      + "var w=Math.max(el.clientWidth,280);"
                      + "new uPlot({width:w,height:220,scales:{x:{time:true}},"
                      + "series:[{},{label:'Revenue',stroke:'#2d5bff',width:2},"
                      + "{label:'Top-ups',stroke:'#12703a',width:2}],"
                      + "axes:[{},{size:60,values:function(u,v){return v.map(function(x){"
                      + "return (x/s).toFixed(c.exponent);});}}]},"
                      + "[d.days,c.revenue,c.topups],el);});})();";
              String nonce = WebPage.nonce();
              send(
                  ctx,
                  "Overview",
                  "overview",
                  body
                      + "<script type=\"application/json\" id=\"chart-data\" nonce=\""
                      + nonce
                      + "\">"
                      + ConsoleHtml.json(data)
                      + "</script>",
                  nonce,
                  script,
                  true);
            })
        .onFailure(error -> failed(ctx, error));
  }

  private static long total(Map<String, Long> byDay) {
    long sum = 0;
    if (byDay != null) {
      for (long value : byDay.values()) {
        sum = Math.addExact(sum, value);
      }
    }
    return sum;
  }

  private static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String tile(String label, String name, long value, String href) {
    String figure = "<div class=\"figure\" data-figure=\"" + name + "\">" + value + "</div>";
    return "<section class=\"card\"><h2>"
        + h(label)
        + "</h2>"
        + figure
        + (href == null || value == 0
            ? ""
            : "<a href=\"" + href + "\">Review " + h(label.toLowerCase()) + "</a>")
        + "</section>";
  }

  private String verifyBox(RoutingContext ctx, JsonObject reply) {
    JsonObject last = reply.getJsonObject("last");
    String status;
    if (last == null) {
      status =
          "<p id=\"verify-status\" data-verify=\"never\">The ledger has not been verified yet.</p>";
    } else {
      boolean ok = Boolean.TRUE.equals(last.getBoolean("ok"));
      status =
          "<p id=\"verify-status\" data-verify=\""
              + (ok ? "ok" : "broken")
              + "\"><strong class=\""
              + (ok
                  ? "ok\">Every hash chain and balance checked out"
                  : "bad\">The ledger is broken")
              + "</strong> at "
              + time(last.getString("ran_at"))
              + ": "
              + count(last.getLong("wallets_checked", 0L), "wallet", "wallets")
              + ", "
              + count(last.getLong("entries_checked", 0L), "entry", "entries")
              + "."
              + (ok || last.getJsonObject("broken") == null
                  ? ""
                  : " First break: <code>" + h(last.getJsonObject("broken").encode()) + "</code>")
              + "</p>";
    }
    return "<div id=\"verify\">"
        + status
        + "<form method=\"post\" action=\"/console/verify\" hx-post=\"/console/verify\""
        + " hx-target=\"#verify\" hx-swap=\"outerHTML\">"
        + WebAccess.csrfField(ctx)
        + "<button type=\"submit\" id=\"verify-now\">Verify now</button></form></div>";
  }

  /**
   * {@code POST /console/verify}: runs the self-check; htmx swaps the box, a plain form reloads.
   */
  private void verify(RoutingContext ctx) {
    ledger
        .verify()
        .compose(report -> ledger.lastVerify())
        .onSuccess(
            last -> {
              if ("true".equals(ctx.request().getHeader("HX-Request"))) {
                WebPage.fragment(ctx, 200, verifyBox(ctx, last));
              } else {
                redirect(ctx, "/console");
              }
            })
        .onFailure(error -> failed(ctx, error));
  }

  // ---------------------------------------------------------------- users

  private void users(RoutingContext ctx) {
    String q = ConsoleHtml.query(ctx, "q");
    if (q != null && ConsoleHtml.query(ctx, "open") != null) {
      redirect(ctx, "/console/users/" + url(q));
      return;
    }
    String currency = upper(ConsoleHtml.query(ctx, "currency"));
    String sortName = ConsoleHtml.query(ctx, "sort");
    UserSort sort =
        sortName == null
            ? UserSort.USER_ID
            : UserSort.fromWireName(sortName).orElse(UserSort.USER_ID);
    String after = ConsoleHtml.query(ctx, "after");
    UserQuery query;
    try {
      String prefix = ConsoleHtml.query(ctx, "prefix");
      query = new UserQuery(currency, null, null, sort, 50, after, prefix);
    } catch (Failure.FailureException invalid) {
      problem(ctx, "users", "Cannot list users", invalid, "/console/users");
      return;
    }
    UserQuery asked = query;
    ledger
        .users(asked)
        .onSuccess(
            page -> {
              StringBuilder rows = new StringBuilder();
              for (UserWallets user : page.data()) {
                StringBuilder balances = new StringBuilder();
                for (Wallet wallet : user.wallets()) {
                  if (balances.length() > 0) {
                    balances.append(", ");
                  }
                  balances.append(amount(wallet.balanceMinor(), wallet.currency()));
                }
                rows.append("<tr data-user=\"")
                    .append(h(user.userId()))
                    .append("\"><td><a href=\"/console/users/")
                    .append(url(user.userId()))
                    .append("\">")
                    .append(h(user.userId()))
                    .append("</a></td><td class=\"num\">")
                    .append(balances)
                    .append("</td></tr>");
              }
              String next =
                  page.hasMore() && page.nextCursor() != null
                      ? "<div class=\"pager\"><a class=\"button secondary\" href=\"/console/users?"
                          + (currency == null ? "" : "currency=" + url(currency) + "&amp;")
                          + (asked.userIdPrefix() == null
                              ? ""
                              : "prefix=" + url(asked.userIdPrefix()) + "&amp;")
                          + "sort="
                          + url(sort.wireName())
                          + "&amp;after="
                          + url(page.nextCursor())
                          + "\">Next users</a></div>"
                      : "";
              String body =
                  "<h1>Users</h1>"
                      + card(
                          "Open a user",
                          "<form class=\"inline\" method=\"get\" action=\"/console/users\">"
                              + field(
                                  "User id",
                                  "q",
                                  "<input id=\"q\" name=\"q\" autocomplete=\"off\" maxlength=\""
                                      + Limits.USER_ID_LENGTH_MAX
                                      + "\" value=\""
                                      + h(q)
                                      + "\" required>")
                              + "<input type=\"hidden\" name=\"open\" value=\"1\">"
                              + "<button type=\"submit\">Open</button></form>")
                      + card(
                          "Users with wallets",
                          "<form class=\"inline\" method=\"get\" action=\"/console/users\""
                              + " role=\"search\" hx-get=\"/console/users\" hx-target=\"#user-list\""
                              + " hx-select=\"#user-list\" hx-swap=\"outerHTML\" hx-push-url=\"true\""
                              + " hx-trigger=\"submit, input changed delay:300ms from:#prefix\">"
                              + field(
                                  "User id starts with",
                                  "prefix",
                                  "<input id=\"prefix\" name=\"prefix\" autocomplete=\"off\""
                                      + " maxlength=\""
                                      + Limits.USER_ID_LENGTH_MAX
                                      + "\" value=\""
                                      + h(asked.userIdPrefix())
                                      + "\">")
                              + field(
                                  "Currency",
                                  "list-currency",
                                  "<input id=\"list-currency\" name=\"currency\" maxlength=\"3\""
                                      + " size=\"4\" placeholder=\"USD\" value=\""
                                      + h(currency)
                                      + "\">")
                              + field(
                                  "Order",
                                  "list-sort",
                                  "<select id=\"list-sort\" name=\"sort\">"
                                      + option("user_id", "User id", sort)
                                      + option("-balance", "Balance, highest first", sort)
                                      + option("balance", "Balance, lowest first", sort)
                                      + "</select>")
                              + "<button type=\"submit\" class=\"secondary\">List</button></form>"
                              + "<p class=\"muted\">Ordering by balance needs a currency.</p>"
                              + "<div id=\"user-list\">"
                              + (rows.length() == 0
                                  ? "<p class=\"muted\">No users.</p>"
                                  : "<table id=\"users\"><thead><tr><th scope=\"col\">User</th>"
                                      + "<th scope=\"col\" class=\"num\">Balances</th></tr></thead>"
                                      + "<tbody>"
                                      + rows
                                      + "</tbody></table>")
                              + next
                              + "</div>");
              send(ctx, "Users", "users", body, WebPage.nonce(), "", false);
            })
        .onFailure(error -> problem(ctx, "users", "Cannot list users", error, "/console/users"));
  }

  private static String option(String value, String label, UserSort current) {
    return "<option value=\""
        + value
        + "\""
        + (current.wireName().equals(value) ? " selected" : "")
        + ">"
        + h(label)
        + "</option>";
  }

  private void user(RoutingContext ctx) {
    String userId = ctx.pathParam("user");
    if (userId.isEmpty() || userId.length() > Limits.USER_ID_LENGTH_MAX) {
      notFound(ctx);
      return;
    }
    String afterText = ConsoleHtml.query(ctx, "after");
    Long after = null;
    if (afterText != null) {
      try {
        after = Long.parseLong(afterText);
      } catch (NumberFormatException bad) {
        after = null;
      }
    }
    Future<List<Wallet>> wallets = ledger.wallets(userId);
    Future<dev.kopek.model.ledger.EntryPage> entries =
        ledger.entries(new EntryQuery(userId, null, null, null, null, 20, after));
    Future<List<Subscription>> subscriptions = billing.subscriptions(userId);
    Future<dev.kopek.client.Page<Topup>> topups = payments.topups(userId, 20, null);
    Future.all(wallets, entries, subscriptions, topups)
        .onSuccess(
            all -> {
              if ("true".equals(ctx.request().getHeader("HX-Request"))
                  && ConsoleHtml.query(ctx, "after") != null) {
                WebPage.fragment(ctx, 200, entriesTable(userId, entries.result()));
                return;
              }
              StringBuilder walletRows = new StringBuilder();
              for (Wallet wallet : wallets.result()) {
                walletRows
                    .append("<tr data-currency=\"")
                    .append(h(wallet.currency()))
                    .append("\"><td>")
                    .append(h(wallet.currency()))
                    .append("</td>")
                    .append(amountCell(wallet.balanceMinor(), wallet.currency()))
                    .append("</tr>");
              }
              String body =
                  "<h1>User <span class=\"mono\">"
                      + h(userId)
                      + "</span></h1>"
                      + card(
                          "Wallets",
                          wallets.result().isEmpty()
                              ? "<p class=\"muted\">No wallet: this user has no entries.</p>"
                              : "<table id=\"wallets\"><thead><tr><th scope=\"col\">Currency</th><th"
                                  + " scope=\"col\" class=\"num\">Balance</th></tr></thead><tbody>"
                                  + walletRows
                                  + "</tbody></table>")
                      + card("Adjust the balance", adjustmentForm(ctx, userId))
                      + card("Top-ups", topupsTable(ctx, userId, topups.result().data()))
                      + card("Subscriptions", subscriptionsTable(subscriptions.result()))
                      + card("Entries", entriesTable(userId, entries.result()));
              send(ctx, "User " + userId, "users", body, WebPage.nonce(), "", false);
            })
        .onFailure(error -> failed(ctx, error));
  }

  private static String entriesTable(String userId, dev.kopek.model.ledger.EntryPage page) {
    StringBuilder rows = new StringBuilder();
    Long last = null;
    for (Entry entry : page.data()) {
      last = entry.id();
      rows.append("<tr data-entry=\"")
          .append(entry.id())
          .append("\" data-kind=\"")
          .append(h(entry.kind().wireName()))
          .append("\"><td class=\"num\">")
          .append(entry.id())
          .append("</td><td>")
          .append(time(entry.createdAt()))
          .append("</td><td>")
          .append(h(entry.kind().wireName()))
          .append("</td>")
          .append(amountCell(entry.amountMinor(), entry.currency()))
          .append(amountCell(entry.balanceAfterMinor(), entry.currency()))
          .append("<td>")
          .append(h(entry.reason()))
          .append("</td><td>")
          .append(h(entry.reference()))
          .append("</td></tr>");
    }
    String more =
        page.hasMore() && last != null
            ? "<div class=\"pager\"><a class=\"button secondary\" href=\"/console/users/"
                + url(userId)
                + "?after="
                + last
                + "#entries\" hx-get=\"/console/users/"
                + url(userId)
                + "?after="
                + last
                + "\" hx-target=\"#entries\" hx-swap=\"outerHTML\">Older entries</a></div>"
            : "";
    return "<div id=\"entries\">"
        + (page.data().isEmpty()
            ? "<p class=\"muted\">No entries.</p>"
            : "<table><thead><tr><th scope=\"col\" class=\"num\">Id</th><th scope=\"col\">Time</th>"
                + "<th scope=\"col\">Kind</th><th scope=\"col\" class=\"num\">Amount</th>"
                + "<th scope=\"col\" class=\"num\">Balance after</th><th scope=\"col\">Reason</th>"
                + "<th scope=\"col\">Reference</th></tr></thead><tbody>"
                + rows
                + "</tbody></table>")
        + more
        + "</div>";
  }

  private static String subscriptionsTable(List<Subscription> subscriptions) {
    if (subscriptions.isEmpty()) {
      return "<p class=\"muted\">No subscriptions.</p>";
    }
    StringBuilder rows = new StringBuilder();
    for (Subscription s : subscriptions) {
      rows.append("<tr><td>")
          .append(h(s.id()))
          .append("</td><td>")
          .append(h(s.plan()))
          .append("</td><td><span class=\"pill\">")
          .append(h(s.status()))
          .append("</span></td>")
          .append(amountCell(s.priceMinor(), s.currency()))
          .append("<td>")
          .append(time(s.nextChargeAt()))
          .append("</td></tr>");
    }
    return "<table><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Plan</th>"
        + "<th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Price per period</th>"
        + "<th scope=\"col\">Next charge</th></tr></thead><tbody>"
        + rows
        + "</tbody></table>";
  }

  private static String topupsTable(RoutingContext ctx, String userId, List<Topup> topups) {
    if (topups.isEmpty()) {
      return "<p class=\"muted\">No top-ups.</p>";
    }
    StringBuilder rows = new StringBuilder();
    for (Topup t : topups) {
      long refundable = t.amountMinor() - t.refundedMinor();
      rows.append("<tr data-topup=\"")
          .append(h(t.id()))
          .append("\"><td>")
          .append(h(t.id()))
          .append("</td><td>")
          .append(time(t.createdAt()))
          .append("</td><td><span class=\"pill\">")
          .append(h(t.status()))
          .append("</span></td>")
          .append(amountCell(t.amountMinor(), t.currency()))
          .append(amountCell(t.refundedMinor(), t.currency()))
          .append("<td>");
      if ("succeeded".equals(t.status()) && refundable > 0) {
        String id = "refund-" + t.id();
        rows.append("<form class=\"inline\" method=\"post\" action=\"/console/users/")
            .append(url(userId))
            .append("/topups/")
            .append(url(t.id()))
            .append("/refund\">")
            .append(WebAccess.csrfField(ctx))
            .append(hidden("idempotency_key", UUID.randomUUID().toString()))
            .append(
                field(
                    "Amount to refund (" + t.currency() + ")",
                    id,
                    "<input id=\""
                        + h(id)
                        + "\" name=\"amount\" inputmode=\"decimal\" size=\"8\" value=\""
                        + h(PageText.amount(refundable, t.currency()).split(" ")[0])
                        + "\" required>"))
            .append("<button type=\"submit\" class=\"danger\">Refund…</button></form>");
      }
      rows.append("</td></tr>");
    }
    return "<table><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Created</th>"
        + "<th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Amount</th>"
        + "<th scope=\"col\" class=\"num\">Refunded</th><th scope=\"col\">Refund</th></tr></thead>"
        + "<tbody>"
        + rows
        + "</tbody></table>";
  }

  private static String adjustmentForm(RoutingContext ctx, String userId) {
    return "<form method=\"post\" action=\"/console/users/"
        + url(userId)
        + "/adjustment\">"
        + WebAccess.csrfField(ctx)
        + hidden("idempotency_key", UUID.randomUUID().toString())
        + "<div class=\"form-grid\">"
        + field(
            "Amount (negative to debit)",
            "adj-amount",
            "<input id=\"adj-amount\" name=\"amount\" inputmode=\"decimal\" required"
                + " placeholder=\"12.50\">")
        + field(
            "Currency",
            "adj-currency",
            "<input id=\"adj-currency\" name=\"currency\" maxlength=\"3\" size=\"4\" required"
                + " placeholder=\"USD\" autocapitalize=\"characters\">")
        + field(
            "Reason (the user sees it)",
            "adj-reason",
            "<input id=\"adj-reason\" name=\"reason\" maxlength=\"200\" required>")
        + "</div><p><button type=\"submit\">Review adjustment…</button></p></form>";
  }

  /**
   * {@code POST /console/users/:user/adjustment}: a page saying what will be posted, with the same
   * fields (and idempotency key) hidden; its confirm button posts to {@code .../confirm}, which
   * posts through the ledger as {@code POST /v1/admin/adjustments} does.
   */
  private void adjustment(RoutingContext ctx, boolean confirmed) {
    String userId = ctx.pathParam("user");
    String adminId = admin(ctx);
    String key = ConsoleHtml.form(ctx, "idempotency_key");
    String currency = upper(ConsoleHtml.form(ctx, "currency"));
    String reason = ConsoleHtml.form(ctx, "reason");
    long amountMinor;
    try {
      checkKey(key);
      amountMinor = ConsoleHtml.minorUnits("amount", ConsoleHtml.form(ctx, "amount"), currency);
      if (amountMinor == 0) {
        throw Failure.invalid("amount", "amount must not be zero").toException();
      }
      if (reason == null || reason.isBlank()) {
        throw Failure.invalid("reason", "reason is required").toException();
      }
    } catch (Failure.FailureException invalid) {
      problem(ctx, "users", "Adjustment not possible", invalid, "/console/users/" + url(userId));
      return;
    }
    if (!confirmed) {
      String what =
          (amountMinor > 0 ? "Credit " : "Debit ")
              + "<strong data-confirm-amount=\""
              + amountMinor
              + "\">"
              + amount(Math.abs(amountMinor), currency)
              + "</strong> "
              + (amountMinor > 0 ? "to" : "from")
              + " the "
              + h(currency)
              + " wallet of <strong>"
              + h(userId)
              + "</strong>, reason “"
              + h(reason)
              + "”."
              + (amountMinor < 0
                  ? " A debit the balance does not cover is refused; nothing is written then."
                  : "");
      confirmPage(
          ctx,
          "users",
          "Confirm the adjustment",
          what,
          "/console/users/" + url(userId) + "/adjustment/confirm",
          hidden("idempotency_key", key)
              + hidden("amount", ConsoleHtml.form(ctx, "amount"))
              + hidden("currency", currency)
              + hidden("reason", reason),
          "Post the adjustment",
          "/console/users/" + url(userId));
      return;
    }
    PostingRequest posting =
        new PostingRequest(
            "adjustment:" + adminId + ":" + key,
            userId,
            currency,
            amountMinor,
            EntryKind.ADJUSTMENT,
            reason,
            null,
            AdminApi.ADJUSTMENTS_ACCOUNT);
    JsonObject targets = new JsonObject().put("user_id", userId).put("currency", currency);
    ledger
        .post(posting)
        .onSuccess(
            posted -> {
              audit(ctx, "POST /v1/admin/adjustments", targets, 201);
              done(
                  ctx,
                  "users",
                  "Adjustment posted",
                  (posted.replayed() ? "This adjustment had been posted already: " : "Posted ")
                      + "entry <span data-entry-id=\""
                      + posted.value().id()
                      + "\">"
                      + posted.value().id()
                      + "</span>: "
                      + amount(posted.value().amountMinor(), currency)
                      + ", balance now "
                      + amount(posted.value().balanceAfterMinor(), currency)
                      + ".",
                  "/console/users/" + url(userId));
            })
        .onFailure(
            error -> {
              audit(ctx, "POST /v1/admin/adjustments", targets, status(error));
              problem(
                  ctx, "users", "Adjustment not posted", error, "/console/users/" + url(userId));
            });
  }

  /**
   * {@code POST /console/users/:user/topups/:id/refund}: the refund's confirmation page; {@code
   * .../confirm} refunds through payments as {@code POST /v1/admin/topups/{id}/refund} does, with
   * the key the user's page generated (a second click replays the first refund).
   */
  private void refund(RoutingContext ctx, boolean confirmed) {
    String userId = ctx.pathParam("user");
    String topupId = ctx.pathParam("id");
    String key = ConsoleHtml.form(ctx, "idempotency_key");
    String back = "/console/users/" + url(userId);
    payments
        .topup(userId, topupId)
        .onFailure(error -> problem(ctx, "users", "Refund not possible", error, back))
        .onSuccess(
            topup -> {
              long amountMinor;
              try {
                checkKey(key);
                amountMinor =
                    ConsoleHtml.minorUnits(
                        "amount", ConsoleHtml.form(ctx, "amount"), topup.currency());
                if (amountMinor <= 0) {
                  throw Failure.invalid("amount", "amount must be more than zero").toException();
                }
              } catch (Failure.FailureException invalid) {
                problem(ctx, "users", "Refund not possible", invalid, back);
                return;
              }
              if (!confirmed) {
                confirmPage(
                    ctx,
                    "users",
                    "Confirm the refund",
                    "Refund <strong data-confirm-amount=\""
                        + amountMinor
                        + "\">"
                        + amount(amountMinor, topup.currency())
                        + "</strong> of top-up <strong>"
                        + h(topup.id())
                        + "</strong> ("
                        + amount(topup.amountMinor(), topup.currency())
                        + " through "
                        + h(topup.gateway())
                        + ") to <strong>"
                        + h(userId)
                        + "</strong>. The amount is debited from the user's balance first (refused"
                        + " if it was spent), then returned through the provider.",
                    back + "/topups/" + url(topupId) + "/refund/confirm",
                    hidden("idempotency_key", key)
                        + hidden("amount", ConsoleHtml.form(ctx, "amount")),
                    "Refund now",
                    back);
                return;
              }
              JsonObject targets = new JsonObject().put("id", topupId).put("user_id", userId);
              refundOnce(topupId, amountMinor, key, admin(ctx), REFUND_WAITS)
                  .onSuccess(
                      refund -> {
                        boolean pending = "pending".equals(refund.value().status());
                        audit(
                            ctx, "POST /v1/admin/topups/{id}/refund", targets, pending ? 202 : 201);
                        done(
                            ctx,
                            "users",
                            pending ? "Refund pending" : "Refund done",
                            (refund.replayed() ? "This refund had been made already: " : "")
                                + "refund <span data-refund-id=\""
                                + h(refund.value().id())
                                + "\">"
                                + h(refund.value().id())
                                + "</span> of "
                                + amount(refund.value().amountMinor(), refund.value().currency())
                                + " is "
                                + h(refund.value().status())
                                + (pending
                                    ? ": the provider's answer was lost; Kopek resolves it with the"
                                        + " provider."
                                    : "."),
                            back);
                      })
                  .onFailure(
                      error -> {
                        audit(ctx, "POST /v1/admin/topups/{id}/refund", targets, status(error));
                        problem(ctx, "users", "Refund not made", error, back);
                      });
            });
  }

  /**
   * The refund; while the same refund is being made by an earlier request (the first of a double
   * click), waits for it and answers its outcome, as a retry with the same key does.
   */
  private Future<dev.kopek.client.Replayable<dev.kopek.client.Refund>> refundOnce(
      String topupId, long amountMinor, String key, String adminId, int waitsLeft) {
    return refunds
        .refund(topupId, amountMinor, key, adminId)
        .recover(
            error -> {
              if (waitsLeft <= 0
                  || Failure.from(error).code() != ErrorCode.IDEMPOTENCY_IN_PROGRESS) {
                return Future.failedFuture(error);
              }
              return vertx
                  .timer(REFUND_WAIT_MS)
                  .compose(t -> refundOnce(topupId, amountMinor, key, adminId, waitsLeft - 1));
            });
  }

  // ---------------------------------------------------------------- plans

  private void plans(RoutingContext ctx) {
    billing
        .plans(true)
        .onSuccess(
            plans -> {
              StringBuilder rows = new StringBuilder();
              for (Plan plan : plans) {
                rows.append("<tr data-plan=\"")
                    .append(h(plan.code()))
                    .append("\"><td>")
                    .append(h(plan.code()))
                    .append("</td><td>")
                    .append(h(plan.name()))
                    .append("</td>")
                    .append(amountCell(plan.priceMinor(), plan.currency()))
                    .append("<td>")
                    .append(h(plan.period()))
                    .append("</td><td><span class=\"pill\">")
                    .append(h(plan.status()))
                    .append("</span></td><td>");
                if (plan.retiredAt() == null) {
                  rows.append("<form method=\"post\" action=\"/console/plans/")
                      .append(url(plan.code()))
                      .append("/retire\">")
                      .append(WebAccess.csrfField(ctx))
                      .append("<button type=\"submit\" class=\"secondary\" aria-label=\"Retire ")
                      .append(h(plan.code()))
                      .append("\">Retire…</button></form>");
                }
                rows.append("</td></tr>");
              }
              String body =
                  "<h1>Plans</h1>"
                      + card(
                          "Plans",
                          plans.isEmpty()
                              ? "<p class=\"muted\">No plans yet.</p>"
                              : "<table id=\"plans\"><thead><tr><th scope=\"col\">Code</th><th"
                                  + " scope=\"col\">Name</th><th scope=\"col\" class=\"num\">Price</th>"
                                  + "<th scope=\"col\">Period</th><th scope=\"col\">Status</th>"
                                  + "<th scope=\"col\"></th></tr></thead><tbody>"
                                  + rows
                                  + "</tbody></table>")
                      + card(
                          "New plan",
                          "<form method=\"post\" action=\"/console/plans\">"
                              + WebAccess.csrfField(ctx)
                              + "<div class=\"form-grid\">"
                              + field(
                                  "Code",
                                  "plan-code",
                                  "<input id=\"plan-code\" name=\"code\" required maxlength=\"64\""
                                      + " placeholder=\"pro\">")
                              + field(
                                  "Name",
                                  "plan-name",
                                  "<input id=\"plan-name\" name=\"name\" required maxlength=\"200\""
                                      + " placeholder=\"Pro\">")
                              + field(
                                  "Price per period",
                                  "plan-price",
                                  "<input id=\"plan-price\" name=\"price\" inputmode=\"decimal\""
                                      + " required placeholder=\"1.20\">")
                              + field(
                                  "Currency",
                                  "plan-currency",
                                  "<input id=\"plan-currency\" name=\"currency\" maxlength=\"3\""
                                      + " size=\"4\" required placeholder=\"USD\">")
                              + field(
                                  "Period (ISO 8601)",
                                  "plan-period",
                                  "<input id=\"plan-period\" name=\"period\" value=\"PT1H\""
                                      + " required maxlength=\"20\">")
                              + "</div><p><button type=\"submit\">Review plan…</button></p></form>");
              send(ctx, "Plans", "plans", body, WebPage.nonce(), "", false);
            })
        .onFailure(error -> failed(ctx, error));
  }

  private void createPlan(RoutingContext ctx, boolean confirmed) {
    String code = ConsoleHtml.form(ctx, "code");
    String name = ConsoleHtml.form(ctx, "name");
    String currency = upper(ConsoleHtml.form(ctx, "currency"));
    String period = ConsoleHtml.form(ctx, "period");
    long priceMinor;
    try {
      priceMinor = ConsoleHtml.minorUnits("price", ConsoleHtml.form(ctx, "price"), currency);
      if (code == null || code.isEmpty() || name == null || name.isEmpty()) {
        throw Failure.invalid("code", "code and name are required").toException();
      }
    } catch (Failure.FailureException invalid) {
      problem(ctx, "plans", "Plan not possible", invalid, "/console/plans");
      return;
    }
    if (!confirmed) {
      confirmPage(
          ctx,
          "plans",
          "Confirm the new plan",
          "Create plan <strong>"
              + h(code)
              + "</strong> (“"
              + h(name)
              + "”) at <strong>"
              + amount(priceMinor, currency)
              + "</strong> per <strong>"
              + h(period)
              + "</strong>. Users can subscribe to it at once.",
          "/console/plans/confirm",
          hidden("code", code)
              + hidden("name", name)
              + hidden("price", ConsoleHtml.form(ctx, "price"))
              + hidden("currency", currency)
              + hidden("period", period),
          "Create the plan",
          "/console/plans");
      return;
    }
    JsonObject targets = new JsonObject().put("code", code).put("currency", currency);
    billing
        .createPlan(code, name, priceMinor, currency, period)
        .onSuccess(
            plan -> {
              audit(ctx, "POST /v1/admin/plans", targets, 201);
              done(
                  ctx,
                  "plans",
                  "Plan created",
                  "Plan " + h(plan.code()) + " created.",
                  "/console/plans");
            })
        .onFailure(
            error -> {
              audit(ctx, "POST /v1/admin/plans", targets, status(error));
              problem(ctx, "plans", "Plan not created", error, "/console/plans");
            });
  }

  private void retirePlan(RoutingContext ctx, boolean confirmed) {
    String code = ctx.pathParam("code");
    if (!confirmed) {
      confirmPage(
          ctx,
          "plans",
          "Confirm retiring the plan",
          "Retire plan <strong>"
              + h(code)
              + "</strong>: nobody can subscribe to it any more; current subscriptions go on.",
          "/console/plans/" + url(code) + "/retire/confirm",
          "",
          "Retire the plan",
          "/console/plans");
      return;
    }
    JsonObject targets = new JsonObject().put("code", code);
    billing
        .retirePlan(code)
        .onSuccess(
            plan -> {
              audit(ctx, "POST /v1/admin/plans/{code}/retire", targets, 200);
              done(
                  ctx,
                  "plans",
                  "Plan retired",
                  "Plan " + h(code) + " is retired.",
                  "/console/plans");
            })
        .onFailure(
            error -> {
              audit(ctx, "POST /v1/admin/plans/{code}/retire", targets, status(error));
              problem(ctx, "plans", "Plan not retired", error, "/console/plans");
            });
  }

  // ---------------------------------------------------------------- payments needing attention

  private void attention(RoutingContext ctx) {
    int minutes = PENDING_MINUTES_DEFAULT;
    String asked = ConsoleHtml.query(ctx, "pending_minutes");
    if (asked != null) {
      try {
        minutes = Math.max(1, Math.min(Integer.parseInt(asked), 60 * 24 * 31));
      } catch (NumberFormatException bad) {
        minutes = PENDING_MINUTES_DEFAULT;
      }
    }
    int age = minutes;
    Future<JsonObject> flagged = payments.topupsNeedingAttention("flagged", null, 50);
    Future<JsonObject> pending =
        payments.topupsNeedingAttention(
            "pending", Instant.now().minus(Duration.ofMinutes(minutes)), 50);
    Future<JsonObject> failedTopups =
        payments.topupsNeedingAttention(
            "failed", null, Instant.now().minus(Duration.ofDays(CHART_DAYS)), 50);
    Future<dev.kopek.client.Page<UnmatchedPayment>> unmatched = payments.unmatched(50, null);
    Future.all(flagged, pending, failedTopups, unmatched)
        .onSuccess(
            all -> {
              StringBuilder unmatchedRows = new StringBuilder();
              for (UnmatchedPayment u : unmatched.result().data()) {
                JsonObject json = u.toJson();
                unmatchedRows
                    .append("<tr><td>")
                    .append(h(json.getString("id")))
                    .append("</td><td>")
                    .append(time(json.getString("received_at")))
                    .append("</td><td>")
                    .append(h(json.getString("gateway")))
                    .append("</td><td>")
                    .append(h(json.getString("gateway_reference")))
                    .append("</td>")
                    .append(
                        amountCell(json.getLong("amount_minor", 0L), json.getString("currency")))
                    .append("<td>")
                    .append(h(json.getString("reason")))
                    .append("</td></tr>");
              }
              String body =
                  "<h1>Payments needing attention</h1>"
                      + "<section class=\"card\" id=\"flagged\"><h2>Flagged ("
                      + flagged.result().getLong("count", 0L)
                      + ")</h2><p class=\"muted\">The provider and Kopek disagree on the amount or"
                      + " currency: nothing was credited.</p>"
                      + paymentsTable(flagged.result())
                      + "</section>"
                      + "<section class=\"card\" id=\"pending\"><h2>Pending for more than "
                      + age
                      + " minutes ("
                      + pending.result().getLong("count", 0L)
                      + ")</h2><form class=\"inline\" method=\"get\" action=\"/console/payments\">"
                      + field(
                          "Older than (minutes)",
                          "pending-minutes",
                          "<input id=\"pending-minutes\" name=\"pending_minutes\" type=\"number\""
                              + " min=\"1\" value=\""
                              + age
                              + "\">")
                      + "<button type=\"submit\" class=\"secondary\">Show</button></form>"
                      + paymentsTable(pending.result())
                      + "</section>"
                      + "<section class=\"card\" id=\"failed\"><h2>Failed in the last "
                      + CHART_DAYS
                      + " days ("
                      + failedTopups.result().getLong("count", 0L)
                      + ")</h2><p class=\"muted\">Declined or refused by the provider; nothing was"
                      + " credited. Many from one user, or with one decline code, are worth a look.</p>"
                      + paymentsTable(failedTopups.result())
                      + "</section>"
                      + "<section class=\"card\" id=\"unmatched\"><h2>Unmatched provider payments"
                      + "</h2><p class=\"muted\">Money a provider reported that no top-up accounts"
                      + " for: refund it at the provider, or credit the user by an adjustment.</p>"
                      + (unmatched.result().data().isEmpty()
                          ? "<p class=\"muted\">None.</p>"
                          : "<table><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Received"
                              + "</th><th scope=\"col\">Provider</th><th scope=\"col\">Provider"
                              + " reference</th><th scope=\"col\" class=\"num\">Amount</th>"
                              + "<th scope=\"col\">Reason</th></tr></thead><tbody>"
                              + unmatchedRows
                              + "</tbody></table>")
                      + "</section>";
              send(ctx, "Payments", "payments", body, WebPage.nonce(), "", false);
            })
        .onFailure(error -> failed(ctx, error));
  }

  private static String paymentsTable(JsonObject page) {
    JsonArray data = page.getJsonArray("data", new JsonArray());
    if (data.isEmpty()) {
      return "<p class=\"muted\">None.</p>";
    }
    StringBuilder rows = new StringBuilder();
    for (Object item : data) {
      JsonObject t = (JsonObject) item;
      rows.append("<tr data-topup=\"")
          .append(h(t.getString("id")))
          .append("\"><td>")
          .append(h(t.getString("id")))
          .append("</td><td><a href=\"/console/users/")
          .append(url(t.getString("user_id")))
          .append("\">")
          .append(h(t.getString("user_id")))
          .append("</a></td><td>")
          .append(time(t.getString("created_at")))
          .append("</td><td>")
          .append(h(t.getString("gateway")))
          .append("</td>")
          .append(amountCell(t.getLong("amount_minor", 0L), t.getString("currency")))
          .append("</tr>");
    }
    return "<table><thead><tr><th scope=\"col\">Top-up</th><th scope=\"col\">User</th><th"
        + " scope=\"col\">Created</th><th scope=\"col\">Provider</th><th scope=\"col\""
        + " class=\"num\">Amount</th></tr></thead><tbody>"
        + rows
        + "</tbody></table>";
  }

  // ---------------------------------------------------------------- webhooks

  private void webhooks(RoutingContext ctx) {
    events
        .endpoints()
        .compose(
            list -> {
              JsonArray endpoints = list.getJsonArray("data", new JsonArray());
              List<Future<JsonObject>> deliveries =
                  endpoints.stream()
                      .map(
                          e ->
                              events.deliveries(
                                  new JsonObject()
                                      .put("endpoint_id", ((JsonObject) e).getString("id"))
                                      .put("limit", 10)))
                      .toList();
              return Future.all(deliveries)
                  .map(
                      done -> {
                        StringBuilder body = new StringBuilder("<h1>Webhook endpoints</h1>");
                        if (endpoints.isEmpty()) {
                          body.append(
                              card(
                                  "Endpoints",
                                  "<p class=\"muted\">No endpoints: register one with POST"
                                      + " /v1/admin/webhook_endpoints.</p>"));
                        }
                        for (int i = 0; i < endpoints.size(); i++) {
                          body.append(
                              endpointCard(
                                  ctx, endpoints.getJsonObject(i), deliveries.get(i).result()));
                        }
                        return body.toString();
                      });
            })
        .onSuccess(body -> send(ctx, "Webhooks", "webhooks", body, WebPage.nonce(), "", false))
        .onFailure(error -> failed(ctx, error));
  }

  private static String endpointCard(RoutingContext ctx, JsonObject endpoint, JsonObject page) {
    StringBuilder rows = new StringBuilder();
    for (Object item : page.getJsonArray("data", new JsonArray())) {
      JsonObject d = (JsonObject) item;
      Integer code = d.getInteger("status_code");
      boolean ok = code != null && code >= 200 && code < 300;
      rows.append("<tr><td>")
          .append(time(d.getString("attempted_at")))
          .append("</td><td>")
          .append(h(d.getString("event_id")))
          .append("</td><td class=\"num\">")
          .append(d.getInteger("attempt", 0))
          .append("</td><td class=\"")
          .append(ok ? "ok" : "bad")
          .append("\">")
          .append(code == null ? h(d.getString("error")) : code.toString())
          .append("</td><td class=\"num\">")
          .append(d.getValue("latency_ms") == null ? "" : d.getInteger("latency_ms") + " ms")
          .append("</td><td><form method=\"post\" action=\"/console/webhooks/redeliver\">")
          .append(WebAccess.csrfField(ctx))
          .append(hidden("event_id", d.getString("event_id")))
          .append(hidden("endpoint_id", endpoint.getString("id")))
          .append(
              "<button type=\"submit\" class=\"secondary\">Redeliver…</button></form></td></tr>");
    }
    return "<section class=\"card\" data-endpoint=\""
        + h(endpoint.getString("id"))
        + "\"><h2>"
        + h(endpoint.getString("url"))
        + " <span class=\"pill\">"
        + h(endpoint.getString("status"))
        + "</span></h2><p class=\"muted\">"
        + h(endpoint.getString("id"))
        + (endpoint.getString("description") == null
            ? ""
            : " · " + h(endpoint.getString("description")))
        + " · events: "
        + h(
            String.join(
                ", ",
                endpoint.getJsonArray("enabled_events", new JsonArray()).stream()
                    .map(String::valueOf)
                    .toList()))
        + "</p>"
        + (rows.length() == 0
            ? "<p class=\"muted\">No deliveries yet.</p>"
            : "<table><thead><tr><th scope=\"col\">Attempted</th><th scope=\"col\">Event</th>"
                + "<th scope=\"col\" class=\"num\">Attempt</th><th scope=\"col\">Answer</th>"
                + "<th scope=\"col\" class=\"num\">Latency</th><th scope=\"col\"></th></tr>"
                + "</thead><tbody>"
                + rows
                + "</tbody></table>")
        + "</section>";
  }

  private void redeliver(RoutingContext ctx, boolean confirmed) {
    String eventId = ConsoleHtml.form(ctx, "event_id");
    String endpointId = ConsoleHtml.form(ctx, "endpoint_id");
    if (eventId == null || eventId.isEmpty() || endpointId == null || endpointId.isEmpty()) {
      problem(
          ctx,
          "webhooks",
          "Redelivery not possible",
          Failure.invalid("event_id", "event_id and endpoint_id are required").toException(),
          "/console/webhooks");
      return;
    }
    if (!confirmed) {
      confirmPage(
          ctx,
          "webhooks",
          "Confirm the redelivery",
          "Send event <strong>"
              + h(eventId)
              + "</strong> again to endpoint <strong>"
              + h(endpointId)
              + "</strong>.",
          "/console/webhooks/redeliver/confirm",
          hidden("event_id", eventId) + hidden("endpoint_id", endpointId),
          "Redeliver",
          "/console/webhooks");
      return;
    }
    JsonObject targets = new JsonObject().put("id", eventId).put("endpoint_id", endpointId);
    events
        .redeliver(eventId, endpointId)
        .onSuccess(
            reply -> {
              audit(ctx, "POST /v1/admin/events/{id}/redeliver", targets, 202);
              done(
                  ctx,
                  "webhooks",
                  "Redelivery queued",
                  "Event " + h(eventId) + " is queued for " + h(endpointId) + ".",
                  "/console/webhooks");
            })
        .onFailure(
            error -> {
              audit(ctx, "POST /v1/admin/events/{id}/redeliver", targets, status(error));
              problem(ctx, "webhooks", "Redelivery not queued", error, "/console/webhooks");
            });
  }

  // ---------------------------------------------------------------- audit log

  private void audit(RoutingContext ctx) {
    JsonObject query = new JsonObject().put("limit", 50);
    for (String name : new String[] {"actor", "action"}) {
      String value = ConsoleHtml.query(ctx, name);
      if (value != null) {
        query.put(name, value);
      }
    }
    for (String name : new String[] {"from", "to"}) {
      String value = ConsoleHtml.query(ctx, name);
      if (value != null) {
        // The date inputs give a day: from its start (from) or to the next day's start (to).
        try {
          LocalDate day = LocalDate.parse(value);
          query.put(
              name,
              ("to".equals(name) ? day.plusDays(1) : day)
                  .atStartOfDay(ZoneOffset.UTC)
                  .toInstant()
                  .toString());
        } catch (RuntimeException bad) {
          query.put(name, value);
        }
      }
    }
    String before = ConsoleHtml.query(ctx, "before");
    if (before != null) {
      try {
        query.put("before", Long.parseLong(before));
      } catch (NumberFormatException bad) {
        // ignored: the first page
      }
    }
    access
        .audit(query)
        .onSuccess(
            page -> {
              StringBuilder rows = new StringBuilder();
              for (Object item : page.getJsonArray("data", new JsonArray())) {
                JsonObject e = (JsonObject) item;
                rows.append("<tr data-audit=\"")
                    .append(e.getLong("id"))
                    .append("\"><td>")
                    .append(time(e.getString("at")))
                    .append("</td><td>")
                    .append(h(e.getString("actor")))
                    .append("</td><td>")
                    .append(h(e.getString("action")))
                    .append("</td><td><code>")
                    .append(h(e.getJsonObject("targets", new JsonObject()).encode()))
                    .append("</code></td><td class=\"num\">")
                    .append(e.getInteger("status"))
                    .append("</td></tr>");
              }
              StringBuilder next = new StringBuilder();
              if (page.getBoolean("has_more", false)) {
                next.append(
                    "<div class=\"pager\"><a class=\"button secondary\" href=\"/console/audit?");
                for (String name : new String[] {"actor", "action", "from", "to"}) {
                  String value = ConsoleHtml.query(ctx, name);
                  if (value != null) {
                    next.append(name).append('=').append(url(value)).append("&amp;");
                  }
                }
                next.append("before=")
                    .append(page.getLong("next_before"))
                    .append("\">Older</a></div>");
              }
              String body =
                  "<h1>Audit log</h1>"
                      + card(
                          "Filter",
                          "<form class=\"inline\" method=\"get\" action=\"/console/audit\">"
                              + filter("Actor", "actor", "text", ctx)
                              + filter("Action", "action", "text", ctx)
                              + filter("From", "from", "date", ctx)
                              + filter("To", "to", "date", ctx)
                              + "<button type=\"submit\">Filter</button>"
                              + " <a class=\"button secondary\" href=\"/console/audit\">Clear</a></form>")
                      + card(
                          "Entries",
                          rows.length() == 0
                              ? "<p class=\"muted\">No entries.</p>"
                              : "<table id=\"audit\"><thead><tr><th scope=\"col\">Time</th><th"
                                  + " scope=\"col\">Actor</th><th scope=\"col\">Action</th><th"
                                  + " scope=\"col\">Targets</th><th scope=\"col\""
                                  + " class=\"num\">Status</th></tr></thead><tbody>"
                                  + rows
                                  + "</tbody></table>"
                                  + next);
              send(ctx, "Audit log", "audit", body, WebPage.nonce(), "", false);
            })
        .onFailure(error -> failed(ctx, error));
  }

  private static String filter(String label, String name, String type, RoutingContext ctx) {
    String id = "filter-" + name;
    return field(
        label,
        id,
        "<input id=\""
            + id
            + "\" name=\""
            + name
            + "\" type=\""
            + type
            + "\" value=\""
            + h(ConsoleHtml.query(ctx, name))
            + "\">");
  }

  // ---------------------------------------------------------------- shared

  private static String admin(RoutingContext ctx) {
    JsonObject session = ctx.get(WebAccess.SESSION);
    return session.getString("user_id");
  }

  private static String upper(String text) {
    return text == null ? null : text.trim().toUpperCase(java.util.Locale.ROOT);
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > Limits.IDEMPOTENCY_KEY_LENGTH_MAX) {
      throw Failure.invalid(
              "idempotency_key", "the form is incomplete: reload the page and fill it in again")
          .toException();
    }
  }

  /** Records a console action in the audit log, as the API's audit trail does for its routes. */
  private void audit(RoutingContext ctx, String action, JsonObject targets, int status) {
    JsonObject entry =
        new JsonObject()
            .put("actor_type", "user")
            .put("actor", admin(ctx))
            .put("action", action)
            .put("targets", targets.copy().put("via", "console"))
            .put("request_id", UUID.randomUUID().toString())
            .put("status", status);
    access
        .record(entry)
        .onFailure(
            error ->
                LOG.error(
                    "AUDIT LOG WRITE FAILED, the action stands but its record is missing: {} ({})",
                    entry.encode(),
                    error.toString()));
  }

  private static int status(Throwable error) {
    return Failure.from(error).code().failureCode();
  }

  private static void confirmPage(
      RoutingContext ctx,
      String section,
      String title,
      String whatHtml,
      String action,
      String hiddenFields,
      String button,
      String back) {
    String body =
        "<section class=\"card confirm\"><h1>"
            + h(title)
            + "</h1><p id=\"confirm-what\">"
            + whatHtml
            + "</p><form method=\"post\" action=\""
            + action
            + "\">"
            + WebAccess.csrfField(ctx)
            + hiddenFields
            + "<button type=\"submit\" id=\"confirm\" class=\"danger\">"
            + h(button)
            + "</button> <a class=\"button secondary\" href=\""
            + back
            + "\">Cancel</a></form></section>";
    send(ctx, title, section, body, WebPage.nonce(), "", false);
  }

  private static void done(
      RoutingContext ctx, String section, String title, String messageHtml, String back) {
    String body =
        "<section class=\"card\"><h1 id=\"outcome\" data-outcome=\"ok\">"
            + h(title)
            + "</h1>"
            + notice("ok", messageHtml)
            + "<p><a class=\"button\" href=\""
            + back
            + "\">Back</a></p></section>";
    send(ctx, title, section, body, WebPage.nonce(), "", false);
  }

  private static void problem(
      RoutingContext ctx, String section, String title, Throwable error, String back) {
    Failure failure = Failure.from(error);
    if (failure.code() == ErrorCode.UNAVAILABLE || failure.code() == ErrorCode.TIMEOUT) {
      failed(ctx, error);
      return;
    }
    String body =
        "<section class=\"card\"><h1 id=\"outcome\" data-outcome=\""
            + h(failure.code().wireName())
            + "\">"
            + h(title)
            + "</h1>"
            + notice("bad", h(failure.detail()))
            + "<p><a class=\"button\" href=\""
            + back
            + "\">Back</a></p></section>";
    ctx.response().setStatusCode(failure.code().failureCode());
    WebPage.send(
        ctx,
        failure.code().failureCode(),
        title + " · Console",
        header(ctx, section),
        body,
        WebPage.nonce(),
        "",
        false);
  }

  private static void failed(RoutingContext ctx, Throwable error) {
    Failure failure = Failure.from(error);
    if (failure.code() == ErrorCode.NOT_FOUND) {
      notFound(ctx);
      return;
    }
    LOG.warn("Console page {} failed: {}", ctx.normalizedPath(), error.toString());
    int status = failure.code() == ErrorCode.TIMEOUT ? 504 : 503;
    ctx.response().putHeader("Retry-After", Problems.RETRY_AFTER_SECONDS);
    WebPage.send(
        ctx,
        status,
        "Try again in a moment · Console",
        header(ctx, ""),
        notice(
            "bad",
            "Kopek could not answer this page right now ("
                + h(failure.detail())
                + ")."
                + " Reload it in a few seconds."),
        WebPage.nonce(),
        "",
        false);
  }

  private static void notFound(RoutingContext ctx) {
    WebPage.send(
        ctx,
        404,
        "Not found · Console",
        header(ctx, ""),
        "<section class=\"card\"><h1>Not found</h1></section>",
        WebPage.nonce(),
        "",
        false);
  }

  private static void redirect(RoutingContext ctx, String location) {
    WebPage.headers(ctx, WebPage.nonce()).setStatusCode(303).putHeader("Location", location).end();
  }

  private static void send(
      RoutingContext ctx,
      String title,
      String section,
      String body,
      String nonce,
      String script,
      boolean charts) {
    WebPage.send(
        ctx,
        200,
        title + " · Console",
        header(ctx, section),
        "<div " + WebAccess.htmxHeaders(ctx) + ">" + body + "</div>",
        nonce,
        script,
        charts);
  }

  static String header(RoutingContext ctx, String current) {
    JsonObject session = ctx.get(WebAccess.SESSION);
    return "<header class=\"top\"><span class=\"brand\">"
        + Branding.of(ctx).html()
        + " console</span><nav aria-label=\"Console\">"
        + link("/console", "Overview", "overview".equals(current))
        + link("/console/users", "Users", "users".equals(current))
        + link("/console/plans", "Plans", "plans".equals(current))
        + link("/console/payments", "Payments", "payments".equals(current))
        + link("/console/webhooks", "Webhooks", "webhooks".equals(current))
        + link("/console/audit", "Audit log", "audit".equals(current))
        + "</nav><span class=\"muted\">"
        + PageText.html(session.getString("user_id"))
        + "</span><form method=\"post\" action=\"/console/signout\">"
        + WebAccess.csrfField(ctx)
        + "<button class=\"secondary\" type=\"submit\">Sign out</button></form></header>";
  }

  static String link(String href, String text, boolean current) {
    return "<a href=\""
        + href
        + "\""
        + (current ? " aria-current=\"page\"" : "")
        + ">"
        + PageText.html(text)
        + "</a>";
  }
}
