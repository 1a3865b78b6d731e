package dev.kopek.gateway.braintree;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Kopek's integer minor units against Braintree's decimal amounts, by the currency's ISO 4217
 * exponent. The only place in the adapter that touches {@link BigDecimal}; every conversion is
 * exact or refused, never rounded.
 */
final class Amounts {

  private Amounts() {}

  /**
   * The currency's exponent (2 for USD, 0 for JPY, 3 for KWD).
   *
   * @param currency an ISO 4217 code, any case
   * @return the exponent, or empty for a code the JDK does not know or one without minor units
   *         (XAU, XXX)
   */
  static OptionalInt exponent(String currency) {
    if (currency == null) {
      return OptionalInt.empty();
    }
    try {
      int digits = Currency.getInstance(currency.trim().toUpperCase(Locale.ROOT))
          .getDefaultFractionDigits();
      return digits < 0 ? OptionalInt.empty() : OptionalInt.of(digits);
    } catch (IllegalArgumentException unknown) {
      return OptionalInt.empty();
    }
  }

  /**
   * The decimal amount Braintree expects: 2000 USD is {@code 20.00}, 1000 JPY is {@code 1000},
   * 1500 KWD is {@code 1.500}.
   *
   * @return the amount, or null when the currency has no exponent or the amount is not positive
   */
  static BigDecimal toDecimal(long amountMinor, String currency) {
    OptionalInt exponent = exponent(currency);
    if (exponent.isEmpty() || amountMinor <= 0) {
      return null;
    }
    return BigDecimal.valueOf(amountMinor, exponent.getAsInt());
  }

  /**
   * Minor units of a decimal amount Braintree reports: {@code 20.00} USD is 2000; {@code 20.001}
   * USD has no exact value in cents and is refused.
   *
   * @return the amount, or empty when it has more decimals than the currency, overflows, or the
   *         currency is unknown
   */
  static OptionalLong toMinor(BigDecimal amount, String currency) {
    OptionalInt exponent = exponent(currency);
    if (amount == null || exponent.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(amount.movePointRight(exponent.getAsInt()).longValueExact());
    } catch (ArithmeticException inexact) {
      return OptionalLong.empty();
    }
  }
}
