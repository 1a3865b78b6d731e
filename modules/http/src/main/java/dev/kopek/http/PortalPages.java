package dev.kopek.http;

import dev.kopek.client.KopekClients;
import dev.kopek.gateway.spi.PageText;
import dev.kopek.model.ledger.Wallet;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The customer portal: one user's wallets, history and subscriptions, opened from a one-time link
 * the merchant's backend asked for ({@code POST /v1/admin/portal_sessions}).
 */
final class PortalPages {

  private PortalPages() {}

  static void mount(Router root, KopekClients clients, JsonObject config) {
    root.get("/portal").handler(ctx -> home(ctx, clients));
  }

  private static void home(RoutingContext ctx, KopekClients clients) {
    JsonObject session = ctx.get(WebAccess.SESSION);
    String userId = session.getString("user_id");
    clients
        .ledger()
        .wallets(userId)
        .onSuccess(
            wallets -> {
              StringBuilder rows = new StringBuilder();
              for (Wallet wallet : wallets) {
                rows.append("<tr><td>")
                    .append(PageText.html(wallet.currency()))
                    .append("</td><td class=\"num\" data-balance-minor=\"")
                    .append(wallet.balanceMinor())
                    .append("\">")
                    .append(
                        PageText.html(PageText.amount(wallet.balanceMinor(), wallet.currency())))
                    .append("</td></tr>");
              }
              String nonce = WebPage.nonce();
              WebPage.send(
                  ctx,
                  200,
                  "Your account",
                  header(ctx),
                  "<section class=\"card\"><h1>Your balance</h1><table><thead><tr><th>Currency"
                      + "</th><th class=\"num\">Balance</th></tr></thead><tbody>"
                      + rows
                      + "</tbody></table></section>",
                  nonce,
                  "",
                  false);
            })
        .onFailure(error -> ctx.fail(error));
  }

  static String header(RoutingContext ctx) {
    JsonObject session = ctx.get(WebAccess.SESSION);
    String back = session.getString("return_url");
    return "<header class=\"top\"><span class=\"brand\">"
        + Branding.of(ctx).html()
        + "</span><nav aria-label=\"Portal\"><a href=\"/portal\">Balance</a>"
        + (back == null
            ? ""
            : "<a href=\""
                + PageText.html(back)
                + "\">Back to "
                + PageText.html(Branding.of(ctx).name())
                + "</a>")
        + "</nav><form method=\"post\" action=\"/portal/signout\">"
        + WebAccess.csrfField(ctx)
        + "<button class=\"secondary\" type=\"submit\">Sign out</button></form></header>";
  }
}
