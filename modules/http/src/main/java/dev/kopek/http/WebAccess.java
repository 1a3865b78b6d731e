package dev.kopek.http;

import dev.kopek.client.AccessClient;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * Sign-in for one kind of Kopek's pages ({@code portal} or {@code console}), without a password
 * store: a one-time link ({@code /<kind>/signin/<token>}, from the admin API or {@code
 * console-link}) is exchanged once for an HttpOnly, SameSite=Strict cookie scoped to {@code
 * /<kind>}, whose session ends after its idle timeout, at its lifetime, or when signed out (the
 * access verticle keeps them, so they hold across processes). Every state-changing request must
 * carry the session's CSRF token (form field {@code csrf} or header {@code X-CSRF-Token}) and must
 * not come from another site ({@code Sec-Fetch-Site}); anything else is 403.
 */
final class WebAccess {

  /** The routing-context key of the signed-in session ({@code user_id}, {@code csrf_token}...). */
  static final String SESSION = "kopek.web.session";

  static final String CSRF_FIELD = "csrf";
  static final String CSRF_HEADER = "X-CSRF-Token";

  private final AccessClient access;
  private final String kind;
  private final long idleMs;
  private final long lifetimeMs;
  private final Supplier<String> publicUrl;

  WebAccess(
      AccessClient access, String kind, long idleMs, long lifetimeMs, Supplier<String> publicUrl) {
    this.access = access;
    this.kind = kind;
    this.idleMs = idleMs;
    this.lifetimeMs = lifetimeMs;
    this.publicUrl = publicUrl;
  }

  /** The {@code portal} or {@code console} settings' idle timeout and lifetime. */
  static WebAccess from(
      AccessClient access,
      JsonObject config,
      String kind,
      long idleDefaultMs,
      long lifetimeDefaultMs,
      Supplier<String> publicUrl) {
    JsonObject section = config.getJsonObject(kind, new JsonObject());
    long idle = section.getLong("idle_timeout_ms", idleDefaultMs);
    long lifetime = section.getLong("lifetime_ms", lifetimeDefaultMs);
    if (idle < 60_000 || idle > 24 * 3600_000L) {
      throw new IllegalArgumentException(
          kind + ".idle_timeout_ms must be between 60000 and 86400000, was " + idle);
    }
    if (lifetime < idle || lifetime > 7 * 24 * 3600_000L) {
      throw new IllegalArgumentException(
          kind
              + ".lifetime_ms must be between "
              + kind
              + ".idle_timeout_ms and 604800000, was "
              + lifetime);
    }
    return new WebAccess(access, kind, idle, lifetime, publicUrl);
  }

  String kind() {
    return kind;
  }

  long idleMs() {
    return idleMs;
  }

  private String cookieName() {
    return "kopek_" + kind;
  }

  private String base() {
    return "/" + kind;
  }

  /**
   * A new one-time link for {@code userId}: {@code {"url","expires_at","user_id"}}.
   *
   * @param createdBy who asked: an administrator's user id or {@code api_key:<id>}
   */
  Future<JsonObject> createLink(String userId, String returnUrl, String createdBy) {
    JsonObject request =
        new JsonObject()
            .put("kind", kind)
            .put("user_id", userId)
            .put("created_by", createdBy)
            .put("idle_ms", idleMs)
            .put("lifetime_ms", lifetimeMs);
    if (returnUrl != null) {
      request.put("return_url", returnUrl);
    }
    return access
        .createWebLink(request)
        .map(
            link ->
                new JsonObject()
                    .put("id", link.getString("id"))
                    .put("object", kind + "_session")
                    .put("user_id", userId)
                    .put("return_url", returnUrl)
                    .put(
                        "url", publicUrl.get() + base() + "/signin/" + link.getString("link_token"))
                    .put("expires_at", link.getString("link_expires_at")));
  }

  /**
   * {@code GET /<kind>/signin/:token}: uses the link and sets the session cookie. The answer is a
   * page that moves on to {@code /<kind>} by itself: a SameSite=Strict cookie set in reply to a
   * navigation from another site (the merchant's, a mail) is not sent on a redirect of that same
   * navigation, but is on one the page starts.
   */
  Handler<RoutingContext> signIn() {
    return ctx -> {
      // The link's secret is in the path: nothing of it may leave in a Referer.
      ctx.response().putHeader("Referrer-Policy", "no-referrer");
      String token = ctx.pathParam("token");
      access
          .redeemWebLink(kind, token)
          .onSuccess(
              session -> {
                Cookie cookie =
                    Cookie.cookie(cookieName(), session.getString("session_token"))
                        .setPath(base())
                        .setHttpOnly(true)
                        .setSecure(secure())
                        .setSameSite(CookieSameSite.STRICT)
                        .setMaxAge(lifetimeMs / 1000);
                ctx.response().addCookie(cookie);
                String nonce = WebPage.nonce();
                WebPage.headers(ctx, nonce)
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .setStatusCode(200)
                    .end(
                        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                            + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                            + "<meta http-equiv=\"refresh\" content=\"0;url="
                            + base()
                            + "\"><title>Signing in</title></head><body>"
                            + "<p><a href=\""
                            + base()
                            + "\">Continue</a></p></body></html>");
              })
          .onFailure(
              error -> {
                Failure failure = Failure.from(error);
                if (failure.code() == ErrorCode.UNAUTHORIZED) {
                  WebPage.message(
                      ctx,
                      403,
                      "This link cannot be used",
                      "<p>The link has been used already, has expired, or is not a link of this"
                          + " site. "
                          + ("portal".equals(kind)
                              ? "Go back to the site that sent you here and open it again for a"
                                  + " new link."
                              : "Ask for a new one with <code>java -jar kopek.jar console-link"
                                  + " --user &lt;your id&gt;</code>.")
                          + "</p>");
                } else {
                  unavailable(ctx);
                }
              });
    };
  }

