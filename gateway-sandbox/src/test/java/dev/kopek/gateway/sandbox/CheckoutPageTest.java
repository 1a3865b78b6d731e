package dev.kopek.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The card form carries the ids browser tests rely on and the amount in major units, loads nothing
 * from elsewhere, and escapes whatever it is given.
 */
@DisplayName("Checkout page")
class CheckoutPageTest {

  private static final SandboxGateway GATEWAY = Fixtures.gateway();

  @AfterAll
  static void close() {
    GATEWAY.close();
  }

  private static HostedPage page(
      long amountMinor, String currency, String submitUrl, String returnUrl) {
    return GATEWAY.checkoutPage(
        new HostedCheckout(
            "pay_1",
            amountMinor,
            currency,
            "sbx_pi_1",
            null,
            submitUrl,
            returnUrl,
            "http://127.0.0.1:8080/webhooks/sandbox"));
  }

  private static HostedPage page(long amountMinor, String currency) {
    return page(amountMinor, currency, "/checkout/tok_1/submit", "/payments/pay_1/return");
  }

  @Test
  void formHasTheStableElementIds() {
    String body = page(2000, "USD").bodyHtml();

    assertThat(body)
        .contains(
            "id=\"card-number\"",
            "id=\"card-expiry\"",
            "id=\"card-cvc\"",
            "id=\"pay\"",
            "id=\"result\"");
    assertThat(body).contains("MM/YY");
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "2000, USD, Pay 20.00 USD",
    "5, USD, Pay 0.05 USD",
    "1000, JPY, Pay 1000 JPY",
    "1500, KWD, Pay 1.500 KWD",
    "1, KWD, Pay 0.001 KWD",
    "2000, usd, Pay 20.00 USD"
  })
  void payButtonShowsTheAmountWithTheCurrencysExponent(
      long amountMinor, String currency, String label) {
    assertThat(page(amountMinor, currency).bodyHtml())
        .contains("<button id=\"pay\" type=\"submit\">" + label + "</button>");
  }

  @Test
  void pageSaysItIsTestModeAndListsTheTestCards() {
    String body = page(2000, "USD").bodyHtml();

    assertThat(body)
        .contains(
            "Test mode",
            "4242 4242 4242 4242",
            "4000 0000 0000 0002",
            "4000 0000 0000 9995",
            "4000 0025 0000 3155",
            "4000 0000 0000 3063");
  }

  @Test
  void pageLoadsNothingFromElsewhere() {
    HostedPage page = page(2000, "USD");

    assertThat(page.bodyHtml())
        .doesNotContain(
            "<script", "<link", "<img", "<iframe", "src=", "http://", "https://", "style=");
    assertThat(page.script()).doesNotContain("http://", "https://", "import ");
    assertThat(page.scriptOrigins()).isEmpty();
    assertThat(page.frameOrigins()).isEmpty();
    assertThat(page.connectOrigins()).isEmpty();
  }

  @Test
  void scriptPostsTheCardAsJsonAndReportsTheStatus() {
    String script = page(2000, "USD").script();

    assertThat(script)
        .contains(
            "fetch(config.submitUrl",
            "\"POST\"",
            "application/json",
            "card_number:",
            "card_expiry:",
            "card_cvc:",
            "data-status",
            "result.textContent",
            "\"succeeded\"",
            "window.location.assign");
    assertThat(script)
        .contains("submitUrl: \"/checkout/tok_1/submit\"", "returnUrl: \"/payments/pay_1/return\"");
  }

  @Test
  void hostileValuesAreEscaped() {
    HostedPage page =
        page(
            2000,
            "<b>X</b>",
            "/s\"><script>alert(1)</script>",
            "/r\";alert(2);//</script><script>alert(3)</script>\u2028$CONFIG");

    assertThat(page.bodyHtml()).doesNotContain("<script", "<b>");
    assertThat(page.bodyHtml())
        .contains("action=\"/s&quot;&gt;&lt;script&gt;", "&lt;B&gt;X&lt;/B&gt;");
    assertThat(page.script()).doesNotContain("</script", "<script", "\u2028");
    // Every quote inside the value is escaped, so none can end the string literal.
    assertThat(page.script()).doesNotContainPattern("(?<!\\\\)\";alert");
    assertThat(page.script())
        .contains(
            "returnUrl: \"/r\\\";alert(2);//\\u003c/script\\u003e\\u003cscript\\u003e"
                + "alert(3)\\u003c/script\\u003e\\u2028$CONFIG\"");
  }

  @Test
  void nullUrlsBecomeNullInTheScript() {
    String script = page(2000, "USD", "/submit", null).script();

    assertThat(script).contains("returnUrl: null");
  }
}
