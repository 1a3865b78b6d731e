package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.kopek.testkit.Poll;
import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The hosted checkout page paid with the sandbox's test cards in a real (headless) Chromium: the
 * page's script runs under its Content-Security-Policy, the form posts, the payer lands on the
 * status page, and the ledger holds exactly one credit. Uses Debian's {@code chromium} and {@code
 * chromium-driver}; Selenium never downloads a browser or a driver.
 */
@DisplayName("The hosted checkout page in a real browser")
@Timeout(60)
class CheckoutBrowserTest {

  private static final String SECRET = "checkout-browser-test-secret-of-48-bytes-length!";
  private static final Duration PAGE_WAIT = Duration.ofSeconds(20);
  private static final long AMOUNT = 2000;
  private static final String EXPIRY =
      YearMonth.now().plusYears(2).format(DateTimeFormatter.ofPattern("MM/yy"));

  @TempDir static Path dataDir;

  @TempDir static Path browserProfile;

  private static Kopek kopek;
  private static ApiClient api;
  private static Tokens tokens;
  private static Chromium chromium;
  private static WebDriver browser;

  @BeforeAll
  @Timeout(90)
  static void start() throws Exception {
    if (!Files.isExecutable(Chromium.CHROMEDRIVER) || !Files.isExecutable(Chromium.CHROMIUM)) {
      fail(
          "The checkout browser tests need Chromium and its driver at "
              + Chromium.CHROMIUM
              + " and "
              + Chromium.CHROMEDRIVER
              + ". Install the Debian packages: apt-get install chromium chromium-driver"
              + " (.ci/run does this).");
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
    tokens = Tokens.signedWith(api.vertx(), SECRET);

    chromium = Chromium.start(browserProfile, false);
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
      "paying with 4242 4242 4242 4242 lands on the status page and credits the wallet exactly once, webhook included")
  void payingWithTheSucceedingCardCreditsOnce() throws Exception {
    String alice = tokens.user("alice");
    long before = balance(alice);
    JsonObject topup = createTopup(alice);
    String checkoutUrl = topup.getString("checkout_url");

    HttpResponse<Buffer> page = api.get(URI.create(checkoutUrl).getPath(), null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Security-Policy"))
        .contains("script-src 'nonce-")
        .contains("frame-ancestors 'none'");

    browserLog(); // drops the messages of earlier pages
    browser.get(checkoutUrl);
    pay("4242 4242 4242 4242");
    // Only the page's script posts the form and then moves to the return URL: landing there
    // proves that it ran under the policy.
    new WebDriverWait(browser, PAGE_WAIT)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#status[data-status=succeeded]")));
    assertThat(URI.create(browser.getCurrentUrl()).getPath())
        .isEqualTo(URI.create(checkoutUrl).getPath() + "/complete");
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Payment succeeded");
    assertThat(browser.findElement(By.tagName("main")).getText())
        .contains("20.00 USD was added to your balance.");
    // Chromium reports every blocked script, style or request on the console.
    assertThat(browserLog())
        .extracting(LogEntry::getMessage)
        .noneMatch(message -> message.contains("Content Security Policy"));

    long after = balance(alice);
    assertThat(after).isEqualTo(before + AMOUNT);
    JsonObject settled = topup(alice, topup.getString("id"));
    assertThat(settled.getString("status")).isEqualTo("succeeded");
    JsonObject newest = transactions(alice).getJsonObject(0);
    assertThat(newest.getString("kind")).isEqualTo("topup");
    assertThat(newest.getLong("amount_minor")).isEqualTo(AMOUNT);
    assertThat(newest.getLong("balance_after_minor")).isEqualTo(after);
    assertThat(newest.getString("reference")).isEqualTo(topup.getString("id"));
    assertThat(settled.getLong("ledger_entry_id")).isEqualTo(newest.getLong("id"));

    // The sandbox's webhook for the same payment arrives after the form post: it is recorded and
    // credits nothing more.
    awaitWebhook(topup.getString("id"));
    assertThat(balance(alice)).isEqualTo(after);
    assertThat(topups(transactions(alice), topup.getString("id"))).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "a declined card (4000 0000 0000 0002) shows the decline, fails the top-up and credits nothing")
  void aDeclinedCardCreditsNothing() throws Exception {
    String bob = tokens.user("bob");
    long before = balance(bob);
    JsonArray logBefore = transactions(bob);
    JsonObject topup = createTopup(bob);

    browser.get(topup.getString("checkout_url"));
    pay("4000 0000 0000 0002");
    WebElement result =
        new WebDriverWait(browser, PAGE_WAIT)
            .until(
                ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#result[data-status=declined]")));
    assertThat(result.getText()).isEqualTo("Payment declined: Your card was declined.");
    // A declined payment is settled at the provider: the page does not offer to pay it again.
    WebElement pay = browser.findElement(By.id("pay"));
    assertThat(pay.isEnabled()).isFalse();
    assertThat(pay.getCssValue("opacity"))
        .as("a disabled Pay button looks disabled")
        .isNotEqualTo("1");

    JsonObject failed = topup(bob, topup.getString("id"));
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("decline_code")).isEqualTo("card_declined");
    assertThat(failed.getValue("ledger_entry_id")).isNull();
    // The decline's webhook, too, changes nothing.
    awaitWebhook(topup.getString("id"));
    assertThat(balance(bob)).isEqualTo(before);
    assertThat(transactions(bob)).isEqualTo(logBefore);
  }

  @Test
  @DisplayName(
      "a mistyped card number is refused on the page, writes nothing, and the same form then pays")
  void aFormErrorLeavesTheFormUsable() throws Exception {
    String carol = tokens.user("carol");
    long before = balance(carol);
    JsonArray logBefore = transactions(carol);
    JsonObject topup = createTopup(carol);

    browser.get(topup.getString("checkout_url"));
    pay("4242 4242 4242 4241");
    WebElement result =
        new WebDriverWait(browser, PAGE_WAIT)
            .until(
                ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#result[data-status=invalid]")));
    assertThat(result.getText()).isEqualTo("The card number is not valid; check it for typos.");
    WebElement number = browser.findElement(By.id("card-number"));
    assertThat(number.getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.findElement(By.id("pay")).isEnabled()).isTrue();
    assertThat(topup(carol, topup.getString("id")).getString("status")).isEqualTo("pending");
    assertThat(balance(carol)).isEqualTo(before);
    assertThat(transactions(carol)).isEqualTo(logBefore);

    number.clear();
    number.sendKeys("4242 4242 4242 4242");
    browser.findElement(By.id("pay")).click();
    new WebDriverWait(browser, PAGE_WAIT)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#status[data-status=succeeded]")));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Payment succeeded");
    assertThat(topup(carol, topup.getString("id")).getString("status")).isEqualTo("succeeded");
    assertThat(balance(carol)).isEqualTo(before + AMOUNT);
    assertThat(topups(transactions(carol), topup.getString("id"))).isEqualTo(1);
  }

  /** Fills in the card form with a valid expiry and CVC and presses Pay. */
  private static void pay(String cardNumber) {
    new WebDriverWait(browser, PAGE_WAIT)
        .until(ExpectedConditions.elementToBeClickable(By.id("pay")));
    browser.findElement(By.id("card-number")).sendKeys(cardNumber);
    browser.findElement(By.id("card-expiry")).sendKeys(EXPIRY);
    browser.findElement(By.id("card-cvc")).sendKeys("123");
    browser.findElement(By.id("pay")).click();
  }

  /** The browser's console messages since the last call. */
  private static List<LogEntry> browserLog() {
    return browser.manage().logs().get(LogType.BROWSER).getAll();
  }

  private static JsonObject createTopup(String token) throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/topups",
            token,
            UUID.randomUUID().toString(),
            new JsonObject().put("amount_minor", AMOUNT).put("currency", "USD"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject topup = created.bodyAsJsonObject();
    assertThat(topup.getString("status")).isEqualTo("pending");
    assertThat(topup.getString("checkout_url"))
        .startsWith("http://127.0.0.1:" + kopek.httpPort() + "/checkout/");
    return topup;
  }

  private static JsonObject topup(String token, String id) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/topups/" + id, token);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static long balance(String token) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/wallets/USD", token);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getLong("balance_minor");
  }

  /** The caller's transaction log, newest first. */
  private static JsonArray transactions(String token) throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/transactions", token);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getBoolean("has_more")).isFalse();
    return response.bodyAsJsonObject().getJsonArray("data");
  }

  /** How many top-up credits in a log name the payment. */
  private static long topups(JsonArray log, String paymentId) {
    return log.stream()
        .map(JsonObject.class::cast)
        .filter(
            entry ->
                "topup".equals(entry.getString("kind"))
                    && paymentId.equals(entry.getString("reference")))
        .count();
  }

  /** Waits until Kopek has processed a provider webhook about the payment. */
  private static void awaitWebhook(String paymentId) throws Exception {
    List<String> pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
    String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/" + Kopek.EMBEDDED_DATABASE;
    try (Connection connection = DriverManager.getConnection(url, "postgres", "");
        PreparedStatement events =
            connection.prepareStatement(
                "SELECT count(*) FROM payment_events WHERE payment_id = ?")) {
      events.setString(1, paymentId);
      long processed =
          Poll.value(
              PAGE_WAIT,
              () -> {
                try (ResultSet count = events.executeQuery()) {
                  count.next();
                  return count.getLong(1);
                }
              },
              count -> count >= 1);
      if (processed < 1) {
        fail("no webhook about " + paymentId + " was processed within " + PAGE_WAIT);
      }
    }
  }
}
