package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Currency;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Currencies")
class CurrenciesTest {

  @ParameterizedTest(name = "{0} has {1} minor-unit digits")
  @CsvSource({"USD, 2", "JPY, 0", "KWD, 3", "EUR, 2", "BHD, 3"})
  @DisplayName("accepts ISO 4217 currencies with their minor-unit exponent")
  void acceptsWithExponent(String code, int exponent) {
    Currency currency = Currencies.find(code).orElseThrow();
    assertThat(currency.getCurrencyCode()).isEqualTo(code);
    assertThat(Currencies.exponent(currency)).isEqualTo(exponent);
    assertThat(Currencies.require(code)).isEqualTo(currency);
  }

  @ParameterizedTest(name = "refuses \"{0}\"")
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "XAU", // gold: no minor unit
        "XXX", // "no currency"
        "XTS", // reserved for testing
        "XDR", // special drawing rights
        "usd", // lower case: two spellings would open two wallets
        "Usd", "ABC", // not a currency
        "US", "USDX", " USD", "HRK", // withdrawn from ISO 4217, still known to the JDK
        "VEF"
      })
  @DisplayName("refuses metals, funds, testing codes, other spellings, unknown and withdrawn codes")
  void refuses(String code) {
    assertThat(Currencies.find(code)).isEmpty();
  }

  @Test
  @DisplayName("require names the refused code")
  void requireNamesTheCode() {
    assertThatThrownBy(() -> Currencies.require("XAU"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("XAU");
  }
}
