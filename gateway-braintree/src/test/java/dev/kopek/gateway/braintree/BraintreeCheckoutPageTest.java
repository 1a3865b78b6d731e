package dev.kopek.gateway.braintree;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Drop-in page: the ids Kopek's browser tests rely on, exactly the origins Drop-in needs, and
 * every interpolated value escaped for where it lands.
 */
@DisplayName("Braintree checkout page")
class BraintreeCheckoutPageTest {

  private static HostedPage page(
      long amountMinor, String currency, String clientToken, String submitUrl, String returnUrl) {
    return CheckoutPage.render(
        new HostedCheckout(
            "pay_1",
            amountMinor,
            currency,
            null,
            clientToken,
            submitUrl,
            returnUrl,
            "https://pay.example/webhooks/braintree"));
  }

  private static HostedPage page() {
    return page(
        2000,
        "USD",
        "eyJ2ZXJzaW9uIjoyfQ==",
        "/checkout/tok_1/submit",
        "https://shop.example/return");
  }

  @Test
  void bodyLoadsDropInAndHasTheStableIds() {
    String body = page().bodyHtml();

    assertThat(body)
        .contains(
            "<script src=\"https://js.braintreegateway.com/web/dropin/1.43.0/"
                + "js/dropin.min.js\"></script>",
            "id=\"dropin-container\"",
            "id=\"pay\"",
            "id=\"result\"",
            "role=\"status\"");
    assertThat(body).contains("<button id=\"pay\" type=\"button\" disabled>Pay 20.00 USD</button>");
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({"1000, JPY, Pay 1000 JPY", "1500, KWD, Pay 1.500 KWD", "5, usd, Pay 0.05 USD"})
  void payButtonShowsTheAmount(long minor, String currency, String label) {
    assertThat(page(minor, currency, "t", "/s", "/r").bodyHtml()).contains(">" + label + "<");
  }

  @Test
  void originsAreExactlyWhatDropInNeeds() {
    HostedPage page = page();

    assertThat(page.scriptOrigins())
        .containsExactly("https://js.braintreegateway.com", "https://assets.braintreegateway.com");
    assertThat(page.frameOrigins())
        .containsExactly("https://assets.braintreegateway.com", "https://c.paypal.com");
    assertThat(page.connectOrigins())
        .contains(
            "https://api.braintreegateway.com",
            "https://client-analytics.braintreegateway.com",
            "https://payments.braintree-api.com",
            "https://api.sandbox.braintreegateway.com",
            "https://payments.sandbox.braintree-api.com");
    // Kopek puts only plain https origins into its policy.
    assertThat(page.scriptOrigins()).allMatch(o -> o.matches("^https://[A-Za-z0-9.-]+$"));
    assertThat(page.frameOrigins()).allMatch(o -> o.matches("^https://[A-Za-z0-9.-]+$"));
    assertThat(page.connectOrigins()).allMatch(o -> o.matches("^https://[A-Za-z0-9.-]+$"));
  }

  @Test
  void scriptMountsDropInAndPostsTheNonceAsJson() {
    String script = page().script();

    assertThat(script)
        .contains(
            "braintree.dropin.create(",
            "authorization: config.clientToken",
            "container: \"#dropin-container\"",
            "requestPaymentMethod()",
            "payment_method_nonce: payload.nonce",
            "form.device_data = payload.deviceData",
            "fetch(config.submitUrl",
            "\"POST\"",
            "application/json",
            "JSON.stringify(form)",
            "data-status",
            "result.textContent",
            "\"succeeded\"",
            "window.location.assign",
            "clearSelectedPaymentMethod()");
    assertThat(script)
        .contains(
            "clientToken: \"eyJ2ZXJzaW9uIjoyfQ==\"",
            "submitUrl: \"/checkout/tok_1/submit\"",
            "returnUrl: \"https://shop.example/return\"");
    assertThat(script).doesNotContain("$CONFIG", "innerHTML", "eval(");
  }

  @Test
  void aMissingClientTokenBecomesNull() {
    assertThat(page(2000, "USD", null, "/s", null).script())
        .contains("clientToken: null", "returnUrl: null");
  }

  @Test
  void hostileValuesAreEscaped() {
    HostedPage page =
        page(
            2000,
            "<b>X</b>",
            "t\"</script><script>alert(0)</script>",
            "/s\"><script>alert(1)</script>",
            "/r\";alert(2);//</script><script>alert(3)</script>\u2028$CONFIG");

    assertThat(page.bodyHtml()).doesNotContain("<b>", "alert");
    assertThat(page.bodyHtml()).contains("&lt;B&gt;X&lt;/B&gt;");
    assertThat(page.script()).doesNotContain("</script", "<script", "\u2028");
    assertThat(page.script()).doesNotContainPattern("(?<!\\\\)\";alert");
    assertThat(page.script()).contains("clientToken: \"t\\\"\\u003c/script\\u003e");
    assertThat(page.script())
        .contains(
            "returnUrl: \"/r\\\";alert(2);//\\u003c/script\\u003e\\u003cscript\\u003e"
                + "alert(3)\\u003c/script\\u003e\\u2028$CONFIG\"");
  }
}
