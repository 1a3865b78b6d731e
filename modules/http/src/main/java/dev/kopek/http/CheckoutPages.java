package dev.kopek.http;

import dev.kopek.gateway.spi.PageText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
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
    send(
        ctx,
        200,
        "Pay " + amount,
        "<h1>Top up your balance</h1><p class=\"amount\">"
            + PageText.html(amount)
            + "</p>"
            + page.getString("body_html"),
        page.getString("script"),
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
                  + " was added to your balance.</p>";
          case "failed" ->
              "<h1 id=\"status\" data-status=\"failed\" class=\"bad\">Payment declined</h1>"
                  + "<p>Nothing was charged"
                  + (checkout.getString("decline_code") == null
                      ? ""
                      : " (" + PageText.html(checkout.getString("decline_code")) + ")")
                  + ".</p>";
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
            + " · Kopek</title><style nonce=\""
            + nonce
            + "\">"
            + STYLE
            + "</style></head><body><main>"
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
