package dev.kopek.gateway.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stripe's part of the hosted checkout page")
class StripeCheckoutPageTest {

  private static final String HOSTILE = "x\"'</script><script>alert(1)</script><!--&\u2028";

  private Gateway gateway;

  @BeforeEach
  void gateway() throws Exception {
    gateway = Stubs.gateway("http://127.0.0.1:9");
  }

  private static HostedCheckout checkout(String clientSecret, String returnUrl, String currency) {
    return new HostedCheckout(
        "pay_x",
        2000,
        currency,
        "pi_3KopekTest0001",
        clientSecret,
        "/checkout/tok/submit",
        returnUrl,
        "https://pay.example.com/webhooks/stripe");
  }

  @Test
  @DisplayName(
      "the Payment Element: a #payment-element form, Stripe.js by src, the mounting code in the inline script")
  void paymentElement() {
    HostedPage page =
        gateway.checkoutPage(
            checkout(
                "pi_3KopekTest0001_secret_abc",
                "https://pay.example.com/checkout/tok/complete",
                "USD"));

    assertThat(page.bodyHtml())
        .contains(
            "<div id=\"payment-element\"></div>",
            "<script src=\"https://js.stripe.com/v3/\"></script>",
            "id=\"result\"",
            "Pay 20.00 USD");
    assertThat(page.script())
        .contains(
            "publishableKey: \"" + Stubs.PUBLISHABLE_KEY + "\"",
            "clientSecret: \"pi_3KopekTest0001_secret_abc\"",
            "returnUrl: \"https://pay.example.com/checkout/tok/complete\"",
            "Stripe(config.publishableKey)",
            "stripe.elements({clientSecret: config.clientSecret})",
            "mount(\"#payment-element\")",
            "stripe.confirmPayment({elements: elements, confirmParams: {return_url: config.returnUrl}})",
            "getElementById(\"result\")");
    assertThat(page.script()).doesNotContain(Stubs.SECRET_KEY, Stubs.WEBHOOK_SECRET, "<");
  }

  @Test
  @DisplayName("the origins are exactly those Stripe.js needs")
  void origins() {
    HostedPage page = gateway.checkoutPage(checkout("pi_1_secret_2", "https://r.example", "USD"));

    assertThat(page.scriptOrigins()).containsExactly("https://js.stripe.com");
    assertThat(page.frameOrigins())
        .containsExactly("https://js.stripe.com", "https://hooks.stripe.com");
    assertThat(page.connectOrigins()).containsExactly("https://api.stripe.com");
  }

  @Test
  @DisplayName("hostile values cannot leave their HTML or JavaScript context")
  void escaping() {
    HostedPage page = gateway.checkoutPage(checkout(HOSTILE, HOSTILE, "<b>"));

    assertThat(page.bodyHtml()).doesNotContain("<B>", "alert(1)</script>").contains("&lt;B&gt;");
    // The only script element in the body is Stripe.js.
    assertThat(page.bodyHtml().split("<script", -1)).hasSize(2);
    assertThat(page.script())
        .doesNotContain("</script", "<!--", "\u2028", "'</")
        .contains(
            "clientSecret: \"x\\\"\\u0027\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"
                + "\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\"");
  }

  @Test
  @DisplayName(
      "a payment without a client secret (a Checkout Session) gets a plain link and no scripts or origins")
  void checkoutSession() throws Exception {
    Gateway sessions =
        Stubs.gateway("http://127.0.0.1:9", Map.of("mode", "checkout_session"), Clock.systemUTC());

    HostedPage page =
        sessions.checkoutPage(checkout(null, "https://pay.example.com/r?a=1&b=2", "USD"));

    assertThat(page.bodyHtml())
        .contains("href=\"https://pay.example.com/r?a=1&amp;b=2\"")
        .doesNotContain("<script");
    assertThat(page.script()).isEmpty();
    assertThat(List.of(page.scriptOrigins(), page.frameOrigins(), page.connectOrigins()))
        .allSatisfy(origins -> assertThat(origins).isEmpty());
  }

  @Test
  @DisplayName(
      "a PaymentIntent started before switching to checkout_session still gets the Payment Element")
  void paymentElementAfterModeSwitch() throws Exception {
    Gateway sessions =
        Stubs.gateway("http://127.0.0.1:9", Map.of("mode", "checkout_session"), Clock.systemUTC());

    assertThat(
            sessions.checkoutPage(checkout("pi_1_secret_2", "https://r.example", "USD")).bodyHtml())
        .contains("payment-element");
  }
}
