package dev.kopek.model;

import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money: an integer count of the currency's minor units (cents for USD, yen for JPY,
 * fils for KWD). There is no floating point anywhere in Kopek's money; arithmetic that would
 * overflow a {@code long} throws instead of wrapping, and mixing currencies throws naming both.
 *
 * @param amountMinor the amount in minor units; negative values are allowed (debits, deltas)
 * @param currency    an ISO 4217 currency with a defined minor-unit exponent
 */
public record Money(long amountMinor, Currency currency) {

  /** Checks that the currency is present and has a minor-unit exponent. */
  public Money {
    Objects.requireNonNull(currency, "currency");
    if (currency.getDefaultFractionDigits() < 0) {
      throw new IllegalArgumentException("currency " + currency + " has no minor unit");
    }
  }

  /** Returns the amount of {@code amountMinor} minor units of the currency with this ISO code. */
  public static Money of(long amountMinor, String currencyCode) {
    return new Money(amountMinor, Currencies.require(currencyCode));
  }

  /** Returns this plus {@code other}; throws if the currencies differ or the sum overflows. */
  public Money plus(Money other) {
    checkSameCurrency(other);
    return new Money(Math.addExact(amountMinor, other.amountMinor), currency);
  }

  /** Returns this minus {@code other}; throws if the currencies differ or the result overflows. */
  public Money minus(Money other) {
    checkSameCurrency(other);
    return new Money(Math.subtractExact(amountMinor, other.amountMinor), currency);
  }

  /** Returns the amount with its sign flipped; throws for {@link Long#MIN_VALUE}. */
  public Money negated() {
    return new Money(Math.negateExact(amountMinor), currency);
  }

  /** Whether the amount is below zero. */
  public boolean isNegative() {
    return amountMinor < 0;
  }

  /** The ISO 4217 code of the currency, for JSON and SQL. */
  public String currencyCode() {
    return currency.getCurrencyCode();
  }

  private void checkSameCurrency(Money other) {
    if (!currency.equals(other.currency)) {
      throw new IllegalArgumentException(
          "currency mismatch: " + currency + " and " + other.currency);
    }
  }

  @Override
  public String toString() {
    return amountMinor + " " + currency.getCurrencyCode() + " (minor units)";
  }
}
