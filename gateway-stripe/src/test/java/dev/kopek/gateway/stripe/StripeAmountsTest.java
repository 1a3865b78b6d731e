package dev.kopek.gateway.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Stripe amounts")
class StripeAmountsTest {

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "2000, USD, 2000",
    "1, EUR, 1",
    "1000, JPY, 1000",
    "1000, KRW, 1000",
    "1500, KWD, 1500",
    "10, BHD, 10",
    "5, ISK, 500",
    "1000, MGA, 10",
    "2000, usd, 2000"
  })
  @DisplayName("Kopek's minor units to Stripe's amount, and back")
  void roundTrip(long kopek, String currency, long stripe) throws Exception {
    assertThat(StripeAmounts.toStripe(kopek, currency)).isEqualTo(stripe);
    assertThat(StripeAmounts.fromStripe(stripe, currency)).isEqualTo(kopek);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"1505, KWD", "1, JOD", "999, OMR", "1001, TND", "1050, MGA", "100, XXX", "100, ABC"})
  @DisplayName("amounts Stripe cannot charge exactly are refused")
  void refused(long kopek, String currency) {
    assertThatThrownBy(() -> StripeAmounts.toStripe(kopek, currency))
        .isInstanceOf(StripeAmounts.Unrepresentable.class);
  }

  @Test
  @DisplayName("an ISK amount in fractions of a krona has no value in Kopek's units")
  void fractionalKrona() {
    assertThatThrownBy(() -> StripeAmounts.fromStripe(550, "isk"))
        .isInstanceOf(StripeAmounts.Unrepresentable.class);
  }
}
