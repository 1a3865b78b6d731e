package dev.kopek.gateway.braintree;

import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewaySettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Braintree provider's settings, checked.
 *
 * @param merchantId the gateway account's merchant id (not a merchant account id)
 * @param publicKey the API public key
 * @param privateKey the API private key; never printed
 * @param production whether to reach Braintree's production environment (else sandbox)
 * @param merchantAccounts merchant account ids by upper-case currency code; empty when none are
 *     configured by currency
 * @param merchantAccount the one merchant account to use for every currency, or null
 * @param apiBase a base URL replacing the environment's (a stand-in for tests), or null
 * @param timeoutMs connect and read timeout of every call to Braintree
 */
record BraintreeConfig(
    String merchantId,
    String publicKey,
    String privateKey,
    boolean production,
    Map<String, String> merchantAccounts,
    String merchantAccount,
    String apiBase,
    int timeoutMs) {

  static final int TIMEOUT_DEFAULT_MS = 10_000;

  /** Copies the map. */
  BraintreeConfig {
    merchantAccounts = Map.copyOf(merchantAccounts);
  }

  static BraintreeConfig from(GatewaySettings settings) throws GatewayConfigException {
    String merchantId =
        settings.requireString(
            "merchant_id",
            "set BRAINTREE_MERCHANT_ID to the "
                + "merchant id shown with your API keys in the Braintree control panel");
    String publicKey =
        settings.requireString(
            "public_key",
            "set BRAINTREE_PUBLIC_KEY to the "
                + "public key of an API key pair from the Braintree control panel");
    String privateKey =
        settings.requireString(
            "private_key",
            "set BRAINTREE_PRIVATE_KEY to the " + "private key of the same API key pair");
    boolean production =
        switch (settings.string("environment", "sandbox").trim().toLowerCase(Locale.ROOT)) {
          case "sandbox" -> false;
          case "production" -> true;
          default ->
              throw new GatewayConfigException(
                  settings.keyName("environment")
                      + " must be sandbox or production, was "
                      + settings.config().get("environment"));
        };
    Object accounts = settings.config().get("merchant_account_id");
    Map<String, String> byCurrency = new TreeMap<>();
    String single = null;
    if (accounts instanceof String text) {
      single = text.isBlank() ? null : text.trim();
    } else if (accounts != null) {
      byCurrency = accountsByCurrency(settings, accounts);
    }
    String apiBase = apiBase(settings);
    int timeout = (int) settings.number("timeout_ms", TIMEOUT_DEFAULT_MS, 100, 120_000);
    return new BraintreeConfig(
        merchantId.trim(),
        publicKey.trim(),
        privateKey.trim(),
        production,
        byCurrency,
        single,
        apiBase,
        timeout);
  }

  /**
   * A map of currency to merchant account id. Kopek hands nested sections over as whatever its
   * configuration library uses, a {@link Map} or an iterable of map entries; both are read.
   */
  private static Map<String, String> accountsByCurrency(GatewaySettings settings, Object value)
      throws GatewayConfigException {
    String key = settings.keyName("merchant_account_id");
    Iterable<?> entries;
    if (value instanceof Map<?, ?> map) {
      entries = map.entrySet();
    } else if (value instanceof Iterable<?> iterable) {
      entries = iterable;
    } else {
      throw new GatewayConfigException(
          key
              + " must be a merchant account id, or a map from "
              + "currency to merchant account id such as {USD: acme_usd, EUR: acme_eur}");
    }
    Map<String, String> accounts = new TreeMap<>();
    for (Object item : entries) {
      if (!(item instanceof Map.Entry<?, ?> entry) || !(entry.getKey() instanceof String code)) {
        throw new GatewayConfigException(key + " must map currency codes to merchant account ids");
      }
      String currency = code.trim().toUpperCase(Locale.ROOT);
      if (!currency.matches("[A-Z]{3}") || Amounts.exponent(currency).isEmpty()) {
        throw new GatewayConfigException(
            key
                + "."
                + code
                + ": not an ISO 4217 currency with "
                + "minor units; use codes such as USD or EUR");
      }
      if (!(entry.getValue() instanceof String account) || account.isBlank()) {
        throw new GatewayConfigException(
            key
                + "."
                + code
                + " must be a merchant account id "
                + "(Braintree control panel: Settings > Business > Merchant Accounts)");
      }
      if (accounts.put(currency, account.trim()) != null) {
        throw new GatewayConfigException(key + " lists " + currency + " twice");
      }
    }
    return accounts;
  }

  private static String apiBase(GatewaySettings settings) throws GatewayConfigException {
    String text = settings.string("api_base", null);
    if (text == null) {
      return null;
    }
    String trimmed = text.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = new URI(trimmed);
      if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new URISyntaxException(trimmed, "not an absolute http(s) URL");
      }
    } catch (URISyntaxException e) {
      throw new GatewayConfigException(
          settings.keyName("api_base")
              + " must be an absolute "
              + "http(s) URL such as http://127.0.0.1:8089, was "
              + text);
    }
    return trimmed;
  }

  /** Whether merchant accounts are configured per currency. */
  boolean accountsByCurrency() {
    return !merchantAccounts.isEmpty();
  }

  @Override
  public String toString() {
    return "BraintreeConfig[merchantId="
        + merchantId
        + ", publicKey="
        + publicKey
        + ", privateKey=***, production="
        + production
        + ", merchantAccounts="
        + merchantAccounts
        + ", merchantAccount="
        + merchantAccount
        + ", apiBase="
        + apiBase
        + ", timeoutMs="
        + timeoutMs
        + "]";
  }
}
