package dev.kopek.http;

import dev.kopek.client.BillingClient;
import dev.kopek.client.KopekClients;
import dev.kopek.client.LedgerClient;
import dev.kopek.client.PaymentsClient;
import dev.kopek.client.Plan;
import dev.kopek.client.Subscription;
import dev.kopek.gateway.spi.PageText;
import dev.kopek.model.Currencies;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.Wallet;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The customer portal: one user's wallets, history and subscriptions, opened from a one-time link
 * the merchant's backend asked for ({@code POST /v1/admin/portal_sessions}). Every page shows the
 * session's user only, and every action goes through the same typed clients as the API, with the
 * same validation and idempotency: each form carries an idempotency key made when the page was
 * rendered, so a double submit acts once.
 *
 * <ul>
 *   <li>{@code GET /portal}: balances, runways, the balance chart and the top-up form;
 *   <li>{@code POST /portal/topups}: starts a top-up and sends the browser to its checkout;
 *   <li>{@code GET /portal/transactions} and {@code /portal/transactions.csv}: the history ({@link
 *       PortalHistory});
 *   <li>{@code GET /portal/subscriptions}, {@code POST /portal/subscriptions/:id/change|cancel}
 *       ({@link PortalSubscriptions}).
 * </ul>
 */
final class PortalPages {

  /** The most entries one chart draws per currency (the newest of the range). */
  static final int CHART_POINTS_MAX = 5000;

  /** The chart's ranges, as offered in its form, in order; {@code all} has no start. */
  static final Map<String, Duration> RANGES;

