package dev.kopek.http;

import dev.kopek.client.AccessClient;
import dev.kopek.client.KopekClients;
import dev.kopek.client.PaymentsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.Supplier;

/**
 * Kopek's pages beside the API: the customer portal ({@code /portal}), the operator console ({@code
 * /console}), the API's documentation ({@code /docs}) and the libraries they load ({@code
 * /assets/webjars/}). The portal and console pages call the same typed clients as the API, with the
 * same rules and idempotency.
 */
final class WebRoutes {

  /** Portal sessions: 30 minutes idle, 1 hour at most. */
  static final long PORTAL_IDLE_MS = 30 * 60_000L;

  static final long PORTAL_LIFETIME_MS = 3600_000L;

  /** Console sessions: 15 minutes idle, 12 hours at most. */
  static final long CONSOLE_IDLE_MS = 15 * 60_000L;

  static final long CONSOLE_LIFETIME_MS = 12 * 3600_000L;

  private final Branding branding;
  private final WebAccess portal;
  private final WebAccess console;
  private final KopekClients clients;
  private final AccessClient access;
  private final JsonObject config;
  private final Supplier<String> publicUrl;

  WebRoutes(
      JsonObject config, KopekClients clients, AccessClient access, Supplier<String> publicUrl) {
    this.config = config;
    this.publicUrl = publicUrl;
    this.branding = Branding.from(config);
    this.clients = clients;
    this.access = access;
    this.portal =
        WebAccess.from(access, config, "portal", PORTAL_IDLE_MS, PORTAL_LIFETIME_MS, publicUrl);
    this.console =
        WebAccess.from(access, config, "console", CONSOLE_IDLE_MS, CONSOLE_LIFETIME_MS, publicUrl);
  }

  Branding branding() {
    return branding;
  }

  WebAccess portal() {
    return portal;
  }

  WebAccess console() {
    return console;
  }

  /**
   * Mounts what must run ahead of the API's routes on {@code root}: the branding every page reads
   * (the API's checkout pages too) and the checkout's retry, beside the API's checkout routes.
   */
  void mountAhead(Router root) {
    root.route().handler(this::brand);
    HttpConfig http = HttpConfig.from(config);
    PaymentsClient checkoutPages = clients.payments().withTimeout(http.paymentsTimeoutMs(2, 0));
    PaymentsClient topups = clients.payments().withTimeout(http.paymentsTimeoutMs(1, 0));
    root.post("/checkout/:token/retry")
        .handler(ctx -> CheckoutPages.retry(ctx, checkoutPages, topups));
  }

  /**
   * Mounts the pages on {@code root}, after the API's routes: none of their paths is the API's, and
   * an API request then never walks past the pages' routes.
   */
  void mount(Vertx vertx, Router root) {
    root.route("/assets/webjars/*")
        .handler(
            StaticHandler.create("META-INF/resources/webjars")
                .setDirectoryListing(false)
                .setIncludeHidden(false)
                .setCachingEnabled(true)
                // The paths carry the libraries' versions: a new version is a new path.
                .setMaxAgeSeconds(365L * 24 * 3600));
    root.get("/docs").handler(ApiDocs::page);
    for (WebAccess kind : new WebAccess[] {portal, console}) {
      String base = "/" + kind.kind();
      root.get(base + "/signin/:token").handler(kind.signIn());
      root.route(base).handler(kind.require());
      root.route(base + "/*").handler(kind.require());
      root.post(base + "/signout").handler(kind.signOut());
    }
    PortalPages.mount(root, clients, config, publicUrl);
    ConsolePages.mount(vertx, root, clients, access, config);
  }

  private void brand(RoutingContext ctx) {
    ctx.put(Branding.KEY, branding);
    ctx.next();
  }

  /** {@code POST /v1/admin/portal_sessions}: a one-time link to a user's portal. */
  void createPortalSession(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    portal
        .createLink(
            body.getString("user_id"),
            body.getString("return_url"),
            Authentication.caller(ctx).userId())
        .onSuccess(link -> Replies.json(ctx, 201, link))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  /**
   * {@code POST /v1/admin/console_links}: a one-time sign-in link to the console for the calling
   * administrator (or the administrator {@code user_id} names).
   */
  void createConsoleLink(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    String user = body == null ? null : body.getString("user_id");
    console
        .createLink(
            user != null ? user : Authentication.caller(ctx).userId(),
            null,
            Authentication.caller(ctx).userId())
        .onSuccess(link -> Replies.json(ctx, 201, link))
        .onFailure(error -> Replies.failed(ctx, error));
  }
}
