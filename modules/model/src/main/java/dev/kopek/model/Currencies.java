package dev.kopek.model;

import java.util.Currency;
import java.util.Optional;
import java.util.Set;

/**
 * The ISO 4217 currencies Kopek accepts: every currency the JDK knows that has a minor-unit
 * exponent (0 for JPY, 2 for USD, 3 for KWD). Funds and precious metals such as {@code XAU} or
 * {@code XXX} have no exponent and are refused.
 */
public final class Currencies {

  /**
   * Codes retired from ISO 4217 that the JDK still lists; accepting them would let a wallet open in
   * a currency no payment provider settles.
   */
  private static final Set<String> WITHDRAWN =
      Set.of(
          "ADP", "AFA", "ATS", "AYM", "AZM", "BEF", "BGL", "BOV", "CHE", "CHW", "CLF", "COU", "CUC",
          "CYP", "DEM", "EEK", "ESP", "FIM", "FRF", "GHC", "GRD", "GWP", "HRK", "IEP", "ITL", "LTL",
          "LUF", "LVL", "MGF", "MRO", "MTL", "MXV", "MZM", "NLG", "PTE", "ROL", "RUR", "SDD", "SIT",
          "SKK", "SLL", "SRG", "STD", "TMM", "TPE", "TRL", "USN", "USS", "UYI", "VEB", "VEF", "VED",
          "XSU", "XUA", "YUM", "ZMK", "ZWD", "ZWL", "ZWN", "ZWR", "CSD");

  private Currencies() {}

  /**
   * Looks up an accepted currency by its upper-case three-letter code.
   *
   * @return the currency, or empty for anything that is not an accepted ISO 4217 code
   */
  public static Optional<Currency> find(String code) {
    if (code == null || code.length() != 3 || !code.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
      return Optional.empty();
    }
    if (WITHDRAWN.contains(code)) {
      return Optional.empty();
    }
    try {
      Currency currency = Currency.getInstance(code);
      return currency.getDefaultFractionDigits() < 0 ? Optional.empty() : Optional.of(currency);
    } catch (IllegalArgumentException unknown) {
      return Optional.empty();
    }
  }

  /**
   * The one currency check of Kopek's requests: {@code code} when it is an accepted ISO 4217 code,
   * else a {@link Failure} naming {@code field}.
   *
   * @param field the request field, for the failure
   * @param code the code, upper-case
   * @return the code
   */
  public static String checked(String field, String code) {
    if (find(code).isEmpty()) {
      throw Failure.invalid(
              field,
              field
                  + " must be an ISO 4217 currency code such as USD"
                  + (code == null ? "" : ", was " + code))
          .toException();
    }
    return code;
  }

  /** Like {@link #find(String)} but throws {@link IllegalArgumentException} for a bad code. */
  public static Currency require(String code) {
    return find(code)
        .orElseThrow(
            () -> new IllegalArgumentException("not an accepted ISO 4217 currency: " + code));
  }

  /** The number of minor-unit digits of the currency: 0 (JPY), 2 (USD) or 3 (KWD). */
  public static int exponent(Currency currency) {
    return currency.getDefaultFractionDigits();
  }
}