  /** Whether cookies are for HTTPS only: when Kopek is reached over HTTPS. */
  private boolean secure() {
    return publicUrl.get().startsWith("https://");
  }

  /**
   * The handler in front of every other {@code /<kind>} route: finds the session of the cookie
   * (else a page saying the session is over, 401), checks the CSRF token of state-changing requests
   * (else 403), and puts the session in the context under {@link #SESSION}.
   */
  Handler<RoutingContext> require() {
    return ctx -> {
      Cookie cookie = ctx.request().getCookie(cookieName());
      if (cookie == null) {
        over(ctx);
        return;
      }
      access
          .touchWebSession(kind, cookie.getValue())
          .onSuccess(
              session -> {
                if (!safe(ctx.request().method()) && !sameSite(ctx, session)) {
                  WebPage.message(
                      ctx,
                      403,
                      "Request refused",
                      "<p>The form was not sent from this page (its security token is missing or"
                          + " wrong). Reload the page and try again.</p>");
                  return;
                }
                ctx.put(SESSION, session);
                ctx.next();
              })
          .onFailure(
              error -> {
                if (Failure.from(error).code() == ErrorCode.UNAUTHORIZED) {
                  over(ctx);
                } else {
                  unavailable(ctx);
                }
              });
    };
  }

  /** {@code POST /<kind>/signout}: ends the session and drops the cookie. */
  Handler<RoutingContext> signOut() {
    return ctx -> {
      JsonObject session = ctx.get(SESSION);
      Cookie cookie = ctx.request().getCookie(cookieName());
      access
          .endWebSession(cookie.getValue())
          .onComplete(
              done -> {
                ctx.response()
                    .addCookie(
                        Cookie.cookie(cookieName(), "")
                            .setPath(base())
                            .setHttpOnly(true)
                            .setSecure(secure())
                            .setSameSite(CookieSameSite.STRICT)
                            .setMaxAge(0));
                String back = session == null ? null : session.getString("return_url");
                WebPage.message(
                    ctx,
                    200,
                    "Signed out",
                    "<p>You have signed out.</p>"
                        + (back == null
                            ? ""
                            : "<p><a class=\"button\" href=\""
                                + dev.kopek.gateway.spi.PageText.html(back)
                                + "\">Back to the site</a></p>"));
              });
    };
  }

  private static boolean safe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD;
  }

  /**
   * Whether a state-changing request comes from a page of the session: not from another site (the
   * browser's {@code Sec-Fetch-Site}, when sent), carrying the session's CSRF token.
   */
  private static boolean sameSite(RoutingContext ctx, JsonObject session) {
    String site = ctx.request().getHeader("Sec-Fetch-Site");
    if (site != null && !"same-origin".equals(site)) {
      return false;
    }
    String sent = ctx.request().getHeader(CSRF_HEADER);
    if (sent == null) {
      sent = ctx.request().getFormAttribute(CSRF_FIELD);
    }
    return sent != null
        && MessageDigest.isEqual(
            sent.getBytes(StandardCharsets.UTF_8),
            session.getString("csrf_token").getBytes(StandardCharsets.UTF_8));
  }

  private void over(RoutingContext ctx) {
    WebPage.message(
        ctx,
        401,
        "Your session has ended",
        "portal".equals(kind)
            ? "<p>For your security, this page needs a fresh link: go back to the site that"
                + " sent you here and open it again.</p>"
            : "<p>Sign in again with a new link: <code>java -jar kopek.jar console-link --user"
                + " &lt;your id&gt;</code>.</p>");
  }

  private static void unavailable(RoutingContext ctx) {
    ctx.response().putHeader("Retry-After", Problems.RETRY_AFTER_SECONDS);
    WebPage.message(
        ctx,
        503,
        "Try again in a moment",
        "<p>Kopek cannot reach its database right now. Reload the page in a few seconds.</p>");
  }

  /** The hidden form field every state-changing form of a session's pages carries. */
  static String csrfField(RoutingContext ctx) {
    JsonObject session = ctx.get(SESSION);
    return "<input type=\"hidden\" name=\""
        + CSRF_FIELD
        + "\" value=\""
        + dev.kopek.gateway.spi.PageText.html(session.getString("csrf_token"))
        + "\">";
  }

  /**
   * The attribute that makes htmx send the CSRF token with its requests, for the page's body
   * element.
   */
  static String htmxHeaders(RoutingContext ctx) {
    JsonObject session = ctx.get(SESSION);
    return "hx-headers='{\"" + CSRF_HEADER + "\": \"" + session.getString("csrf_token") + "\"}'";
  }
}
