package dev.kopek.gateway.spi;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;

/**
 * Text for Kopek's hosted pages, shared by every provider's part of the page and by Kopek's own
 * page around it: escaping for HTML and for inline scripts, and amounts as a payer reads them. JDK
 * only, like the rest of the SPI.
 */
public final class PageText {

  private PageText() {}

  /**
   * Escapes text for HTML content and quoted attribute values.
   *
   * @param text the text, or null (which becomes empty)
   * @return the escaped text
   */
  public static String html(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A JavaScript string literal (or {@code null}) safe inside an inline script: besides quotes and
   * control characters, {@code <}, {@code >}, {@code &} and {@code '} are escaped so that no value
   * can close the script element or open a comment, and U+2028/U+2029, which end lines in older
   * engines.
   *
   * @param text the text, or null
   * @return the literal, quotes included, or {@code null}
   */
  public static String js(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20
              || c == '<'
              || c == '>'
              || c == '&'
              || c == '\''
              || c == '\u2028'
              || c == '\u2029'
              || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * An amount as the payer reads it: major units with the currency's exponent, then the code
   * ({@code 20.00 USD}, {@code 1000 JPY}, {@code 1.500 KWD}, {@code -0.05 EUR}). A currency without
   * an exponent (XAU) or unknown to the JDK is shown in minor units as given, never guessed.
   *
   * @param amountMinor the amount in minor units
   * @param currency ISO 4217 code, or null
   * @return the text, not escaped
   */
  public static String amount(long amountMinor, String currency) {
    String code = currency == null ? "" : currency.trim().toUpperCase(Locale.ROOT);
    int exponent;
    try {
      exponent = Currency.getInstance(code).getDefaultFractionDigits();
    } catch (IllegalArgumentException unknown) {
      exponent = -1;
    }
    String number =
        exponent < 0
            ? Long.toString(amountMinor)
            : BigDecimal.valueOf(amountMinor, exponent).toPlainString();
    return code.isEmpty() ? number : number + " " + code;
  }
}
