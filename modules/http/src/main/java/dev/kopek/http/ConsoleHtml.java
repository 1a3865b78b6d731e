package dev.kopek.http;

import dev.kopek.gateway.spi.PageText;
import dev.kopek.model.Currencies;
import dev.kopek.model.Failure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Currency;

/** The small pieces of HTML the console's pages are built from; every text is escaped here. */
final class ConsoleHtml {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private ConsoleHtml() {}

  static String h(Object text) {
    return PageText.html(text == null ? "" : String.valueOf(text));
  }

  static String url(String part) {
    return URLEncoder.encode(part == null ? "" : part, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String time(Instant instant) {
    return instant == null
        ? ""
        : "<time datetime=\"" + instant + "\">" + TIME.format(instant) + "</time>";
  }

  static String time(String rfc3339) {
    if (rfc3339 == null) {
      return "";
    }
    try {
      return time(Instant.parse(rfc3339));
    } catch (RuntimeException odd) {
      return h(rfc3339);
    }
  }

  /**
   * An amount as a table cell, with its minor units in {@code data-minor} for scripts and tests.
   */
  static String amountCell(long minor, String currency) {
    return "<td class=\"num\" data-minor=\""
        + minor
        + "\">"
        + h(PageText.amount(minor, currency))
        + "</td>";
  }

  static String amount(long minor, String currency) {
    return h(PageText.amount(minor, currency));
  }

  /**
   * Minor units from what an operator typed in major units ({@code 12.50} USD is 1250): no more
   * decimals than the currency has, no floating point.
   *
   * @throws Failure.FailureException naming {@code field} when it is not such an amount
   */
  static long minorUnits(String field, String typed, String currency) {
    Currency found = Currencies.require(Currencies.checked("currency", currency));
    int exponent = Currencies.exponent(found);
    try {
      BigDecimal major = new BigDecimal(typed == null ? "" : typed.trim());
      return major.movePointRight(Math.max(exponent, 0)).longValueExact();
    } catch (NumberFormatException | ArithmeticException invalid) {
      throw Failure.invalid(
              field,
              "amount must be a number with at most "
                  + Math.max(exponent, 0)
                  + " decimals, such as "
                  + PageText.amount(1250, found.getCurrencyCode()).split(" ")[0])
          .toException();
    }
  }

  static String card(String title, String body) {
    return "<section class=\"card\"><h2>" + h(title) + "</h2>" + body + "</section>";
  }

  static String field(String label, String id, String input) {
    return "<div><label for=\"" + id + "\">" + h(label) + "</label>" + input + "</div>";
  }

  static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + h(name) + "\" value=\"" + h(value) + "\">";
  }

  /** A message box; {@code role=alert} for errors so screen readers announce it. */
  static String notice(String kind, String html) {
    return "<p class=\"notice "
        + kind
        + "\""
        + ("bad".equals(kind) ? " role=\"alert\"" : " role=\"status\"")
        + ">"
        + html
        + "</p>";
  }

  /** The query parameter {@code name}, or null when absent or blank. */
  static String query(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  static String form(RoutingContext ctx, String name) {
    String value = ctx.request().getFormAttribute(name);
    return value == null ? null : value.trim();
  }

  /**
   * The JSON object as a script element's text: {@code <} escaped, so it cannot end the element.
   */
  static String json(JsonObject value) {
    return value.encode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
  }
}
