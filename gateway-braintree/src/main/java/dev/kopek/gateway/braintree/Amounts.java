package dev.kopek.gateway.braintree;

import dev.kopek.gateway.spi.GatewayFailure;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
   *     (XAU, XXX)
   */
  static OptionalInt exponent(String currency) {
    if (currency == null) {
      return OptionalInt.empty();
    }
    try {
      int digits =
          Currency.getInstance(currency.trim().toUpperCase(Locale.ROOT)).getDefaultFractionDigits();
      return digits < 0 ? OptionalInt.empty() : OptionalInt.of(digits);
    } catch (IllegalArgumentException unknown) {
      return OptionalInt.empty();
    }
  }

  /** The most decimals a Braintree amount takes: a whole number or up to three decimals. */
  static final int DECIMALS_MAX = 3;

  /**
   * The decimal amount Braintree expects: 2000 USD is {@code 20.00}, 1000 JPY is {@code 1000}, 1500
   * KWD is {@code 1.500}.
   *
   * @return the amount, or null when the currency has no exponent, the amount is not positive, or
   *     it needs more decimals than Braintree takes ({@link #refusal})
   */
  static BigDecimal toDecimal(long amountMinor, String currency) {
    OptionalInt exponent = exponent(currency);
    if (exponent.isEmpty() || amountMinor <= 0) {
      return null;
    }
    BigDecimal amount = BigDecimal.valueOf(amountMinor, exponent.getAsInt());
    if (amount.scale() <= DECIMALS_MAX) {
      return amount;
    }
    try {
      // Four-decimal currencies (CLF, UYW): exact at three decimals, or not at all.
      return amount.setScale(DECIMALS_MAX, RoundingMode.UNNECESSARY);
    } catch (ArithmeticException inexact) {
      return null;
    }
  }

  /**
   * Why Braintree cannot take this amount, before anything is sent: a currency that is not an ISO
   * 4217 currency with minor units ({@code currency}), an amount that is not positive or needs more
   * than {@value #DECIMALS_MAX} decimals ({@code amount_minor}).
   *
   * @return the refusal, or null when {@link #toDecimal} has an exact amount
   */
  static GatewayFailure refusal(long amountMinor, String currency) {
    OptionalInt exponent = exponent(currency);
    if (exponent.isEmpty()) {
      return GatewayFailure.inputNotAccepted(
          "currency",
          "Braintree takes ISO 4217 currencies " + "with minor units; " + currency + " is not one");
    }
    if (amountMinor <= 0) {
      return GatewayFailure.inputNotAccepted(
          "amount_minor", "Braintree takes positive amounts; " + "the amount was " + amountMinor);
    }
    if (toDecimal(amountMinor, currency) == null) {
      return GatewayFailure.inputNotAccepted(
          "amount_minor",
          "Braintree takes amounts with at "
              + "most "
              + DECIMALS_MAX
              + " decimals: "
              + amountMinor
              + " minor units of "
              + currency.trim().toUpperCase(Locale.ROOT)
              + " is not a multiple of "
              + BigDecimal.ONE.movePointRight(exponent.getAsInt() - DECIMALS_MAX).toPlainString());
    }
    return null;
  }

  /**
   * Minor units of a decimal amount Braintree reports: {@code 20.00} USD is 2000; {@code 20.001}
   * USD has no exact value in cents and is refused.
   *
   * @return the amount, or empty when it has more decimals than the currency, overflows, or the
   *     currency is unknown
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