  static {
    Map<String, Duration> ranges = new LinkedHashMap<>();
    ranges.put("7d", Duration.ofDays(7));
    ranges.put("30d", Duration.ofDays(30));
    ranges.put("90d", Duration.ofDays(90));
    ranges.put("365d", Duration.ofDays(365));
    ranges.put("all", null);
    RANGES = java.util.Collections.unmodifiableMap(ranges);
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private final LedgerClient ledger;
  private final BillingClient billing;
  private final PaymentsClient topups;
  private final Supplier<String> publicUrl;

  private PortalPages(
      LedgerClient ledger,
      BillingClient billing,
      PaymentsClient topups,
      Supplier<String> publicUrl) {
    this.ledger = ledger;
    this.billing = billing;
    this.topups = topups;
    this.publicUrl = publicUrl;
  }

  static void mount(
      Router root, KopekClients clients, JsonObject config, Supplier<String> publicUrl) {
    // Starting a top-up calls the provider: wait for it as POST /v1/topups does.
    PaymentsClient topups =
        clients.payments().withTimeout(HttpConfig.from(config).paymentsTimeoutMs(1, 0));
    PortalPages pages = new PortalPages(clients.ledger(), clients.billing(), topups, publicUrl);
    root.get("/portal").handler(pages::home);
    root.post("/portal/topups").handler(pages::createTopup);
    PortalHistory history = new PortalHistory(clients.ledger());
    root.get("/portal/transactions").handler(history::page);
    root.get("/portal/transactions.csv").handler(history::csv);
    PortalSubscriptions subscriptions = new PortalSubscriptions(clients.billing());
    root.get("/portal/subscriptions").handler(subscriptions::page);
    root.post("/portal/subscriptions/:id/change").handler(subscriptions::change);
    root.post("/portal/subscriptions/:id/cancel").handler(subscriptions::cancel);
  }

  static String userId(RoutingContext ctx) {
    JsonObject session = ctx.get(WebAccess.SESSION);
    return session.getString("user_id");
  }

  // ---------------------------------------------------------------------------------------------
  // The overview: balances, runways, chart, top-up form.

  private void home(RoutingContext ctx) {
    String userId = userId(ctx);
    String rangeName = ctx.request().getParam("range", "30d");
    if (!RANGES.containsKey(rangeName)) {
      problem(ctx, 400, "That range is not offered", "Choose one of the ranges in the list.");
      return;
    }
    Duration range = RANGES.get(rangeName);
    Instant now = Instant.now();
    Instant from = range == null ? null : now.minus(range);
    Future<List<Wallet>> wallets = ledger.wallets(userId);
    Future<List<Subscription>> subscriptions = billing.subscriptions(userId);
    Future<List<Plan>> plans = billing.plans(false);
    Future.all(wallets, subscriptions, plans)
        .compose(
            all -> {
              List<Future<List<Entry>>> series = new ArrayList<>();
              for (Wallet wallet : wallets.result()) {
                series.add(
                    entries(
                        new EntryQuery(
                            userId,
                            wallet.currency(),
                            null,
                            from,
                            null,
                            EntryQuery.INTERNAL_LIMIT_MAX,
                            null),
                        new ArrayList<>()));
              }
              return Future.all(series).map(done -> series.stream().map(Future::result).toList());
            })
        .onSuccess(
            series ->
                renderHome(
                    ctx,
                    rangeName,
                    wallets.result(),
                    subscriptions.result(),
                    plans.result(),
                    series))
        .onFailure(error -> failed(ctx, error));
  }

  /** The entries of a query, newest first, up to {@link #CHART_POINTS_MAX}. */
  private Future<List<Entry>> entries(EntryQuery query, List<Entry> into) {
    return ledger
        .entries(query)
        .compose(
            page -> {
              for (Entry entry : page.data()) {
                if (into.size() < CHART_POINTS_MAX) {
                  into.add(entry);
                }
              }
              if (!page.hasMore() || page.data().isEmpty() || into.size() >= CHART_POINTS_MAX) {
                return Future.succeededFuture(into);
              }
              return entries(query.after(page.data().get(page.data().size() - 1).id()), into);
            });
  }

  private void renderHome(
      RoutingContext ctx,
      String rangeName,
      List<Wallet> wallets,
      List<Subscription> subscriptions,
      List<Plan> plans,
      List<List<Entry>> series) {
    StringBuilder body = new StringBuilder("<h1>Your balance</h1>");
    if (wallets.isEmpty()) {
      body.append(
          "<section class=\"card\"><p>You have no balance yet. Top up below to add money to"
              + " your account.</p></section>");
    } else {
      body.append("<div class=\"grid\">");
      for (Wallet wallet : wallets) {
        body.append("<section class=\"card wallet\" data-currency=\"")
            .append(PageText.html(wallet.currency()))
            .append("\"><h2>")
            .append(PageText.html(wallet.currency()))
            .append("</h2><p class=\"figure\" data-balance-minor=\"")
            .append(wallet.balanceMinor())
            .append("\">")
            .append(PageText.html(PageText.amount(wallet.balanceMinor(), wallet.currency())))
            .append("</p><p class=\"muted runway\">")
            .append(runway(wallet.currency(), subscriptions))
            .append("</p></section>");
      }
      body.append("</div>");
    }

    // The chart.
    body.append(
        "<section class=\"card\"><h2>Balance over time</h2>"
            + "<form class=\"inline\" method=\"get\" action=\"/portal\">"
            + "<div><label for=\"range\">Range</label><select id=\"range\" name=\"range\">");
    for (String name : RANGES.keySet()) {
      body.append("<option value=\"")
          .append(name)
          .append("\"")
          .append(name.equals(rangeName) ? " selected" : "")
          .append(">")
          .append(rangeLabel(name))
          .append("</option>");
    }
    body.append("</select></div><button class=\"secondary\" type=\"submit\">Show</button></form>");
    boolean anyPoints = false;
    for (int i = 0; i < wallets.size(); i++) {
      String currency = wallets.get(i).currency();
      List<Entry> entries = series.get(i);
      anyPoints |= !entries.isEmpty();
      body.append("<h3 class=\"muted\">")
          .append(PageText.html(currency))
          .append(
              entries.size() >= CHART_POINTS_MAX ? " (the newest " + CHART_POINTS_MAX + ")" : "")
          .append("</h3><div class=\"chart\" id=\"chart-")
          .append(PageText.html(currency))
          .append("\" role=\"img\" aria-label=\"")
          .append(PageText.html(currency))
          .append(" balance over time, ")
          .append(entries.size())
          .append(" entries\"></div><script type=\"application/json\" data-chart=\"")
          .append(PageText.html(currency))
          .append("\" id=\"chart-data-")
          .append(PageText.html(currency))
          .append("\">")
          .append(chartJson(currency, entries))
          .append("</script>");
    }
    if (!anyPoints) {
      body.append("<p class=\"muted\">No transactions in this range.</p>");
    }
    body.append("</section>");

    // The top-up form.
    TreeSet<String> currencies = new TreeSet<>();
    wallets.forEach(w -> currencies.add(w.currency()));
    plans.forEach(p -> currencies.add(p.currency()));
    if (currencies.isEmpty()) {
      currencies.add("USD");
    }
    String preferred = wallets.isEmpty() ? currencies.first() : wallets.get(0).currency();
    body.append(
            "<section class=\"card\" id=\"topup\"><h2>Top up</h2>"
                + "<form class=\"inline\" method=\"post\" action=\"/portal/topups\">")
        .append(WebAccess.csrfField(ctx))
        .append(idempotencyField())
        .append(
            "<div><label for=\"topup-amount\">Amount</label><input id=\"topup-amount\""
                + " name=\"amount\" inputmode=\"decimal\" autocomplete=\"off\" required"
                + " placeholder=\"20.00\" size=\"10\" pattern=\"[0-9]+([.,][0-9]{1,3})?\"></div>"
                + "<div><label for=\"topup-currency\">Currency</label>"
                + "<select id=\"topup-currency\" name=\"currency\">");
    for (String currency : currencies) {
      body.append("<option")
          .append(currency.equals(preferred) ? " selected" : "")
          .append(">")
          .append(PageText.html(currency))
          .append("</option>");
    }
    body.append(
        "</select></div><button type=\"submit\" id=\"topup-submit\">Continue to payment</button>"
            + "</form><p class=\"muted\">You pay on the payment page and come back here"
            + " afterwards.</p></section>");

    String nonce = WebPage.nonce();
    WebPage.send(
        ctx,
        200,
        "Your account · " + Branding.of(ctx).name(),
        header(ctx, "balance"),
        body.toString(),
        nonce,
        CHART_SCRIPT,
        true);
  }

  private static String rangeLabel(String name) {
    return switch (name) {
      case "7d" -> "Last 7 days";
      case "30d" -> "Last 30 days";
      case "90d" -> "Last 90 days";
      case "365d" -> "Last year";
      default -> "Everything";
    };
  }

  /**
   * The chart's data: the entries oldest first, x in seconds since the epoch and y the balance
   * after each in major units, written from the integers (for display only; no arithmetic in
   * floating point). Only digits, dots, minus signs and the currency code: safe in a script
   * element.
   */
  static String chartJson(String currency, List<Entry> newestFirst) {
    int exponent = Currencies.find(currency).map(Currencies::exponent).orElse(0);
    StringBuilder x = new StringBuilder();
    StringBuilder y = new StringBuilder();
    StringBuilder ids = new StringBuilder();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      Entry entry = newestFirst.get(i);
      String sep = x.length() == 0 ? "" : ",";
      Instant at = entry.createdAt();
      x.append(sep)
          .append(
              BigDecimal.valueOf(at.getEpochSecond())
                  .add(BigDecimal.valueOf(at.getNano() / 1000, 6))
                  .toPlainString());
      y.append(sep).append(BigDecimal.valueOf(entry.balanceAfterMinor(), exponent).toPlainString());
      ids.append(sep).append(entry.id());
    }
    String json =
        "{\"currency\":\""
            + currency
            + "\",\"exponent\":"
            + exponent
            + ",\"x\":["
            + x
            + "],\"y\":["
            + y
            + "],\"ids\":["
            + ids
            + "]}";
    return json.replace("<", "\\u003c");
  }

