package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The customer portal in a real (headless) Chromium, as a user opens it from a merchant's link: the
 * balance and chart match the API, a top-up paid with the sandbox's 4242 card credits once and
 * comes back to the portal, a subscription is cancelled from it, refused links, and one user's link
 * never shows another's data. Each page is photographed at 1280 and 390 px wide under {@code
 * target/screenshots/}, and a failing test leaves a picture of where it stopped.
 */
@DisplayName("The customer portal in a real browser")
@Timeout(90)
class PortalBrowserTest {

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String SECRET = "portal-browser-test-secret-of-48-bytes-length!!!";
  private static final Duration PAGE_WAIT = Duration.ofSeconds(20);
  private static final String MERCHANT = "Acme Cloud";
  private static final String EXPIRY =
      YearMonth.now().plusYears(2).format(DateTimeFormatter.ofPattern("MM/yy"));

  @TempDir static Path dataDir;

  @TempDir static Path browserProfile;

  private static Kopek kopek;
  private static ApiClient api;
  private static Tokens tokens;
  private static String admin;
  private static Chromium chromium;
  private static ChromeDriver browser;

  /** A failing test leaves a screenshot of the page it stopped on. */
  @RegisterExtension
  static final TestWatcher SCREENSHOT_ON_FAILURE =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (browser != null) {
            try {
              screenshot("FAILED-" + context.getRequiredTestMethod().getName(), 1280);
            } catch (RuntimeException | java.io.IOException ignored) {
              // The failure itself is what matters.
            }
          }
        }
      };

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    if (!Files.isExecutable(Chromium.CHROMEDRIVER) || !Files.isExecutable(Chromium.CHROMIUM)) {
      fail(
          "The portal browser tests need Chromium and its driver at "
              + Chromium.CHROMIUM
              + " and "
              + Chromium.CHROMEDRIVER
              + ". Install the Debian packages: apt-get install chromium chromium-driver");
    }
    JsonObject config =
        Main.loadConfig(
            null,
            Map.of(
                "KOPEK_DATA_DIR",
                dataDir.toString(),
                "KOPEK_HTTP_PORT",
                "0",
                "KOPEK_JWT_SECRET",
                SECRET));
    config.put("branding", new JsonObject().put("name", MERCHANT));
    kopek = Kopek.start(config);
    api = new ApiClient(kopek.httpPort());
    tokens = Tokens.signedWith(api.vertx(), SECRET);
    admin = tokens.admin("root");
    for (String[] plan : new String[][] {{"pro", "Pro", "120"}, {"basic", "Basic", "45"}}) {
      HttpResponse<Buffer> created =
          api.post(
              "/v1/admin/plans",
              admin,
              null,
              new JsonObject()
                  .put("code", plan[0])
                  .put("name", plan[1])
                  .put("price_minor", Long.parseLong(plan[2]))
                  .put("currency", "USD")
                  .put("period", "PT1H"));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    }
    Files.createDirectories(SCREENSHOTS);

    chromium = Chromium.start(browserProfile, true);
    browser = chromium.driver();
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
  @DisplayName(
      "a portal link opens the user's portal: the balance is the API's, the chart has one point"
          + " per entry, every page renders without a policy violation (screenshots at 1280 and 390"
          + " px)")
  void portalShowsTheUsersAccount() throws Exception {
    String user = "pb-alice";
    credit(user, 5_000, "Welcome credit");
    charge(user, 499, "Order 17");
    charge(user, 120, "API usage");
    credit(user, 2_500, "Goodwill");
    subscribe(user, "pro");

    browserLog();
    signIn(user);
    WebElement balance =
        browser.findElement(By.cssSelector(".wallet[data-currency=USD] [data-balance-minor]"));
    assertThat(Long.parseLong(balance.getAttribute("data-balance-minor")))
        .isEqualTo(apiBalance(user));
    assertThat(balance.getText()).isEqualTo("68.81 USD");
    assertThat(browser.findElement(By.cssSelector(".wallet[data-currency=USD] .runway")).getText())
        .startsWith("Covers your subscriptions for ");
    assertThat(browser.findElement(By.cssSelector("header .brand")).getText()).isEqualTo(MERCHANT);
    assertThat(browser.findElement(By.id("back")).getAttribute("href"))
        .isEqualTo("https://shop.example.com/account");

    // One point per ledger entry of the range, oldest first, ending at the balance.
    browser.get(base() + "/portal?range=all");
    waitFor(By.id("chart-USD"));
    JsonArray entries = apiTransactions(user);
    Object points =
        new WebDriverWait(browser, PAGE_WAIT)
            .until(
                b ->
                    ((JavascriptExecutor) b)
                        .executeScript(
                            "var c = window.kopekCharts && window.kopekCharts.USD;"
                                + " return c ? c.data[0].length : null;"));
    assertThat(((Number) points).intValue()).isEqualTo(entries.size());
    JsonObject data =
        new JsonObject(browser.findElement(By.id("chart-data-USD")).getAttribute("textContent"));
    assertThat(data.getJsonArray("ids").stream().map(id -> ((Number) id).longValue()).toList())
        .containsExactlyElementsOf(
            entries.stream().map(e -> ((JsonObject) e).getLong("id")).sorted().toList());
    assertThat(data.getJsonArray("y").getValue(entries.size() - 1).toString()).isEqualTo("68.81");
    assertThat(browser.findElements(By.cssSelector("#chart-USD canvas"))).isNotEmpty();
    screenshots("portal-balance");

    browser.findElement(By.linkText("Transactions")).click();
    waitFor(By.id("tx-table"));
    assertThat(browser.findElements(By.cssSelector("#tx-table tbody tr"))).hasSize(entries.size());
    // Filtering through htmx swaps the table in place.
    new Select(browser.findElement(By.id("f-kind"))).selectByValue("charge");
    browser.findElement(By.cssSelector("#filters button[type=submit]")).click();
    new WebDriverWait(browser, PAGE_WAIT)
        .until(b -> b.findElements(By.cssSelector("#tx-table tbody tr")).size() == 2);
    assertThat(browser.getCurrentUrl()).contains("kind=charge");
    assertThat(browser.findElement(By.id("csv")).getAttribute("href"))
        .endsWith("/portal/transactions.csv?kind=charge");
    screenshots("portal-transactions");

    browser.findElement(By.linkText("Subscriptions")).click();
    waitFor(By.cssSelector(".subscription[data-status=active]"));
    assertThat(browser.findElement(By.cssSelector(".subscription h2")).getText()).startsWith("Pro");
    screenshots("portal-subscriptions");

    assertThat(browserLog())
        .extracting(LogEntry::getMessage)
        .noneMatch(message -> message.contains("Content Security Policy"));
  }

  @Test
  @DisplayName(
      "a top-up from the portal paid with 4242 4242 4242 4242 comes back to the portal and raises"
          + " the balance exactly once")
  void topUpFromThePortal() throws Exception {
    String user = "pb-topup";
    credit(user, 1_000, "Welcome credit");
    long before = apiBalance(user);
    signIn(user);
    browser.findElement(By.id("topup-amount")).sendKeys("25.50");
    new Select(browser.findElement(By.id("topup-currency"))).selectByVisibleText("USD");
    browser.findElement(By.id("topup-submit")).click();

    new WebDriverWait(browser, PAGE_WAIT)
        .until(ExpectedConditions.elementToBeClickable(By.id("pay")));
    assertThat(browser.getCurrentUrl()).contains("/checkout/");
    assertThat(browser.findElement(By.id("merchant")).getText()).isEqualTo(MERCHANT);
    assertThat(browser.findElement(By.cssSelector(".amount")).getText()).isEqualTo("25.50 USD");
    screenshots("checkout");
    browser.findElement(By.id("card-number")).sendKeys("4242 4242 4242 4242");
    browser.findElement(By.id("card-expiry")).sendKeys(EXPIRY);
    browser.findElement(By.id("card-cvc")).sendKeys("123");
    browser.findElement(By.id("pay")).click();

    // The sandbox's form goes on to the top-up's return address: the portal.
    new WebDriverWait(browser, PAGE_WAIT)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("[data-balance-minor='" + (before + 2550) + "']")));
    assertThat(browser.getCurrentUrl()).isEqualTo(base() + "/portal");
    assertThat(apiBalance(user)).isEqualTo(before + 2550);
    JsonArray topups =
        api.get("/v1/topups", tokens.user(user)).bodyAsJsonObject().getJsonArray("data");
    assertThat(topups).hasSize(1);
    String id = topups.getJsonObject(0).getString("id");
    assertThat(topups.getJsonObject(0).getString("status")).isEqualTo("succeeded");
    // Going back and reloading the portal repeats nothing; the provider's webhook credits nothing
    // more.
    browser.navigate().refresh();
    Thread.sleep(1500);
    assertThat(apiBalance(user)).isEqualTo(before + 2550);
    assertThat(
            apiTransactions(user).stream()
                .map(JsonObject.class::cast)
                .filter(e -> id.equals(e.getString("reference")))
                .count())
        .isEqualTo(1);
  }

  @Test
  @DisplayName("a subscription is cancelled from the portal, once")
  void cancelFromThePortal() throws Exception {
    String user = "pb-cancel";
    credit(user, 10_000, "Welcome credit");
    String id = subscribe(user, "pro");
    signIn(user);
    browser.findElement(By.linkText("Subscriptions")).click();
    waitFor(By.id("sub-" + id));
    new Select(browser.findElement(By.id("plan-" + id))).selectByValue("basic");
    browser.findElement(By.cssSelector("#sub-" + id + " form.change button")).click();
    waitFor(By.id("notice"));
    assertThat(subscription(user, id).getString("plan")).isEqualTo("basic");

    browser.findElement(By.cssSelector("#sub-" + id + " details.cancel summary")).click();
    browser.findElement(By.cssSelector("#sub-" + id + " form.cancel button")).click();
    waitFor(By.id("notice"));
    assertThat(browser.findElement(By.id("notice")).getText())
        .isEqualTo("Your subscription was cancelled.");
    assertThat(subscription(user, id).getString("status")).isEqualTo("cancelled");
    assertThat(browser.findElements(By.cssSelector(".subscription[data-status=active]"))).isEmpty();
  }

  @Test
  @DisplayName(
      "a used, made-up or console link is refused; one user's link never shows another user's"
          + " data")
  void refusedLinksAndOtherUsers() throws Exception {
    credit("pb-carol", 7_777, "Carol's credit");
    String carolSub = subscribe("pb-carol", "pro");
    credit("pb-dave", 333, "Dave's credit");

    String link = link("pb-carol");
    browser.get(link);
    waitFor(By.cssSelector("[data-balance-minor]"));
    browser.get(link);
    assertThat(browser.findElement(By.tagName("h1")).getText())
        .isEqualTo("This link cannot be used");
    browser.get(base() + "/portal/signin/" + "x".repeat(20) + "." + "y".repeat(43));
    assertThat(browser.findElement(By.tagName("h1")).getText())
        .isEqualTo("This link cannot be used");
    HttpResponse<Buffer> console =
        api.post("/v1/admin/console_links", admin, null, new JsonObject());
    String consoleUrl = console.bodyAsJsonObject().getString("url");
    browser.get(consoleUrl.replace("/console/signin/", "/portal/signin/"));
    assertThat(browser.findElement(By.tagName("h1")).getText())
        .isEqualTo("This link cannot be used");
    screenshots("portal-refused");

    signIn("pb-dave");
    for (String path :
        List.of("/portal?range=all", "/portal/transactions", "/portal/subscriptions")) {
      browser.get(base() + path);
      String text = browser.findElement(By.tagName("main")).getText();
      String source = browser.getPageSource();
      assertThat(text).doesNotContain("77.77").doesNotContain("Carol");
      assertThat(source).doesNotContain(carolSub).doesNotContain("77.77");
    }
    assertThat(browser.findElement(By.cssSelector("body")).getText())
        .contains("You have no active subscriptions");
  }

  @Test
  @DisplayName(
      "checkout: after a decline the payer tries another card on the spot and pays once; the"
          + " result stays in view; without a return address the success page says it can be"
          + " closed")
  void anotherCardAfterADecline() throws Exception {
    String user = "pb-decline";
    long before = apiBalance(user);
    HttpResponse<Buffer> created =
        api.post(
            "/v1/topups",
            tokens.user(user),
            UUID.randomUUID().toString(),
            new JsonObject().put("amount_minor", 1500).put("currency", "USD"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String firstId = created.bodyAsJsonObject().getString("id");
    String firstCheckout = created.bodyAsJsonObject().getString("checkout_url");
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 720));
    try {
      browser.get(created.bodyAsJsonObject().getString("checkout_url"));
      new WebDriverWait(browser, PAGE_WAIT)
          .until(ExpectedConditions.elementToBeClickable(By.id("pay")));
      browser.findElement(By.id("card-number")).sendKeys("4000 0000 0000 0002");
      browser.findElement(By.id("card-expiry")).sendKeys(EXPIRY);
      browser.findElement(By.id("card-cvc")).sendKeys("123");
      browser.findElement(By.id("pay")).click();
      WebElement retry =
          new WebDriverWait(browser, PAGE_WAIT)
              .until(ExpectedConditions.visibilityOfElementLocated(By.id("retry-button")));
      assertThat(browser.findElement(By.id("result")).getText())
          .isEqualTo("Payment declined: Your card was declined.");
      Thread.sleep(600); // the smooth scroll
      for (String id : List.of("result", "retry-button")) {
        Boolean inView =
            (Boolean)
                browser.executeScript(
                    "var r = document.getElementById(arguments[0]).getBoundingClientRect();"
                        + " return r.top >= 0 && r.bottom <= window.innerHeight;",
                    id);
        assertThat(inView).as(id + " in view on a 1280x720 window").isTrue();
      }
      screenshot("checkout-declined", 1280);
      retry.click();
      new WebDriverWait(browser, PAGE_WAIT)
          .until(ExpectedConditions.elementToBeClickable(By.id("pay")));
      String second = browser.getCurrentUrl();
      assertThat(second).contains("/checkout/").isNotEqualTo(firstCheckout);
      // Back on the declined payment's page, pressing again opens the same new payment.
      browser.get(firstCheckout);
      assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Payment declined");
      browser.findElement(By.id("retry-button")).click();
      new WebDriverWait(browser, PAGE_WAIT)
          .until(ExpectedConditions.elementToBeClickable(By.id("pay")));
      assertThat(browser.getCurrentUrl()).isEqualTo(second);
      assertThat(browser.findElement(By.id("result")).getText()).isEmpty();
      browser.findElement(By.id("card-number")).sendKeys("4242 4242 4242 4242");
      browser.findElement(By.id("card-expiry")).sendKeys(EXPIRY);
      browser.findElement(By.id("card-cvc")).sendKeys("123");
      browser.findElement(By.id("pay")).click();
      waitFor(By.cssSelector("#status[data-status=succeeded]"));
      assertThat(browser.findElement(By.id("way-back")).getText())
          .isEqualTo("You can close this page.");
      screenshot("checkout-succeeded", 1280);
    } finally {
      browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
    }
    assertThat(apiBalance(user)).isEqualTo(before + 1500);
    JsonArray topups =
        api.get("/v1/topups", tokens.user(user)).bodyAsJsonObject().getJsonArray("data");
    assertThat(topups).hasSize(2);
    assertThat(
            topups.stream()
                .map(JsonObject.class::cast)
                .filter(t -> firstId.equals(t.getString("id")))
                .findFirst()
                .orElseThrow()
                .getString("status"))
        .isEqualTo("failed");
  }

  // ---------------------------------------------------------------------------------------------

  private static String base() {
    return "http://127.0.0.1:" + kopek.httpPort();
  }

  private static String link(String user) throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/portal_sessions",
            admin,
            null,
            new JsonObject()
                .put("user_id", user)
                .put("return_url", "https://shop.example.com/account"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("url");
  }

  private static void signIn(String user) throws Exception {
    browser.get(link(user));
    new WebDriverWait(browser, PAGE_WAIT)
        .until(ExpectedConditions.presenceOfElementLocated(By.id("topup-amount")));
    assertThat(browser.getCurrentUrl()).isEqualTo(base() + "/portal");
  }

  private static void waitFor(By by) {
    new WebDriverWait(browser, PAGE_WAIT).until(ExpectedConditions.presenceOfElementLocated(by));
  }

  private static void credit(String user, long amount, String reason) throws Exception {
    HttpResponse<Buffer> response =
        api.post(
            "/v1/admin/adjustments",
            admin,
            UUID.randomUUID().toString(),
            new JsonObject()
                .put("user_id", user)
                .put("amount_minor", amount)
                .put("currency", "USD")
                .put("reason", reason));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
  }

  private static void charge(String user, long amount, String reason) throws Exception {
    HttpResponse<Buffer> response =
        api.post(
            "/v1/charges",
            tokens.user(user),
            UUID.randomUUID().toString(),
            new JsonObject()
                .put("amount_minor", amount)
                .put("currency", "USD")
                .put("reason", reason));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
  }

  private static String subscribe(String user, String plan) throws Exception {
    HttpResponse<Buffer> response =
        api.post(
            "/v1/subscriptions",
            tokens.user(user),
            UUID.randomUUID().toString(),
            new JsonObject().put("plan", plan));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getString("id");
  }

  private static JsonObject subscription(String user, String id) throws Exception {
    return api
        .get("/v1/subscriptions", tokens.user(user))
        .bodyAsJsonObject()
        .getJsonArray("data")
        .stream()
        .map(JsonObject.class::cast)
        .filter(s -> id.equals(s.getString("id")))
        .findFirst()
        .orElseThrow();
  }

  private static long apiBalance(String user) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/wallets/USD", tokens.user(user));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getLong("balance_minor");
  }

  /** Every entry of the user's USD log, newest first. */
  private static JsonArray apiTransactions(String user) throws Exception {
    JsonArray all = new JsonArray();
    String after = null;
    while (true) {
      HttpResponse<Buffer> response =
          api.get(
              "/v1/transactions?currency=USD&limit=100"
                  + (after == null ? "" : "&starting_after=" + after),
              tokens.user(user));
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      JsonArray page = response.bodyAsJsonObject().getJsonArray("data");
      all.addAll(page);
      if (!response.bodyAsJsonObject().getBoolean("has_more") || page.isEmpty()) {
        return all;
      }
      after = String.valueOf(page.getJsonObject(page.size() - 1).getLong("id"));
    }
  }

  private static List<LogEntry> browserLog() {
    return browser.manage().logs().get(LogType.BROWSER).getAll();
  }

  /** The current page, whole, at 1280 and at 390 px wide. */
  private static void screenshots(String name) throws Exception {
    screenshot(name + "-1280", 1280);
    screenshot(name + "-390", 390);
  }

  /** The whole current page at {@code width} CSS pixels, as {@code target/screenshots/name.png}. */
  @SuppressWarnings("unchecked")
  private static void screenshot(String name, int width) throws java.io.IOException {
    boolean mobile = width < 600;
    browser.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width",
            width,
            "height",
            mobile ? 844 : 900,
            "deviceScaleFactor",
            1,
            "mobile",
            mobile));
    try {
      // Let the page lay itself out (and the charts resize) at the new width.
      try {
        Thread.sleep(400);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Map<String, Object> metrics = browser.executeCdpCommand("Page.getLayoutMetrics", Map.of());
      Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
      double height = Math.min(6000, ((Number) size.get("height")).doubleValue());
      Map<String, Object> shot =
          browser.executeCdpCommand(
              "Page.captureScreenshot",
              Map.of(
                  "format",
                  "png",
                  "captureBeyondViewport",
                  true,
                  "clip",
                  Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
      Files.createDirectories(SCREENSHOTS);
      Files.write(
          SCREENSHOTS.resolve(name + ".png"),
          Base64.getDecoder().decode((String) shot.get("data")));
    } finally {
      browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }
  }
}
