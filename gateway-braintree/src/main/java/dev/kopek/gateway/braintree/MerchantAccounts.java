package dev.kopek.gateway.braintree;

import com.braintreegateway.BraintreeGateway;
import com.braintreegateway.MerchantAccount;
import com.braintreegateway.exceptions.NotFoundException;
import dev.kopek.gateway.spi.GatewayFailure;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Braintree merchant account takes a payment. A merchant account settles exactly one
 * currency, and a sale carries no currency of its own: charging a EUR payment to a USD account
 * would take the same number of dollars. So every payment goes to an account known to settle its
 * currency, or is refused before the payer sees a form.
 *
 * <p>Accounts configured by currency are taken as configured. A single configured account, or none
 * (the gateway's default account), is looked up once to learn its currency.
 */
final class MerchantAccounts {

  private static final String KEY = "payments.gateways.braintree.merchant_account_id";

  private final BraintreeConfig config;
  private final BraintreeGateway sdk;

  /** Merchant account id to currency, for accounts looked up; currencies never change. */
  private final Map<String, String> currencies = new ConcurrentHashMap<>();

  private volatile String defaultAccount;

  MerchantAccounts(BraintreeConfig config, BraintreeGateway sdk) {
    this.config = config;
    this.sdk = sdk;
  }

  /**
   * The merchant account for a currency.
   *
   * @param currency upper-case ISO 4217 code
   * @return the account id, or why none may be used
   * @throws RuntimeException what the SDK throws when a lookup fails
   */
  Choice forCurrency(String currency) {
    if (config.accountsByCurrency()) {
      String account = config.merchantAccounts().get(currency);
      return account != null
          ? new Choice(account, null)
          : notTaken(
              currency,
              "Braintree takes "
                  + "only "
                  + String.join(", ", new TreeSet<>(config.merchantAccounts().keySet()))
                  + " here: no merchant account for "
                  + currency
                  + " in "
                  + KEY);
    }
    String account = config.merchantAccount() != null ? config.merchantAccount() : defaultAccount();
    if (account == null) {
      return refuse("Braintree reports no default merchant account; set " + KEY);
    }
    String settles = currencies.get(account);
    if (settles == null) {
      try {
        settles = upper(sdk.merchantAccount().find(account).getCurrencyIsoCode());
      } catch (NotFoundException missing) {
        return refuse("Braintree knows no merchant account " + account + "; check " + KEY);
      }
      currencies.put(account, settles);
    }
    if (!settles.equals(currency)) {
      return notTaken(
          currency,
          "Braintree takes only "
              + settles
              + " here: merchant account "
              + account
              + " settles "
              + settles
              + ", not "
              + currency
              + "; map each currency to its "
              + "own account in "
              + KEY
              + ", e.g. {"
              + settles
              + ": "
              + account
              + ", "
              + currency
              + ": <your "
              + currency
              + " account>}");
    }
    return new Choice(account, null);
  }

  private String defaultAccount() {
    String known = defaultAccount;
    if (known != null) {
      return known;
    }
    for (MerchantAccount account : sdk.merchantAccount().all()) {
      if (Boolean.TRUE.equals(account.isDefault())) {
        currencies.put(account.getId(), upper(account.getCurrencyIsoCode()));
        defaultAccount = account.getId();
        return account.getId();
      }
    }
    return null;
  }

  private static String upper(String currency) {
    return currency == null ? "" : currency.trim().toUpperCase(Locale.ROOT);
  }

  /** A currency no usable merchant account settles: the request cannot be taken as it is. */
  private static Choice notTaken(String currency, String message) {
    return new Choice(null, GatewayFailure.inputNotAccepted("currency", message));
  }

  /** A merchant account setting Braintree does not agree with: a configuration error. */
  private static Choice refuse(String message) {
    return new Choice(null, new GatewayFailure(GatewayFailure.Kind.INVALID_REQUEST, message));
  }

  /**
   * The account to use, or the reason there is none.
   *
   * @param accountId the merchant account id, when usable
   * @param refusal why no account may take the payment, or null
   */
  record Choice(String accountId, GatewayFailure refusal) {}
}
