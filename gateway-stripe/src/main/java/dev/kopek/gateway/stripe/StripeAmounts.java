package dev.kopek.gateway.stripe;

import java.util.Currency;
import java.util.Locale;
import java.util.Set;

/**
 * Converts between Kopek's amounts (minor units with the ISO 4217 exponent: 2000 is 20.00 USD, 1000
 * is 1000 JPY, 1500 is 1.500 KWD) and the {@code amount} Stripe's API takes.
 *
 * <p>For almost every currency the two agree and the amount is passed as is:
 *
 * <ul>
 *   <li>Stripe's zero-decimal currencies (JPY, KRW, CLP, VND, ...) take whole units, as Kopek
 *       counts them;
 *   <li>two-decimal currencies (USD, EUR, ...) take hundredths, as Kopek counts them;
 *   <li>the three-decimal currencies BHD, JOD, KWD, OMR and TND take thousandths, as Kopek counts
 *       them, <strong>but Stripe requires the last digit to be 0</strong> (its card partners settle
 *       hundredths only): 1.500 KWD (1500) is accepted, 1.505 KWD (1505) is refused before any
 *       call, so the payer is never charged a rounded amount.
 * </ul>
 *
 * Where Stripe's convention departs from ISO 4217 the amount is scaled: ISK has no minor unit in
 * ISO 4217 but Stripe keeps it two-decimal (5 ISK is sent as 500), and MGA is two-decimal in ISO
 * 4217 but zero-decimal at Stripe (only whole ariary can be charged; 10.00 MGA is sent as 10).
 * Amounts read back from Stripe are converted the other way, and one that has no exact value in
 * Kopek's units is reported as such rather than rounded.
 */
final class StripeAmounts {

  /** Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal). */
  static final Set<String> ZERO_DECIMAL =
      Set.of(
          "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
          "XAF", "XOF", "XPF");

  /** Stripe's three-decimal currencies; amounts must end in 0. */
  static final Set<String> THREE_DECIMAL = Set.of("BHD", "JOD", "KWD", "OMR", "TND");

  private StripeAmounts() {}

  /**
   * An amount that cannot be expressed in the other side's units. {@link #field()} names the
   * request field at fault: {@code amount_minor} for an amount Stripe's rules refuse, {@code
   * currency} for a code that is not an ISO 4217 currency with minor units.
   */
  static final class Unrepresentable extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;

    Unrepresentable(String message) {
      this(AMOUNT_FIELD, message);
    }

    Unrepresentable(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }

    /** The request field at fault, {@code amount_minor} or {@code currency}. */
    String field() {
      return field;
    }
  }

  /** The request fields an {@link Unrepresentable} may name. */
  static final String AMOUNT_FIELD = "amount_minor";

  static final String CURRENCY_FIELD = "currency";

  /**
   * The {@code amount} to send to Stripe for {@code amountMinor} of {@code currency}.
   *
   * @throws Unrepresentable when Stripe cannot charge exactly that amount; the message says why
   */
  static long toStripe(long amountMinor, String currency) throws Unrepresentable {
    String code = code(currency);
    int shift = stripeExponent(code) - isoExponent(code);
    long amount;
    if (shift >= 0) {
      long factor = pow10(shift);
      if (amountMinor > Long.MAX_VALUE / factor) {
        throw new Unrepresentable(amountMinor + " is too large an amount of " + code);
      }
      amount = amountMinor * factor;
    } else {
      long divisor = pow10(-shift);
      if (amountMinor % divisor != 0) {
        throw new Unrepresentable(
            "Stripe charges "
                + code
                + " in whole units only: "
                + amountMinor
                + " minor units is not a multiple of "
                + divisor);
      }
      amount = amountMinor / divisor;
    }
    if (THREE_DECIMAL.contains(code) && amount % 10 != 0) {
      throw new Unrepresentable(
          "Stripe takes "
              + code
              + " amounts in thousandths whose last digit "
              + "is 0 (its card partners settle hundredths only): "
              + amountMinor
              + " is not a "
              + "multiple of 10; round it to the nearest ten");
    }
    return amount;
  }

  /**
   * The amount in Kopek's minor units for a Stripe {@code amount} of {@code currency}.
   *
   * @throws Unrepresentable when it has no exact value in Kopek's units
   */
  static long fromStripe(long amount, String currency) throws Unrepresentable {
    String code = code(currency);
    int shift = stripeExponent(code) - isoExponent(code);
    if (shift <= 0) {
      long factor = pow10(-shift);
      if (Math.abs(amount) > Long.MAX_VALUE / factor) {
        throw new Unrepresentable(amount + " is too large an amount of " + code);
      }
      return amount * factor;
    }
    long divisor = pow10(shift);
    if (amount % divisor != 0) {
      throw new Unrepresentable(
          "Stripe reports an amount of "
              + amount
              + " "
              + code
              + ", which has no exact value in "
              + code
              + "'s ISO 4217 minor units");
    }
    return amount / divisor;
  }

  /** How many decimals Stripe's {@code amount} has for the currency. */
  static int stripeExponent(String code) {
    return ZERO_DECIMAL.contains(code) ? 0 : THREE_DECIMAL.contains(code) ? 3 : 2;
  }

  private static int isoExponent(String code) throws Unrepresentable {
    try {
      int digits = Currency.getInstance(code).getDefaultFractionDigits();
      if (digits >= 0) {
        return digits;
      }
    } catch (IllegalArgumentException unknown) {
      // reported below
    }
    throw new Unrepresentable(CURRENCY_FIELD, "not an ISO 4217 currency with minor units: " + code);
  }

  private static String code(String currency) throws Unrepresentable {
    if (currency == null || currency.isBlank()) {
      throw new Unrepresentable(CURRENCY_FIELD, "no currency given");
    }
    return currency.trim().toUpperCase(Locale.ROOT);
  }

  private static long pow10(int exponent) {
    long value = 1;
    for (int i = 0; i < exponent; i++) {
      value *= 10;
    }
    return value;
  }
}
