package dev.kopek.gateway.stripe;

import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewaySettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The Stripe provider's settings, checked. {@link #toString()} leaves the keys and the webhook
 * secret out, so the settings can be logged.
 *
 * @param secretKey the secret (or restricted) API key, {@code sk_...} or {@code rk_...}
 * @param webhookSecret the webhook endpoint's signing secret, {@code whsec_...}
 * @param publishableKey the publishable key, {@code pk_...}, for the Payment Element; null when
 *     unset (allowed in Checkout Session mode only)
 * @param mode how payers pay
 * @param toleranceSeconds how far a webhook's signed timestamp may lie from the clock
 * @param apiBase the API's base URL, without a trailing slash
 * @param timeoutMs connect and read timeout of each API call
 */
record StripeConfig(
    String secretKey,
    String webhookSecret,
    String publishableKey,
    Mode mode,
    long toleranceSeconds,
    String apiBase,
    int timeoutMs) {

  static final String DEFAULT_API_BASE = "https://api.stripe.com";

  /** How payers pay. */
  enum Mode {
    /** A PaymentIntent, paid with Stripe's Payment Element on Kopek's hosted page. */
    PAYMENT_ELEMENT("payment_element"),
    /** A Checkout Session: Kopek sends the payer to Stripe's own page. */
    CHECKOUT_SESSION("checkout_session");

    final String setting;

    Mode(String setting) {
      this.setting = setting;
    }
  }

  static StripeConfig from(GatewaySettings settings) throws GatewayConfigException {
    String secretKey =
        settings.requireString(
            "secret_key",
            "set STRIPE_SECRET_KEY to the secret "
                + "key from the Stripe dashboard (Developers > API keys), sk_live_... or sk_test_...");
    if (!(secretKey.startsWith("sk_") || secretKey.startsWith("rk_"))) {
      // Never echo the value: it may be a live key pasted into the wrong setting.
      throw new GatewayConfigException(
          settings.keyName("secret_key")
              + " must be a secret key "
              + "(sk_...) or a restricted key (rk_...); set STRIPE_SECRET_KEY"
              + (secretKey.startsWith("pk_") ? " (it holds a publishable key)" : ""));
    }
    String webhookSecret =
        settings.requireString(
            "webhook_secret",
            "set STRIPE_WEBHOOK_SECRET to "
                + "the signing secret (whsec_...) of the webhook endpoint registered in the Stripe "
                + "dashboard for <public URL>/webhooks/stripe");
    Mode mode = mode(settings);
    String publishableKey = settings.string("publishable_key", null);
    if (publishableKey == null && mode == Mode.PAYMENT_ELEMENT) {
      throw new GatewayConfigException(
          settings.keyName("publishable_key")
              + " is required in "
              + "mode payment_element: set STRIPE_PUBLISHABLE_KEY to the publishable key (pk_...)");
    }
    // The publishable key is written into checkout pages: a secret key there would be handed to
    // every payer's browser.
    if (publishableKey != null && !publishableKey.startsWith("pk_")) {
      throw new GatewayConfigException(
          settings.keyName("publishable_key")
              + " must be a "
              + "publishable key (pk_...); it is shown to payers' browsers, so never put a secret key "
              + "there; set STRIPE_PUBLISHABLE_KEY");
    }
    long tolerance = settings.number("tolerance_s", 300, 1, 3600);
    String apiBase = apiBase(settings);
    int timeoutMs = (int) settings.number("timeout_ms", 10_000, 100, 120_000);
    return new StripeConfig(
        secretKey, webhookSecret, publishableKey, mode, tolerance, apiBase, timeoutMs);
  }

  private static Mode mode(GatewaySettings settings) throws GatewayConfigException {
    String value = settings.string("mode", Mode.PAYMENT_ELEMENT.setting);
    for (Mode mode : Mode.values()) {
      if (mode.setting.equals(value.trim().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new GatewayConfigException(
        settings.keyName("mode")
            + " must be payment_element or "
            + "checkout_session, was "
            + value);
  }

  private static String apiBase(GatewaySettings settings) throws GatewayConfigException {
    String value = settings.string("api_base", DEFAULT_API_BASE).trim();
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || !("https".equalsIgnoreCase(uri.getScheme())
            || "http".equalsIgnoreCase(uri.getScheme()))) {
      throw new GatewayConfigException(
          settings.keyName("api_base")
              + " must be an http(s) URL "
              + "such as "
              + DEFAULT_API_BASE
              + " or http://localhost:12111 (stripe-mock), was "
              + value);
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  @Override
  public String toString() {
    return "StripeConfig[secretKey=***, webhookSecret=***, publishableKey="
        + (publishableKey == null ? "unset" : "set")
        + ", mode="
        + mode.setting
        + ", toleranceSeconds="
        + toleranceSeconds
        + ", apiBase="
        + apiBase
        + ", timeoutMs="
        + timeoutMs
        + "]";
  }
}
