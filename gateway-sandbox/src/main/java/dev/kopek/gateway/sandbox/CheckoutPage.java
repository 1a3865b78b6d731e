package dev.kopek.gateway.sandbox;

import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import dev.kopek.gateway.spi.PageText;
import java.util.List;

/**
 * The sandbox's card form for Kopek's hosted checkout page. It loads nothing from anywhere, so it
 * works under a {@code default-src 'self'} policy, and needs no build step.
 */
final class CheckoutPage {

  /** Long enough to read "Payment succeeded" before the page moves on. */
  private static final int RETURN_DELAY_MS = 1500;

  private CheckoutPage() {}

  static HostedPage render(HostedCheckout checkout) {
    StringBuilder cards = new StringBuilder();
    for (TestCard card : TestCard.listed()) {
      cards
          .append("    <li><code>")
          .append(PageText.html(card.grouped()))
          .append("</code> ")
          .append(PageText.html(card.effect()))
          .append("</li>\n");
    }
    String body =
        """
        <div class="sandbox-checkout">
          <div class="sandbox-notice" id="sandbox-notice">
            <p><strong>Test mode.</strong> This is the sandbox payment provider: no card is \
        charged and no money moves. Use one of these test cards with any future expiry date \
        and any 3-digit CVC:</p>
            <ul class="sandbox-test-cards">
        %s    </ul>
          </div>
          <form id="sandbox-card-form" method="post" action="%s" novalidate>
            <label for="card-number">Card number</label>
            <input id="card-number" name="card_number" type="text" inputmode="numeric" \
        autocomplete="cc-number" placeholder="4242 4242 4242 4242" maxlength="23" required>
            <label for="card-expiry">Expiry date (MM/YY)</label>
            <input id="card-expiry" name="card_expiry" type="text" inputmode="numeric" \
        autocomplete="cc-exp" placeholder="MM/YY" maxlength="7" required>
            <label for="card-cvc">CVC</label>
            <input id="card-cvc" name="card_cvc" type="text" inputmode="numeric" \
        autocomplete="cc-csc" placeholder="123" maxlength="4" required>
            <button id="pay" type="submit">Pay %s</button>
          </form>
          <p id="result" role="status" aria-live="polite"></p>
        </div>
        """
            .formatted(
                cards,
                PageText.html(checkout.submitUrl()),
                PageText.html(PageText.amount(checkout.amountMinor(), checkout.currency())));
    // One placeholder, replaced once: a value can never be mistaken for another placeholder.
    String config =
        "{submitUrl: "
            + PageText.js(checkout.submitUrl())
            + ", returnUrl: "
            + PageText.js(checkout.returnUrl())
            + ", returnDelayMs: "
            + RETURN_DELAY_MS
            + "}";
    String script = SCRIPT.replace("$CONFIG", config);
    // Everything the page calls is Kopek itself ('self'): no provider origins to allow.
    return new HostedPage(body, script, List.of(), List.of(), List.of());
  }

  private static final String SCRIPT =
      """
      (function () {
        "use strict";
        var config = $CONFIG;
        var FIELDS = {card_number: "card-number", card_expiry: "card-expiry", card_cvc: "card-cvc"};

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
          var form = document.getElementById("sandbox-card-form");
          var pay = document.getElementById("pay");
          var result = document.getElementById("result");
          if (!form || !pay || !result) {
            return;
          }

          function value(id) {
            return document.getElementById(id).value;
          }

          function show(reply) {
            var status = reply && typeof reply.status === "string" ? reply.status : "failed";
            var message = reply && typeof reply.message === "string" && reply.message !== ""
                ? reply.message : "Something went wrong; please try again.";
            result.textContent = message;
            result.setAttribute("data-status", status);
            Object.keys(FIELDS).forEach(function (name) {
              var input = document.getElementById(FIELDS[name]);
              if (reply && reply.field === name) {
                input.setAttribute("aria-invalid", "true");
                input.focus();
              } else {
                input.removeAttribute("aria-invalid");
              }
            });
            if (status === "succeeded" || status === "unknown") {
              // Unknown: the provider has the payment but has not said how it ended; the return
              // page shows the payment's state and refreshes until it is final.
              var target = navigable(config.returnUrl);
              if (target) {
                window.setTimeout(function () { window.location.assign(target); },
                    config.returnDelayMs);
              }
            } else if (status === "invalid" || status === "failed" || status === "pending") {
              // A payment awaiting authentication may still be paid with another card.
              pay.disabled = false;
            }
            // A declined payment is final at the provider: paying again cannot change it. The page
            // around the form hears of it (kopek:checkout-result) and offers another payment.
            if (typeof result.scrollIntoView === "function") {
              result.scrollIntoView({block: "nearest", behavior: "smooth"});
            }
            document.dispatchEvent(new CustomEvent("kopek:checkout-result",
                {detail: {status: status, message: message}}));
          }

          form.addEventListener("submit", function (event) {
            event.preventDefault();
            if (pay.disabled) {
              return;
            }
            pay.disabled = true;
            result.removeAttribute("data-status");
            result.textContent = "Processing\\u2026";
            fetch(config.submitUrl, {
              method: "POST",
              credentials: "same-origin",
              headers: {"Content-Type": "application/json", "Accept": "application/json"},
              body: JSON.stringify({
                card_number: value("card-number"),
                card_expiry: value("card-expiry"),
                card_cvc: value("card-cvc")
              })
            }).then(function (response) {
              return response.json().catch(function () {
                return {status: "failed",
                  message: "Unexpected reply from the server (HTTP " + response.status + ")."};
              });
            }).then(show, function () {
              show({status: "failed",
                message: "Could not reach the server; check your connection and try again."});
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
