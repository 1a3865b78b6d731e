package dev.kopek.gateway.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Hosted page text")
class PageTextTest {

  @Test
  @DisplayName("HTML escaping covers the five characters that can open markup or end an attribute")
  void html() {
    assertThat(PageText.html("<a href='x'>\"&\"</a>"))
        .isEqualTo("&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
    assertThat(PageText.html(null)).isEmpty();
    assertThat(PageText.html("plain")).isEqualTo("plain");
  }

  @Test
  @DisplayName("JS literals escape quotes, backslashes, controls and what could end the script")
  void js() {
    assertThat(PageText.js("a'b\"c\\d\ne\u0001<>&"))
        .isEqualTo("\"a\\u0027b\\\"c\\\\d\\ne\\u0001\\u003c\\u003e\\u0026\"");
    assertThat(PageText.js("</script>\u2028\u2029\u007f\r\t"))
        .isEqualTo("\"\\u003c/script\\u003e\\u2028\\u2029\\u007f\\r\\t\"");
    assertThat(PageText.js(null)).isEqualTo("null");
  }

  @Test
  @DisplayName("amounts use the currency's exponent, and minor units when there is none")
  void amount() {
    assertThat(PageText.amount(2000, "USD")).isEqualTo("20.00 USD");
    assertThat(PageText.amount(1000, "jpy")).isEqualTo("1000 JPY");
    assertThat(PageText.amount(1500, "KWD")).isEqualTo("1.500 KWD");
    assertThat(PageText.amount(-5, "EUR")).isEqualTo("-0.05 EUR");
    assertThat(PageText.amount(7, "XAU")).isEqualTo("7 XAU");
    assertThat(PageText.amount(7, "ZZZ")).isEqualTo("7 ZZZ");
    assertThat(PageText.amount(7, null)).isEqualTo("7");
  }
}
