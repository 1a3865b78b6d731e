package dev.kopek.http;

import dev.kopek.client.AccessClient;
import dev.kopek.client.KopekClients;
import dev.kopek.gateway.spi.PageText;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The operator console at {@code /console}, for administrators signed in with a one-time link
 * ({@code java -jar kopek.jar console-link --user <admin id>} or {@code POST
 * /v1/admin/console_links}).
 */
final class ConsolePages {

  private ConsolePages() {}

  static void mount(Router root, KopekClients clients, AccessClient access, JsonObject config) {
    root.get("/console").handler(ConsolePages::overview);
  }

  private static void overview(RoutingContext ctx) {
    WebPage.send(
        ctx,
        200,
        "Overview · Console",
        header(ctx, "overview"),
        "<section class=\"card\"><h1>Overview</h1></section>",
        WebPage.nonce(),
        "",
        false);
  }

  static String header(RoutingContext ctx, String current) {
    JsonObject session = ctx.get(WebAccess.SESSION);
    return "<header class=\"top\"><span class=\"brand\">"
        + Branding.of(ctx).html()
        + " console</span><nav aria-label=\"Console\">"
        + link("/console", "Overview", "overview".equals(current))
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
