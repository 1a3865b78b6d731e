package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Currency;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Money")
class MoneyTest {

  @Test
  @DisplayName("adds and subtracts minor units exactly")
  void exactArithmetic() {
    assertThat(Money.of(1999, "USD").plus(Money.of(1, "USD"))).isEqualTo(Money.of(2000, "USD"));
    assertThat(Money.of(100, "JPY").minus(Money.of(250, "JPY"))).isEqualTo(Money.of(-150, "JPY"));
    assertThat(Money.of(-150, "KWD").negated()).isEqualTo(Money.of(150, "KWD"));
    assertThat(Money.of(-1, "USD").isNegative()).isTrue();
    assertThat(Money.of(0, "USD").isNegative()).isFalse();
  }

  @Test
  @DisplayName("throws instead of wrapping when a sum, a difference or a negation overflows")
  void overflowThrows() {
    Money max = Money.of(Long.MAX_VALUE, "USD");
    Money min = Money.of(Long.MIN_VALUE, "USD");

    assertThatThrownBy(() -> max.plus(Money.of(1, "USD"))).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> min.minus(Money.of(1, "USD"))).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> min.plus(Money.of(-1, "USD"))).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> max.minus(Money.of(-1, "USD"))).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(min::negated).isInstanceOf(ArithmeticException.class);
  }

  @Test
  @DisplayName("refuses to mix currencies and names both in the message")
  void currencyMismatch() {
    assertThatThrownBy(() -> Money.of(100, "USD").plus(Money.of(100, "JPY")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("USD")
        .hasMessageContaining("JPY");
    assertThatThrownBy(() -> Money.of(100, "KWD").minus(Money.of(100, "USD")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KWD")
        .hasMessageContaining("USD");
  }

  @Test
  @DisplayName("refuses currencies without a minor unit and codes that are not accepted")
  void refusesCurrenciesWithoutMinorUnit() {
    assertThatThrownBy(() -> new Money(1, Currency.getInstance("XAU")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("XAU");
    assertThatThrownBy(() -> Money.of(1, "usd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("usd");
    assertThatThrownBy(() -> new Money(1, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("prints minor units and the code, never a decimal")
  void printsMinorUnits() {
    assertThat(Money.of(12345, "KWD")).hasToString("12345 KWD (minor units)");
    assertThat(Money.of(12345, "KWD").currencyCode()).isEqualTo("KWD");
  }
}
