package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real (headless) Chromium: signing in with a one-time link, the
 * overview's figures against the API's, a refund from a user's page that debits once however often
 * it is confirmed, CSRF refusals, signing out, and screenshots of every page at 1280 and 390 px
 * (under {@code target/screenshots/}; a failing test leaves one of its page too).
 */
@DisplayName("The operator console in a real browser")
@Timeout(90)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String SECRET = "console-browser-test-secret-of-48-bytes-length!";
  private static final Duration PAGE_WAIT = Duration.ofSeconds(20);
  private static final long TOPUP = 2000;
  private static final String EXPIRY =
      YearMonth.now().plusYears(2).format(DateTimeFormatter.ofPattern("MM/yy"));

  @TempDir static Path dataDir;

  @TempDir static Path browserProfile;

  private static Kopek kopek;
  private static ApiClient api;
  private static String admin;
  private static String alice;
  private static String topupId;
  private static Chromium chromium;
  private static WebDriver browser;

  @RegisterExtension
  static final TestWatcher SCREENSHOT_ON_FAILURE =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (browser != null) {
            screenshot("failed-" + context.getRequiredTestMethod().getName());
          }
        }
      };

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    if (!Files.isExecutable(Chromium.CHROMEDRIVER) || !Files.isExecutable(Chromium.CHROMIUM)) {
      fail(
          "The console browser tests need Chromium and its driver at "
              + Chromium.CHROMIUM
              + " and "
              + Chromium.CHROMEDRIVER
              + ". Install the Debian packages: apt-get install chromium chromium-driver");
    }
    kopek =
        Kopek.start(
            Main.loadConfig(
                null,
                Map.of(
                    "KOPEK_DATA_DIR",
                    dataDir.toString(),
                    "KOPEK_HTTP_PORT",
                    "0",
                    "KOPEK_JWT_SECRET",
                    SECRET)));
    api = new ApiClient(kopek.httpPort());
    Tokens tokens = Tokens.signedWith(api.vertx(), SECRET);
    admin = tokens.admin("ops");
    alice = tokens.user("alice");

    chromium = Chromium.start(browserProfile, true);
    browser = chromium.driver();
    Files.createDirectories(SCREENSHOTS);
    try (var old = Files.newDirectoryStream(SCREENSHOTS, "failed-*.png")) {
      for (Path shot : old) {
        Files.delete(shot);
      }
    }

    // Data for the pages: a credit, a charge, a paid top-up, a plan and a subscription.
    post(admin, "/v1/admin/adjustments", json("user_id", "alice", "amount_minor", 10000L), 201);
    post(
        alice,
        "/v1/charges",
        new JsonObject()
            .put("amount_minor", 499)
            .put("currency", "USD")
            .put("reason", "Order 17")
            .put("reference", "order-17"),
        201);
    JsonObject topup =
        post(
            alice,
            "/v1/topups",
            new JsonObject().put("amount_minor", TOPUP).put("currency", "USD"),
            201);
    topupId = topup.getString("id");
    browser.get(topup.getString("checkout_url"));
    new WebDriverWait(browser, PAGE_WAIT)
        .until(ExpectedConditions.elementToBeClickable(By.id("pay")));
    browser.findElement(By.id("card-number")).sendKeys("4242 4242 4242 4242");
    browser.findElement(By.id("card-expiry")).sendKeys(EXPIRY);
    browser.findElement(By.id("card-cvc")).sendKeys("123");
    browser.findElement(By.id("pay")).click();
    new WebDriverWait(browser, PAGE_WAIT)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#status[data-status=succeeded]")));
    post(
        admin,
        "/v1/admin/plans",
        new JsonObject()
            .put("code", "pro")
            .put("name", "Pro")
            .put("price_minor", 120)
            .put("currency", "USD")
            .put("period", "PT1H"),
        201);
    post(alice, "/v1/subscriptions", new JsonObject().put("plan", "pro"), 201);
  }

  @AfterAll
  @Timeout(60)
  static void stop() throws Exception {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      try {
        if (api != null) {
          api.close();
        }
      } finally {
        if (kopek != null) {
          kopek.stop();
        }
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName("a console link signs in once; a second use of it is refused")
  void linkSignsInOnce() throws Exception {
    String link = post(admin, "/v1/admin/console_links", new JsonObject(), 201).getString("url");

    browser.get(link);
    waitFor("#main h1");
    assertThat(URI.create(browser.getCurrentUrl()).getPath()).isEqualTo("/console");
    assertThat(browser.findElement(By.cssSelector("#main h1")).getText()).isEqualTo("Overview");
    assertThat(browser.findElement(By.cssSelector("header.top")).getText()).contains("ops");

    HttpResponse<Buffer> again = api.get(URI.create(link).getPath(), null);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.bodyAsString()).contains("This link cannot be used");
  }

  @Test
  @Order(2)
  @DisplayName("the overview's figures are the API's for the same data; Verify now records a run")
  void overviewMatchesTheApi() throws Exception {
    browser.get(base() + "/console");
    waitFor("#figures");
    JsonArray entries = get(admin, "/v1/admin/transactions?limit=100").getJsonArray("data");
    long revenue = 0;
    for (Object item : entries) {
      JsonObject entry = (JsonObject) item;
      if ("charge".equals(entry.getString("kind")) || "billing".equals(entry.getString("kind"))) {
        revenue -= entry.getLong("amount_minor");
      }
    }
    assertThat(revenue).isGreaterThanOrEqualTo(499);
    assertThat(figure("#figures tr[data-currency=USD] [data-figure=revenue]")).isEqualTo(revenue);
    JsonObject paid = get(alice, "/v1/topups/" + topupId);
    assertThat(paid.getString("status")).isEqualTo("succeeded");
    assertThat(figure("#figures tr[data-currency=USD] [data-figure=topups]"))
        .isEqualTo(paid.getLong("amount_minor"));
    long active =
        get(alice, "/v1/subscriptions").getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .filter(s -> "active".equals(s.getString("status")))
            .count();
    assertThat(
            Long.parseLong(
                browser
                    .findElement(By.cssSelector("[data-figure=active-subscriptions]"))
                    .getText()))
        .isEqualTo(active)
        .isEqualTo(1);
    assertThat(browser.findElements(By.cssSelector("[data-chart=USD] canvas"))).isNotEmpty();

    assertThat(browser.findElement(By.id("verify-status")).getAttribute("data-verify"))
        .isEqualTo("never");
    browser.findElement(By.id("verify-now")).click();
    new WebDriverWait(browser, PAGE_WAIT)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#verify-status[data-verify=ok]")));
    JsonObject verified = get(admin, "/v1/admin/ledger/verify");
    assertThat(verified.getBoolean("ok")).isTrue();
    assertThat(browser.findElement(By.id("verify-status")).getText())
        .contains(verified.getLong("entries_checked") + " entries");
  }

  @Test
  @Order(2)
  @DisplayName("the users page lists users by balance, and opens one by id")
  void users() {
    browser.get(base() + "/console/users?currency=USD&sort=-balance");
    WebElement alice = waitFor("#users tr[data-user=alice]");
    assertThat(alice.getText()).contains("USD");
    // The prefix search narrows the list as one types (htmx swaps the list in).
    browser.findElement(By.id("prefix")).sendKeys("zz");
    new WebDriverWait(browser, PAGE_WAIT)
        .until(
            ExpectedConditions.numberOfElementsToBe(By.cssSelector("#user-list tr[data-user]"), 0));
    WebElement prefix = browser.findElement(By.id("prefix"));
    prefix.clear();
    prefix.sendKeys("ali");
    waitFor("#user-list tr[data-user=alice]");
    assertThat(browser.getCurrentUrl()).contains("prefix=ali");
    WebElement box = browser.findElement(By.id("q"));
    box.sendKeys("alice");
    box.submit();
    waitFor("#wallets");
    assertThat(URI.create(browser.getCurrentUrl()).getPath()).isEqualTo("/console/users/alice");
  }

  @Test
  @Order(3)
  @DisplayName(
      "a refund from the user's page asks for confirmation; confirming it with a double click"
          + " refunds once, and the audit log names the administrator")
  void refundOnce() throws Exception {
    long before = get(alice, "/v1/wallets/USD").getLong("balance_minor");
    browser.get(base() + "/console/users/alice");
    WebElement row = waitFor("tr[data-topup='" + topupId + "']");
    row.findElement(By.cssSelector("button[type=submit]")).click();
    waitFor("#confirm");
    assertThat(browser.findElement(By.id("confirm-what")).getText())
        .contains("Refund 20.00 USD of top-up " + topupId);
    screenshot("console-refund-confirm-1280");

    new Actions(browser).doubleClick(browser.findElement(By.id("confirm"))).perform();
    WebElement outcome = waitFor("#outcome");
    assertThat(outcome.getAttribute("data-outcome")).isEqualTo("ok");

    assertThat(get(alice, "/v1/wallets/USD").getLong("balance_minor")).isEqualTo(before - TOPUP);
    long refunds =
        get(admin, "/v1/admin/transactions?user_id=alice&kind=refund&limit=100")
            .getJsonArray("data")
            .size();
    assertThat(refunds).isEqualTo(1);
    JsonObject refunded = get(alice, "/v1/topups/" + topupId);
    assertThat(refunded.getLong("refunded_minor")).isEqualTo(TOPUP);

    // The page no longer offers a refund of it: it is refunded in full.
    browser.get(base() + "/console/users/alice");
    assertThat(
            waitFor("tr[data-topup='" + topupId + "']")
                .findElements(By.cssSelector("button[type=submit]")))
        .isEmpty();

    JsonArray audit =
        get(admin, "/v1/admin/audit?actor=ops&action=" + enc("POST /v1/admin/topups/{id}/refund"))
            .getJsonArray("data");
    assertThat(audit).isNotEmpty();
    JsonObject entry = audit.getJsonObject(0);
    assertThat(entry.getJsonObject("targets").getString("id")).isEqualTo(topupId);
    assertThat(entry.getJsonObject("targets").getString("via")).isEqualTo("console");
  }

  @Test
  @Order(4)
  @DisplayName(
      "a form post with the session's cookie but without its CSRF token, or from another site,"
          + " is refused with 403 and changes nothing")
  void crossSitePostsAreRefused() throws Exception {
    browser.get(base() + "/console/users/alice");
    waitFor("#main h1");
    String cookie = browser.manage().getCookieNamed("kopek_console").getValue();
    long before = get(alice, "/v1/wallets/USD").getLong("balance_minor");
    String form =
        "idempotency_key=" + UUID.randomUUID() + "&amount=5.00&currency=USD&reason=forged";
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest noToken =
        HttpRequest.newBuilder(URI.create(base() + "/console/users/alice/adjustment/confirm"))
            .header("Cookie", "kopek_console=" + cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    assertThat(http.send(noToken, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(403);

    // The right token, but the browser says the form came from another site.
    String csrf = waitFor("form[action$='/adjustment'] input[name=csrf]").getAttribute("value");
    HttpRequest crossSite =
        HttpRequest.newBuilder(URI.create(base() + "/console/users/alice/adjustment/confirm"))
            .header("Cookie", "kopek_console=" + cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Sec-Fetch-Site", "cross-site")
            .POST(HttpRequest.BodyPublishers.ofString(form + "&csrf=" + enc(csrf)))
            .build();
    assertThat(
            http.send(crossSite, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(403);
    assertThat(get(alice, "/v1/wallets/USD").getLong("balance_minor")).isEqualTo(before);
  }

  @Test
  @Order(5)
  @DisplayName("every console page renders, at 1280 and at 390 px wide (screenshots)")
  void screenshots() throws Exception {
    Map<String, String> pages =
        new java.util.LinkedHashMap<>(
            Map.of(
                "overview", "/console",
                "users", "/console/users",
                "user", "/console/users/alice",
                "plans", "/console/plans",
                "payments", "/console/payments",
                "webhooks", "/console/webhooks",
                "audit", "/console/audit"));
    for (int width : new int[] {1280, 390}) {
      browser.manage().window().setSize(new Dimension(width, width == 1280 ? 1100 : 900));
      for (Map.Entry<String, String> page : pages.entrySet()) {
        browser.get(base() + page.getValue());
        waitFor("#main h1");
        assertThat(browser.getTitle()).endsWith("· Console");
        // Nothing wider than the window but tables, which scroll inside their cards.
        Number overflow =
            (Number)
                ((org.openqa.selenium.JavascriptExecutor) browser)
                    .executeScript(
                        "return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow.longValue()).as(page.getKey() + " at " + width).isLessThanOrEqualTo(0);
        Path shot = screenshot("console-" + page.getKey() + "-" + width);
        if (width == 1280 && "overview".equals(page.getKey())) {
          Files.copy(shot, SCREENSHOTS.resolve("console.png"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    browser.manage().window().setSize(new Dimension(1280, 900));
  }

  @Test
  @Order(6)
  @DisplayName("signing out ends the session: the console then asks for a new link")
  void signOutEndsTheSession() throws Exception {
    browser.get(base() + "/console");
    waitFor("header.top form[action='/console/signout'] button").click();
    WebElement title = waitFor("main h1");
    assertThat(title.getText()).isEqualTo("Signed out");
    browser.get(base() + "/console/users/alice");
    assertThat(waitFor("main h1").getText()).isEqualTo("Your session has ended");
  }

  private static String base() {
    return "http://127.0.0.1:" + kopek.httpPort();
  }

  private static WebElement waitFor(String css) {
    return new WebDriverWait(browser, PAGE_WAIT)
        .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
  }

  private static long figure(String css) {
    return Long.parseLong(browser.findElement(By.cssSelector(css)).getAttribute("data-minor"));
  }

  private static Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
      Files.write(file, png);
      return file;
    } catch (Exception e) {
      throw new IllegalStateException("screenshot " + name + " failed", e);
    }
  }

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static JsonObject json(String user, String userId, String amount, long minor) {
    return new JsonObject()
        .put(user, userId)
        .put(amount, minor)
        .put("currency", "USD")
        .put("reason", "Welcome credit");
  }

  private static JsonObject post(String token, String path, JsonObject body, int status)
      throws Exception {
    HttpResponse<Buffer> response = api.post(path, token, UUID.randomUUID().toString(), body);
    assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  private static JsonObject get(String token, String path) throws Exception {
    HttpResponse<Buffer> response = api.get(path, token);
    assertThat(response.statusCode()).as(path + ": " + response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }
}