  /** Draws each chart from its JSON; {@code window.kopekCharts} holds the plots by currency. */
  private static final String CHART_SCRIPT =
      """
      (function () {
        "use strict";
        var charts = {};
        window.kopekCharts = charts;
        function width(el) { return Math.max(260, el.clientWidth || 600); }
        function draw() {
          if (typeof uPlot === "undefined") { return; }
          document.querySelectorAll("script[type='application/json'][data-chart]")
              .forEach(function (source) {
            var data = JSON.parse(source.textContent);
            var target = document.getElementById("chart-" + data.currency);
            if (!target || data.x.length === 0) { return; }
            var opts = {
              width: width(target), height: 240,
              scales: {x: {time: true}},
              series: [{}, {label: data.currency, stroke: "#2d5bff", width: 2,
                fill: "rgba(45,91,255,.08)",
                value: function (u, v) { return v == null ? "" : v.toFixed(data.exponent) + " " + data.currency; }}],
              axes: [{}, {values: function (u, vals) { return vals.map(function (v) { return v.toFixed(data.exponent); }); }, size: 70}]
            };
            charts[data.currency] = new uPlot(opts, [data.x, data.y], target);
          });
        }
        draw();
        var pending = null;
        window.addEventListener("resize", function () {
          window.clearTimeout(pending);
          pending = window.setTimeout(function () {
            Object.keys(charts).forEach(function (currency) {
              var target = document.getElementById("chart-" + currency);
              charts[currency].setSize({width: width(target), height: 240});
            });
          }, 150);
        });
      })();
      """;

