package dev.kopek.gateway.stripe;

import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import dev.kopek.gateway.spi.PageText;
import java.util.List;

/**
 * Stripe's part of Kopek's hosted checkout page. For a PaymentIntent it is the Payment Element:
 * Stripe.js, loaded from {@code https://js.stripe.com}, draws the payment fields in its own frames
 * and confirms the payment with Stripe directly, then sends the payer to the return URL; card data
 * never reaches Kopek. The page allows exactly the origins Stripe documents for it.
 */
final class CheckoutPage {

  /** Where Stripe.js is served from; the only script Kopek's page loads from elsewhere. */
  static final String STRIPE_JS = "https://js.stripe.com/v3/";

  static final List<String> SCRIPT_ORIGINS = List.of("https://js.stripe.com");
  static final List<String> FRAME_ORIGINS =
      List.of("https://js.stripe.com", "https://hooks.stripe.com");
  static final List<String> CONNECT_ORIGINS = List.of("https://api.stripe.com");

  private CheckoutPage() {}

  /** The Payment Element form for a PaymentIntent's client secret. */
  static HostedPage paymentElement(HostedCheckout checkout, String publishableKey) {
    // Stripe.js is a plain external script: the policy allows its origin, and it must run before
    // the inline script below, which Kopek's template puts after the body.
    String body =
        """
        <div class="stripe-checkout">
          <form id="payment-form" novalidate>
            <div id="payment-element"></div>
            <button id="pay" type="submit" disabled>Pay %s</button>
          </form>
          <p id="result" role="status" aria-live="polite"></p>
          <p class="note">Payments are processed by Stripe; card details go to Stripe directly.</p>
        </div>
        <script src="%s"></script>
        """
            .formatted(
                PageText.html(PageText.amount(checkout.amountMinor(), checkout.currency())),
                PageText.html(STRIPE_JS));
    // One placeholder, replaced once: a value can never be mistaken for another placeholder.
    String config =
        "{publishableKey: "
            + PageText.js(publishableKey)
            + ", clientSecret: "
            + PageText.js(checkout.clientSecret())
            + ", returnUrl: "
            + PageText.js(checkout.returnUrl())
            + "}";
    return new HostedPage(
        body, SCRIPT.replace("$CONFIG", config), SCRIPT_ORIGINS, FRAME_ORIGINS, CONNECT_ORIGINS);
  }

  /**
   * The page for a payment made on Stripe's own Checkout page. Kopek sends the payer there itself
   * (the checkout's redirect URL), so this is only shown when Stripe gave no such URL: a link to
   * the payment's status page, and nothing loaded from anywhere.
   */
  static HostedPage redirectOnly(HostedCheckout checkout) {
    String link =
        checkout.returnUrl() == null
            ? ""
            : "  <p><a id=\"continue\" href=\""
                + PageText.html(checkout.returnUrl())
                + "\">See the payment's "
                + "status</a></p>\n";
    String body =
        "<div class=\"stripe-checkout\">\n  <p id=\"result\">This payment is made on "
            + "Stripe's checkout page, which is not available for it any more.</p>\n"
            + link
            + "</div>\n";
    return new HostedPage(body, "", List.of(), List.of(), List.of());
  }

  private static final String SCRIPT =
      """
      (function () {
        "use strict";
        var config = $CONFIG;

        function start() {
          var form = document.getElementById("payment-form");
          var pay = document.getElementById("pay");
          var result = document.getElementById("result");
          if (!form || !pay || !result) {
            return;
          }

          function show(status, message) {
            result.textContent = message;
            result.setAttribute("data-status", status);
          }

          if (typeof Stripe !== "function") {
            show("failed", "The payment form could not be loaded from Stripe; check your "
                + "connection and reload the page.");
            return;
          }
          if (!config.clientSecret) {
            show("failed", "This payment cannot be paid here; start a new top-up.");
            return;
          }

          var stripe = Stripe(config.publishableKey);
          var elements = stripe.elements({clientSecret: config.clientSecret});
          var paymentElement = elements.create("payment");
          paymentElement.on("ready", function () {
            pay.disabled = false;
          });
          paymentElement.on("loaderror", function (event) {
            show("failed", event && event.error && event.error.message
                ? event.error.message : "The payment form could not be loaded.");
          });
          paymentElement.mount("#payment-element");

          form.addEventListener("submit", function (event) {
            event.preventDefault();
            if (pay.disabled) {
              return;
            }
            pay.disabled = true;
            result.removeAttribute("data-status");
            result.textContent = "Processing\\u2026";
            stripe.confirmPayment({elements: elements, confirmParams: {return_url: config.returnUrl}})
                .then(function (outcome) {
                  // Only reached when the payment was not confirmed: on success, and for methods
                  // that need a redirect, Stripe sends the payer to the return URL instead.
                  var error = outcome && outcome.error;
                  var fixable = error && (error.type === "card_error" || error.type === "validation_error");
                  show(fixable ? "invalid" : "failed", error && error.message ? error.message
                      : "Something went wrong; please try again.");
                  pay.disabled = false;
                }, function () {
                  show("failed", "Could not reach Stripe; check your connection and try again.");
                  pay.disabled = false;
                });
          });
        }

        if (document.readyState === "loading") {
          document.addEventListener("DOMContentLoaded", start);
        } else {
          start();
        }
      })();
      """;
}
