package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Signing in to the console and the portal over HTTP: links from the admin API, the cookie, CSRF,
 * sign-out, and who may ask for links.
 */
@DisplayName("Pages: sign-in links, session cookies and CSRF")
@Timeout(120)
class WebAccessTest {

  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  private static ApiFixture api;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    admin = api.tokens.admin("root");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static String pathOf(JsonObject link) {
    return URI.create(link.getString("url")).getRawPath();
  }

  private static HttpResponse<Buffer> page(HttpMethod method, String path, String cookie)
      throws Exception {
    HttpRequest<Buffer> request = api.client.request(method, path);
    if (cookie != null) {
      request.putHeader("Cookie", cookie);
    }
    return request.send().await(60, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> form(String path, String cookie, String body, String site)
      throws Exception {
    HttpRequest<Buffer> request =
        api.client
            .request(HttpMethod.POST, path)
            .putHeader("Content-Type", "application/x-www-form-urlencoded");
    if (cookie != null) {
      request.putHeader("Cookie", cookie);
    }
    if (site != null) {
      request.putHeader("Sec-Fetch-Site", site);
    }
    return request.sendBuffer(Buffer.buffer(body)).await(60, TimeUnit.SECONDS);
  }

  /** The cookie a sign-in answer sets, as a Cookie header value. */
  private static String cookieOf(HttpResponse<Buffer> signedIn, String name) {
    List<String> cookies = signedIn.cookies();
    String set = cookies.stream().filter(c -> c.startsWith(name + "=")).findFirst().orElseThrow();
    return set.substring(0, set.indexOf(';'));
  }

  @Test
  @DisplayName(
      "console: the link signs in once, the cookie is HttpOnly, SameSite=Strict and scoped;"
          + " forms need the CSRF token; sign-out ends the session")
  void consoleSignIn() throws Exception {
    HttpResponse<Buffer> created =
        api.post("/v1/admin/console_links", admin, null, new JsonObject());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject link = created.bodyAsJsonObject();
    assertThat(link.getString("object")).isEqualTo("console_session");
    assertThat(link.getString("user_id")).isEqualTo("root");
    assertThat(pathOf(link)).startsWith("/console/signin/");

    HttpResponse<Buffer> signedIn = page(HttpMethod.GET, pathOf(link), null);
    assertThat(signedIn.statusCode()).isEqualTo(200);
    assertThat(signedIn.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
    String set =
        signedIn.cookies().stream().filter(c -> c.startsWith("kopek_console=")).findFirst().get();
    assertThat(set.toLowerCase()).contains("httponly");
    assertThat(set).contains("SameSite=Strict").contains("Path=/console");
    assertThat(signedIn.bodyAsString()).contains("url=/console");
    String cookie = cookieOf(signedIn, "kopek_console");

    // Once only.
    HttpResponse<Buffer> again = page(HttpMethod.GET, pathOf(link), null);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.bodyAsString()).contains("This link cannot be used");
    assertThat(again.cookies()).isEmpty();

    HttpResponse<Buffer> overview = page(HttpMethod.GET, "/console", cookie);
    assertThat(overview.statusCode()).isEqualTo(200);
    assertThat(overview.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(overview.getHeader("Content-Security-Policy"))
        .contains("script-src 'nonce-")
        .doesNotContain("unsafe-inline")
        .contains("frame-ancestors 'none'");
    Matcher csrf = CSRF.matcher(overview.bodyAsString());
    assertThat(csrf.find()).isTrue();
    String token = csrf.group(1);

    // Without the token, with a wrong one, or from another site: refused, still signed in.
    assertThat(form("/console/signout", cookie, "", null).statusCode()).isEqualTo(403);
    assertThat(form("/console/signout", cookie, "csrf=wrong", null).statusCode()).isEqualTo(403);
    assertThat(form("/console/signout", cookie, "csrf=" + token, "cross-site").statusCode())
        .isEqualTo(403);
    assertThat(page(HttpMethod.GET, "/console", cookie).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> out = form("/console/signout", cookie, "csrf=" + token, "same-origin");
    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(out.bodyAsString()).contains("Signed out");
    assertThat(out.cookies().get(0)).startsWith("kopek_console=;").contains("Max-Age=0");
    HttpResponse<Buffer> after = page(HttpMethod.GET, "/console", cookie);
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(after.bodyAsString()).contains("Your session has ended");
  }

  @Test
  @DisplayName(
      "portal: a link for one user shows that user's balance; its cookie does not open the"
          + " console; no cookie, no page")
  void portalSignIn() throws Exception {
    api.credit("web-alice", 12_345, "USD");
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/portal_sessions",
            admin,
            null,
            new JsonObject()
                .put("user_id", "web-alice")
                .put("return_url", "https://shop.example.com/account"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject link = created.bodyAsJsonObject();
    assertThat(link.getString("object")).isEqualTo("portal_session");
    assertThat(link.getString("return_url")).isEqualTo("https://shop.example.com/account");
    HttpResponse<Buffer> signedIn = page(HttpMethod.GET, pathOf(link), null);
    String cookie = cookieOf(signedIn, "kopek_portal");
    HttpResponse<Buffer> home = page(HttpMethod.GET, "/portal", cookie);
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.bodyAsString())
        .contains("data-balance-minor=\"12345\"")
        .contains("https://shop.example.com/account");

    String asConsole = cookie.replace("kopek_portal=", "kopek_console=");
    assertThat(page(HttpMethod.GET, "/console", asConsole).statusCode()).isEqualTo(401);
    assertThat(page(HttpMethod.GET, "/portal", null).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName(
      "who may ask for links: users:write keys for the portal, no key for the console, no user"
          + " for either; bad bodies name the field")
  void whoMayAsk() throws Exception {
    HttpResponse<Buffer> made =
        api.post(
            "/v1/admin/api_keys",
            admin,
            null,
            new JsonObject()
                .put("name", "backend")
                .put("scopes", new JsonArray(List.of("users:write", "admin:write"))));
    String key = made.bodyAsJsonObject().getString("key");
    HttpResponse<Buffer> adminOnly =
        api.post(
            "/v1/admin/api_keys",
            admin,
            null,
            new JsonObject()
                .put("name", "ops")
                .put("scopes", new JsonArray(List.of("admin:write"))));
    String opsKey = adminOnly.bodyAsJsonObject().getString("key");

    JsonObject body = new JsonObject().put("user_id", "web-bob");
    assertThat(api.post("/v1/admin/portal_sessions", key, null, body).statusCode()).isEqualTo(201);
    assertThat(api.post("/v1/admin/portal_sessions", opsKey, null, body).statusCode())
        .isEqualTo(403);
    assertThat(api.post("/v1/admin/console_links", key, null, new JsonObject()).statusCode())
        .isEqualTo(403);
    String user = api.tokens.user("web-bob");
    assertThat(api.post("/v1/admin/portal_sessions", user, null, body).statusCode()).isEqualTo(403);
    assertThat(api.post("/v1/admin/console_links", user, null, new JsonObject()).statusCode())
        .isEqualTo(403);

    HttpResponse<Buffer> bad =
        api.post(
            "/v1/admin/portal_sessions",
            admin,
            null,
            new JsonObject().put("user_id", "web-bob").put("return_url", "ftp://x"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("return_url");
  }

  @Test
  @DisplayName("/docs is Swagger UI over the served contract, its scripts under the page's nonce")
  void apiDocs() throws Exception {
    HttpResponse<Buffer> docs = page(HttpMethod.GET, "/docs", null);
    assertThat(docs.statusCode()).isEqualTo(200);
    assertThat(docs.bodyAsString()).contains("SwaggerUIBundle({url: '/openapi.yaml'");
    assertThat(docs.getHeader("Content-Security-Policy")).contains("script-src 'nonce-");
    HttpResponse<Buffer> bundle =
        page(HttpMethod.GET, ApiDocs.SWAGGER + "swagger-ui-bundle.js", null);
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.body().length()).isGreaterThan(100_000);
    HttpResponse<Buffer> htmx = page(HttpMethod.GET, WebPage.HTMX, null);
    assertThat(htmx.statusCode()).isEqualTo(200);
    assertThat(htmx.getHeader("Cache-Control")).contains("max-age=31536000");
    assertThat(page(HttpMethod.GET, WebPage.UPLOT_JS, null).statusCode()).isEqualTo(200);
  }
}