  /** What the wallet's balance covers of its active subscriptions, as HTML. */
  static String runway(String currency, List<Subscription> subscriptions) {
    List<Subscription> mine =
        subscriptions.stream().filter(s -> currency.equals(s.currency())).toList();
    Subscription active =
        mine.stream().filter(s -> "active".equals(s.status())).findFirst().orElse(null);
    if (active == null) {
      boolean suspended = mine.stream().anyMatch(s -> "suspended".equals(s.status()));
      return suspended
          ? "<span class=\"bad\">Subscriptions suspended: top up to resume them.</span>"
          : "No subscriptions";
    }
    if (active.runwayMs() == null) {
      return "Your subscriptions cost nothing: the balance does not run out.";
    }
    long ms = active.runwayMs();
    // Billing's own end of the runway: the same whenever it is read.
    Instant until = active.runsOutAt();
    return "Covers your subscriptions for <strong data-runway-ms=\""
        + ms
        + "\">"
        + PageText.html(duration(ms))
        + "</strong>"
        + (until == null ? "" : " (until " + PageText.html(time(until)) + ")");
  }

  /** A duration as people read it: {@code 3 days 4 hours}, {@code 25 minutes}. */
  static String duration(long ms) {
    if (ms < 60_000) {
      return "less than a minute";
    }
    long minutes = ms / 60_000;
    long days = minutes / (24 * 60);
    long hours = (minutes / 60) % 24;
    long mins = minutes % 60;
    List<String> parts = new ArrayList<>();
    if (days > 0) {
      parts.add(days + (days == 1 ? " day" : " days"));
    }
    if (hours > 0) {
      parts.add(hours + (hours == 1 ? " hour" : " hours"));
    }
    if (days == 0 && mins > 0) {
      parts.add(mins + (mins == 1 ? " minute" : " minutes"));
    }
    return String.join(" ", parts);
  }

  static String time(Instant instant) {
    return instant == null ? "" : TIME.format(instant) + " UTC";
  }

  // ---------------------------------------------------------------------------------------------
  // Top-ups.

  private void createTopup(RoutingContext ctx) {
    String key = ctx.request().getFormAttribute("idempotency_key");
    String amount = ctx.request().getFormAttribute("amount");
    String currency = ctx.request().getFormAttribute("currency");
    if (!validKey(key)) {
      problem(
          ctx, 400, "Reload the page", "The form is incomplete. Reload the page and try again.");
      return;
    }
    if (currency == null || Currencies.find(currency).isEmpty()) {
      problem(ctx, 400, "Choose a currency", "Choose the currency to top up from the list.");
      return;
    }
    long amountMinor;
    try {
      amountMinor = minorUnits(amount, currency);
    } catch (IllegalArgumentException bad) {
      problem(ctx, 400, "Check the amount", bad.getMessage());
      return;
    }
    topups
        .createTopup(
            userId(ctx), "portal:" + key, amountMinor, currency, null, publicUrl.get() + "/portal")
        .onSuccess(
            topup ->
                ctx.response()
                    .setStatusCode(303)
                    .putHeader("Location", topup.value().checkoutUrl())
                    .putHeader("Cache-Control", "no-store")
                    .end())
        .onFailure(error -> failed(ctx, error));
  }

