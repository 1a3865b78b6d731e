package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;

@Label("Money arithmetic")
class MoneyPropertiesTest {

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private static boolean fitsInLong(BigInteger value) {
    return value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0;
  }

  @Property(tries = 500)
  @Label("a sum is the exact sum of the amounts or an overflow error, never a wrapped value")
  void plusIsExactOrThrows(@ForAll long a, @ForAll long b) {
    BigInteger exact = BigInteger.valueOf(a).add(BigInteger.valueOf(b));
    if (fitsInLong(exact)) {
      assertThat(Money.of(a, "KWD").plus(Money.of(b, "KWD")).amountMinor())
          .isEqualTo(exact.longValueExact());
    } else {
      assertThatThrownBy(() -> Money.of(a, "KWD").plus(Money.of(b, "KWD")))
          .isInstanceOf(ArithmeticException.class);
    }
  }

  @Property(tries = 500)
  @Label("a difference is the exact difference of the amounts or an overflow error")
  void minusIsExactOrThrows(@ForAll long a, @ForAll long b) {
    BigInteger exact = BigInteger.valueOf(a).subtract(BigInteger.valueOf(b));
    if (fitsInLong(exact)) {
      assertThat(Money.of(a, "JPY").minus(Money.of(b, "JPY")).amountMinor())
          .isEqualTo(exact.longValueExact());
    } else {
      assertThatThrownBy(() -> Money.of(a, "JPY").minus(Money.of(b, "JPY")))
          .isInstanceOf(ArithmeticException.class);
    }
  }
}
