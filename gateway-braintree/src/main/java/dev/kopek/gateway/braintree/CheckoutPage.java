package dev.kopek.gateway.braintree;

import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import dev.kopek.gateway.spi.PageText;
import java.util.List;

/**
 * The Braintree Drop-in UI on Kopek's hosted checkout page. Drop-in collects the card (or another
 * method enabled for the merchant account) in Braintree's own frames and hands back a one-time
 * nonce; the page posts it to Kopek, which completes the sale from the server.
 */
final class CheckoutPage {

  /** The Drop-in release the page loads; its script URL is pinned to it. */
  static final String DROPIN_VERSION = "1.43.0";

  static final String DROPIN_SCRIPT =
      "https://js.braintreegateway.com/web/dropin/" + DROPIN_VERSION + "/js/dropin.min.js";

  /** Drop-in's script and the stylesheet and images it loads. */
  static final List<String> SCRIPT_ORIGINS =
      List.of("https://js.braintreegateway.com", "https://assets.braintreegateway.com");

  /** Card fields and the device data collector run in these frames. */
  static final List<String> FRAME_ORIGINS =
      List.of("https://assets.braintreegateway.com", "https://c.paypal.com");

  /** Drop-in's API calls, production and sandbox. */
  static final List<String> CONNECT_ORIGINS =
      List.of(
          "https://api.braintreegateway.com",
          "https://client-analytics.braintreegateway.com",
          "https://payments.braintree-api.com",
          "https://api.sandbox.braintreegateway.com",
          "https://client-analytics.sandbox.braintreegateway.com",
          "https://payments.sandbox.braintree-api.com");

  /** Long enough to read "Payment succeeded" before the page moves on. */
  private static final int RETURN_DELAY_MS = 1500;

  private CheckoutPage() {}

  static HostedPage render(HostedCheckout checkout) {
    String body =
        """
        <div class="braintree-checkout">
          <script src="%s"></script>
          <div id="dropin-container"></div>
          <button id="pay" type="button" disabled>Pay %s</button>
          <p id="result" role="status" aria-live="polite"></p>
        </div>
        """
            .formatted(
                PageText.html(DROPIN_SCRIPT),
                PageText.html(PageText.amount(checkout.amountMinor(), checkout.currency())));
    // One placeholder, replaced once: a value can never be mistaken for another placeholder.
    String config =
        "{clientToken: "
            + PageText.js(checkout.clientSecret())
            + ", submitUrl: "
            + PageText.js(checkout.submitUrl())
            + ", returnUrl: "
            + PageText.js(checkout.returnUrl())
            + ", returnDelayMs: "
            + RETURN_DELAY_MS
            + "}";
    return new HostedPage(
        body, SCRIPT.replace("$CONFIG", config), SCRIPT_ORIGINS, FRAME_ORIGINS, CONNECT_ORIGINS);
  }

  private static final String SCRIPT =
      """
      (function () {
        "use strict";
        var config = $CONFIG;
        var UNAVAILABLE = "The payment form could not be loaded; reload the page to try again.";

        // Only http(s) destinations: a javascript: URL must never be navigated to.
        function navigable(url) {
          if (typeof url !== "string" || url === "") {
            return null;
          }
          try {
            var target = new URL(url, window.location.href);
            return target.protocol === "https:" || target.protocol === "http:" ? target.href : null;
          } catch (e) {
            return null;
          }
        }

        function start() {
          var pay = document.getElementById("pay");
          var result = document.getElementById("result");
          if (!pay || !result) {
            return;
          }

          function show(reply) {
            var status = reply && typeof reply.status === "string" ? reply.status : "failed";
            var message = reply && typeof reply.message === "string" && reply.message !== ""
                ? reply.message : "Something went wrong; please try again.";
            result.textContent = message;
            result.setAttribute("data-status", status);
            if (status === "succeeded") {
              var target = navigable(config.returnUrl);
              if (target) {
                window.setTimeout(function () { window.location.assign(target); },
                    config.returnDelayMs);
              }
            } else if (status === "invalid" || status === "failed") {
              // Nothing was charged, or a retry finds the charge made: paying again is safe.
              pay.disabled = false;
            }
            // Declined, pending and unknown are settled at Braintree: paying again cannot change them.
          }

          function submit(payload) {
            var form = {payment_method_nonce: payload.nonce};
            if (typeof payload.deviceData === "string" && payload.deviceData !== "") {
              form.device_data = payload.deviceData;
            }
            return fetch(config.submitUrl, {
              method: "POST",
              credentials: "same-origin",
              headers: {"Content-Type": "application/json", "Accept": "application/json"},
              body: JSON.stringify(form)
            }).then(function (response) {
              return response.json().catch(function () {
                return {status: "failed",
                  message: "Unexpected reply from the server (HTTP " + response.status + ")."};
              });
            }, function () {
              return {status: "failed",
                message: "Could not reach the server; check your connection and try again."};
            });
          }

          function ready(instance) {
            pay.disabled = false;
            pay.addEventListener("click", function () {
              if (pay.disabled) {
                return;
              }
              pay.disabled = true;
              result.removeAttribute("data-status");
              result.textContent = "Processing\\u2026";
              instance.requestPaymentMethod().then(function (payload) {
                return submit(payload).then(function (reply) {
                  if (reply && reply.status === "invalid") {
                    // The nonce was refused (expired, used): the payer enters the details again.
                    instance.clearSelectedPaymentMethod();
                  }
                  show(reply);
                });
              }, function () {
                // Drop-in marks the fields to complete itself.
                show({status: "invalid", message: "Complete your payment details, then pay."});
              });
            });
          }

          if (typeof config.clientToken !== "string" || config.clientToken === ""
              || typeof braintree === "undefined" || !braintree.dropin) {
            show({status: "failed", message: UNAVAILABLE});
            pay.disabled = true;
            return;
          }
          var options = {authorization: config.clientToken, container: "#dropin-container",
            dataCollector: true};
          braintree.dropin.create(options).catch(function () {
            // Device data is a fraud signal, not a requirement: pay without it rather than not at all.
            delete options.dataCollector;
            return braintree.dropin.create(options);
          }).then(ready, function () {
            show({status: "failed", message: UNAVAILABLE});
            pay.disabled = true;
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