  /**
   * An amount typed in major units ({@code 20}, {@code 20.5}, {@code 20,50}) as minor units of
   * {@code currency}, exactly: more decimals than the currency has, or an amount of zero or above
   * {@link Limits#AMOUNT_MINOR_MAX}, is refused with a sentence saying why.
   */
  static long minorUnits(String text, String currency) {
    int exponent = Currencies.exponent(Currencies.require(currency));
    String value = text == null ? "" : text.trim().replace(',', '.');
    if (!value.matches("[0-9]{1,12}(\\.[0-9]{1,12})?")) {
      throw new IllegalArgumentException("Enter the amount as a number, such as 20.00.");
    }
    BigDecimal major = new BigDecimal(value);
    if (major.stripTrailingZeros().scale() > exponent) {
      throw new IllegalArgumentException(
          currency
              + " amounts have "
              + (exponent == 0 ? "no decimals" : "at most " + exponent + " decimals")
              + ".");
    }
    BigDecimal minor = major.movePointRight(exponent);
    if (minor.signum() <= 0) {
      throw new IllegalArgumentException("The amount must be more than zero.");
    }
    if (minor.compareTo(BigDecimal.valueOf(Limits.AMOUNT_MINOR_MAX)) > 0) {
      throw new IllegalArgumentException(
          "The amount must be at most " + PageText.amount(Limits.AMOUNT_MINOR_MAX, currency) + ".");
    }
    return minor.longValueExact();
  }

  // ---------------------------------------------------------------------------------------------
  // Shared by the portal's pages.

  /** A hidden idempotency key for one rendering of a form. */
  static String idempotencyField() {
    return "<input type=\"hidden\" name=\"idempotency_key\" value=\"" + UUID.randomUUID() + "\">";
  }

  static boolean validKey(String key) {
    return key != null
        && !key.isEmpty()
        && key.length() <= Limits.IDEMPOTENCY_KEY_LENGTH_MAX - 16
        && key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /** A page of the portal saying what went wrong, with the status of the failure. */
  static void problem(RoutingContext ctx, int status, String title, String text) {
    WebPage.send(
        ctx,
        status,
        title + " · " + Branding.of(ctx).name(),
        header(ctx, ""),
        "<section class=\"card\" role=\"alert\"><h1 class=\"bad\">"
            + PageText.html(title)
            + "</h1><p id=\"problem\">"
            + PageText.html(text)
            + "</p><p><a class=\"button secondary\" href=\"/portal\">Back to your account</a></p>"
            + "</section>",
        WebPage.nonce(),
        "",
        false);
  }

  /** A failed client call as a portal page: its status, its detail (never a stack trace). */
  static void failed(RoutingContext ctx, Throwable error) {
    Failure failure = Failure.from(error);
    int status = failure.code().failureCode();
    String title =
        switch (failure.code()) {
          case VALIDATION_FAILED -> "Check what you entered";
          case INSUFFICIENT_FUNDS -> "Not enough balance";
          case NOT_FOUND -> "Not found";
          case IDEMPOTENCY_CONFLICT -> "Reload the page";
          case GATEWAY_ERROR -> "The payment provider refused";
          case UNAVAILABLE, TIMEOUT -> "Try again in a moment";
          default -> "Something went wrong";
        };
    if (failure.code() == ErrorCode.UNAVAILABLE || failure.code() == ErrorCode.TIMEOUT) {
      ctx.response().putHeader("Retry-After", Problems.RETRY_AFTER_SECONDS);
    }
    String detail = failure.detail();
    if (status >= 500 && failure.code() != ErrorCode.GATEWAY_ERROR) {
      detail = "The service could not complete this right now. Try again in a moment.";
    } else if (!detail.isEmpty()) {
      detail = Character.toUpperCase(detail.charAt(0)) + detail.substring(1);
      detail = detail.endsWith(".") ? detail : detail + ".";
    }
    problem(ctx, status, title, detail);
  }

  static String header(RoutingContext ctx, String current) {
    JsonObject session = ctx.get(WebAccess.SESSION);
    String back = session.getString("return_url");
    return "<header class=\"top\"><span class=\"brand\">"
        + Branding.of(ctx).html()
        + "</span><nav aria-label=\"Portal\">"
        + link("/portal", "Balance", "balance".equals(current))
        + link("/portal/transactions", "Transactions", "transactions".equals(current))
        + link("/portal/subscriptions", "Subscriptions", "subscriptions".equals(current))
        + (back == null
            ? ""
            : "<a id=\"back\" href=\""
                + PageText.html(back)
                + "\">Back to "
                + PageText.html(Branding.of(ctx).name())
                + "</a>")
        + "</nav><form method=\"post\" action=\"/portal/signout\">"
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
