package dev.kopek.http;

import dev.kopek.client.PaymentsClient;
import dev.kopek.gateway.spi.PageText;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Kopek's hosted pages: the checkout (the provider's form inside Kopek's frame) and the page the
 * payer returns to. Plain HTML and a little JavaScript, no build step. Every page is served with a
 * strict Content-Security-Policy: scripts and styles only with the page's nonce or from the
 * provider's own origins; no referrer (the URL holds the checkout token); never cached.
 */
final class CheckoutPages {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final String STYLE =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
      main{max-width:26rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px rgba(0,0,0,.08)}
      h1{font-size:1.25rem;margin:0 0 .25rem}.amount{font-size:2rem;font-weight:600;margin:.25rem 0 1.5rem}
      label{display:block;font-size:.85rem;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #c8ccd4;border-radius:6px}
      button{width:100%;margin-top:1.25rem;padding:.75rem;font-size:1rem;border:0;border-radius:6px;background:#2d5bff;color:#fff;cursor:pointer}
      button:disabled{opacity:.55;cursor:not-allowed}
      .row{display:flex;gap:.75rem}.row>div{flex:1}.note{font-size:.8rem;color:#5b6270;margin-top:1.25rem}
      .ok{color:#12703a}.bad{color:#b3261e}#result{margin-top:1rem;min-height:1.5rem}
      #result[data-status=succeeded]{color:#12703a}
      #result[data-status=declined],#result[data-status=invalid],#result[data-status=failed]{color:#b3261e}
      .merchant{display:flex;align-items:center;gap:.5rem;font-weight:650;margin:0 0 1.25rem;color:#1d2330}
      .merchant img{height:1.75rem;max-width:10rem;object-fit:contain}
      a.button{display:block;text-align:center;margin-top:1.25rem;padding:.75rem;border-radius:6px;background:#2d5bff;color:#fff;text-decoration:none}
      #retry{margin-top:1rem;border-top:1px solid #e3e6ec;padding-top:.5rem}
      @media (max-height:820px){main{margin:1rem auto}}
      @media (max-width:30rem){main{margin:0;border-radius:0;padding:1.25rem}}
      """;

  /**
   * Kopek's own script on the checkout page: when the provider's form reports a decline ({@code
   * kopek:checkout-result}), the payer is offered another payment right there, and the outcome is
   * kept in view.
   */
  private static final String PAGE_SCRIPT =
      """
      (function () {
        "use strict";
        document.addEventListener("kopek:checkout-result", function (event) {
          var status = event.detail && event.detail.status;
          var retry = document.getElementById("retry");
          if (status === "declined" && retry) {
            retry.hidden = false;
            var button = retry.querySelector("button");
            retry.scrollIntoView({block: "nearest"});
            if (button) { button.focus({preventScroll: true}); }
          }
        });
      })();
      """;

  private CheckoutPages() {}

  /** The checkout page, or the payment's state when it can no longer be paid. */
  static void checkout(RoutingContext ctx, JsonObject checkout) {
    String amount =
        PageText.amount(checkout.getLong("amount_minor"), checkout.getString("currency"));
    if (checkout.getBoolean("expired", false) && "pending".equals(checkout.getString("status"))) {
      send(
          ctx,
          410,
          "Checkout expired",
          "<h1>This checkout link has expired</h1>"
              + "<p>Start a new top-up to pay "
              + PageText.html(amount)
              + ".</p>",
          "",
          List.of());
      return;
    }
    if (!"pending".equals(checkout.getString("status"))) {
      status(ctx, checkout);
      return;
    }
    if (checkout.getString("redirect_url") != null) {
      ctx.response()
          .setStatusCode(303)
          .putHeader("Location", checkout.getString("redirect_url"))
          .putHeader("Cache-Control", "no-store")
          .putHeader("Referrer-Policy", "no-referrer")
          .end();
      return;
    }
    JsonObject page = checkout.getJsonObject("page");
    String providerScript = page.getString("script", "");
    send(
        ctx,
        200,
        "Pay " + amount,
        "<h1>Top up your balance</h1><p class=\"amount\">"
            + PageText.html(amount)
            + "</p>"
            + page.getString("body_html")
            + retryForm(ctx, true),
        providerScript.isEmpty() ? "" : providerScript + "\n" + PAGE_SCRIPT,
        List.of(
            page.getJsonArray("script_origins"),
            page.getJsonArray("frame_origins"),
            page.getJsonArray("connect_origins")));
  }

  /** Where the payer lands after paying: the payment's state, refreshed while it is not final. */
  static void status(RoutingContext ctx, JsonObject checkout) {
    String amount =
        PageText.html(
            PageText.amount(checkout.getLong("amount_minor"), checkout.getString("currency")));
    String status = checkout.getString("status");
    String html =
        switch (status) {
          case "succeeded" ->
              "<h1 id=\"status\" data-status=\"succeeded\" class=\"ok\">Payment succeeded"
                  + "</h1><p>"
                  + amount
                  + " was added to your balance.</p>"
                  + wayBack(ctx, checkout.getString("return_url"));
          case "failed" ->
              "<h1 id=\"status\" data-status=\"failed\" class=\"bad\">Payment declined</h1>"
                  + "<p>Nothing was charged"
                  + (checkout.getString("decline_code") == null
                      ? ""
                      : " (" + PageText.html(checkout.getString("decline_code")) + ")")
                  + ".</p>"
                  + retryForm(ctx, false);
          case "refunded" -> "<h1 id=\"status\" data-status=\"refunded\">Payment refunded</h1>";
          case "expired" -> "<h1 id=\"status\" data-status=\"expired\">Checkout expired</h1>";
          case "flagged" ->
              "<h1 id=\"status\" data-status=\"flagged\">Payment under review</h1>"
                  + "<p>We could not confirm this payment automatically; support will be in touch.</p>";
          default ->
              "<h1 id=\"status\" data-status=\"pending\">Payment processing</h1><p>"
                  + amount
                  + " will be added to your balance as soon as the provider confirms the payment. This "
                  + "page refreshes by itself.</p>";
        };
    boolean refresh = "pending".equals(status);
    send(ctx, 200, "Payment " + status, html, "", List.of(), refresh);
  }

  static void notFound(RoutingContext ctx) {
    send(
        ctx,
        404,
        "Not found",
        "<h1>No such checkout</h1><p>Check the link, or start a new " + "top-up.</p>",
        "",
        List.of());
  }

  private static void send(
      RoutingContext ctx,
      int status,
      String title,
      String body,
      String script,
      List<JsonArray> origins) {
    send(ctx, status, title, body, script, origins, false);
  }

  private static void send(
      RoutingContext ctx,
      int status,
      String title,
      String body,
      String script,
      List<JsonArray> origins,
      boolean refresh) {
    String nonce = nonce();
    String scriptOrigins = origins.isEmpty() ? "" : join(origins.get(0));
    String frameOrigins = origins.isEmpty() ? "" : join(origins.get(1));
    String connectOrigins = origins.isEmpty() ? "" : join(origins.get(2));
    String csp =
        "default-src 'none'; script-src 'nonce-"
            + nonce
            + "'"
            + scriptOrigins
            + "; style-src 'nonce-"
            + nonce
            + "'"
            + scriptOrigins
            + "; img-src 'self' data:"
            + scriptOrigins
            + logoOrigin(Branding.of(ctx))
            + "; connect-src 'self'"
            + connectOrigins
            + "; frame-src"
            + (frameOrigins.isEmpty() ? " 'none'" : frameOrigins)
            + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    String html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            + "<link rel=\"icon\" href=\"data:,\">"
            + (refresh ? "<meta http-equiv=\"refresh\" content=\"2\">" : "")
            + "<title>"
            + PageText.html(title)
            + " · "
            + PageText.html(Branding.of(ctx).name())
            + "</title><style nonce=\""
            + nonce
            + "\">"
            + STYLE
            + "</style></head><body><main><header class=\"merchant\" id=\"merchant\">"
            + Branding.of(ctx).html()
            + "</header>"
            + body
            + "</main>"
            + (script.isEmpty() ? "" : "<script nonce=\"" + nonce + "\">" + script + "</script>")
            + "</body></html>";
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", csp)
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(html);
  }

  /** The origin of the merchant's logo, for the policy's img-src, or empty. */
  private static String logoOrigin(Branding branding) {
    if (branding.logoUrl() == null) {
      return "";
    }
    try {
      URI uri = URI.create(branding.logoUrl());
      String origin = "https://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
      return isOrigin(origin) ? " " + origin : "";
    } catch (IllegalArgumentException bad) {
      return "";
    }
  }

  /**
   * The way back after a successful payment: to the page the top-up was started from (the customer
   * portal, or the merchant's site), or, when the payer came with no return address, a word that
   * the page can be closed.
   */
  static String wayBack(RoutingContext ctx, String returnUrl) {
    String token = ctx.pathParam("token");
    URI uri = null;
    try {
      uri = returnUrl == null ? null : URI.create(returnUrl);
    } catch (IllegalArgumentException bad) {
      uri = null;
    }
    if (uri == null
        || uri.getScheme() == null
        || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
        || (token != null && ("/checkout/" + token + "/complete").equals(uri.getRawPath()))) {
      return "<p class=\"note\" id=\"way-back\">You can close this page.</p>";
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    boolean portal =
        (path.equals("/portal") || path.startsWith("/portal/"))
            && uri.getAuthority() != null
            && uri.getAuthority()
                .equalsIgnoreCase(
                    ctx.request().authority() == null ? "" : ctx.request().authority().toString());
    return "<a class=\"button\" id=\"way-back\" href=\""
        + PageText.html(uri.toString())
        + "\">"
        + (portal ? "Back to your account" : "Back to " + PageText.html(Branding.of(ctx).name()))
        + "</a>";
  }

  /**
   * The form that starts another payment of the same amount after a decline ({@code POST
   * /checkout/:token/retry}); hidden on the checkout page until the provider's form reports one.
   */
  private static String retryForm(RoutingContext ctx, boolean hidden) {
    String token = ctx.pathParam("token");
    if (token == null) {
      return "";
    }
    return "<form id=\"retry\" method=\"post\" action=\"/checkout/"
        + PageText.html(token)
        + "/retry\""
        + (hidden ? " hidden" : "")
        + "><p>Your card was not charged. You can pay with another card.</p>"
        + "<button type=\"submit\" id=\"retry-button\">Try another card</button></form>";
  }

  /**
   * {@code POST /checkout/:token/retry}: after a decline, a new payment of the same amount for the
   * same user and return address, started once however often the button is pressed (its idempotency
   * key is the declined payment's id), and the payer is sent to its checkout.
   */
  static void retry(RoutingContext ctx, PaymentsClient pages, PaymentsClient topups) {
    String site = ctx.request().getHeader("Sec-Fetch-Site");
    if (site != null && !"same-origin".equals(site)) {
      send(ctx, 403, "Request refused", "<h1>Request refused</h1>", "", List.of());
      return;
    }
    String token = ctx.pathParam("token");
    pages
        .checkout(token)
        .compose(
            checkout -> {
              if (!"failed".equals(checkout.getString("status"))) {
                return Future.succeededFuture(ctx.request().path().replaceFirst("/retry$", ""));
              }
              String returnUrl = checkout.getString("return_url");
              if (returnUrl != null && returnUrl.endsWith("/checkout/" + token + "/complete")) {
                returnUrl = null;
              }
              return topups
                  .createTopup(
                      checkout.getString("user_id"),
                      "checkout-retry:" + checkout.getString("payment_id"),
                      checkout.getLong("amount_minor"),
                      checkout.getString("currency"),
                      checkout.getString("gateway"),
                      returnUrl)
                  .map(topup -> topup.value().checkoutUrl());
            })
        .onSuccess(
            location ->
                ctx.response()
                    .setStatusCode(303)
                    .putHeader("Location", location)
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .end())
        .onFailure(
            error -> {
              Failure failure = Failure.from(error);
              if (failure.code() == ErrorCode.NOT_FOUND) {
                notFound(ctx);
              } else {
                send(
                    ctx,
                    failure.code().failureCode(),
                    "Try again",
                    "<h1>The payment could not be started</h1><p>"
                        + PageText.html(
                            failure.code().failureCode() >= 500
                                ? "The payment provider is not available right now. Please try again"
                                    + " in a moment."
                                : failure.detail())
                        + "</p>",
                    "",
                    List.of());
              }
            });
  }

  private static String join(JsonArray origins) {
    return origins == null || origins.isEmpty()
        ? ""
        : origins.stream()
            .map(String::valueOf)
            .filter(CheckoutPages::isOrigin)
            .collect(Collectors.joining(" ", " ", ""));
  }

  /** Only plain https origins reach the policy, so a provider cannot widen it by accident. */
  private static boolean isOrigin(String origin) {
    return origin.matches("^https://[A-Za-z0-9.-]+(:\\d+)?$");
  }

  private static String nonce() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}
