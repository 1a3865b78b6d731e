package dev.kopek.gateway.sandbox;

import dev.kopek.gateway.spi.SubmitResult;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The card fields the checkout page posts, checked the way a card form checks them. */
final class CardForm {

  static final String NUMBER = "card_number";
  static final String EXPIRY = "card_expiry";
  static final String CVC = "card_cvc";

  private static final Pattern EXPIRY_FORMAT = Pattern.compile("(\\d{2})\\s*/\\s*(\\d{2})");
  private static final Pattern CVC_FORMAT = Pattern.compile("\\d{3,4}");

  private CardForm() {}

  /**
   * Checks the fields.
   *
   * @param form the posted fields
   * @param today the month the card must not have expired before
   * @return the card number's digits, or the first field to fix
   */
  static Checked check(Map<String, String> form, YearMonth today) {
    String number = text(form, NUMBER).replace(" ", "");
    if (number.isEmpty()) {
      return invalid(NUMBER, "Enter the card number.");
    }
    if (!number.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return invalid(NUMBER, "The card number may contain only digits and spaces.");
    }
    if (number.length() < 12 || number.length() > 19) {
      return invalid(NUMBER, "The card number must be 12 to 19 digits long.");
    }
    if (!luhn(number)) {
      return invalid(NUMBER, "The card number is not valid; check it for typos.");
    }

    Matcher expiry = EXPIRY_FORMAT.matcher(text(form, EXPIRY).trim());
    if (!expiry.matches()) {
      return invalid(EXPIRY, "Enter the expiry date as MM/YY.");
    }
    YearMonth expires;
    try {
      expires =
          YearMonth.of(2000 + Integer.parseInt(expiry.group(2)), Integer.parseInt(expiry.group(1)));
    } catch (DateTimeException badMonth) {
      return invalid(EXPIRY, "The expiry month must be 01 to 12.");
    }
    // A card is valid through the last day of its expiry month.
    if (expires.isBefore(today)) {
      return invalid(EXPIRY, "The card has expired.");
    }

    if (!CVC_FORMAT.matcher(text(form, CVC).trim()).matches()) {
      return invalid(CVC, "The CVC must be 3 or 4 digits.");
    }
    return new Checked(number, null);
  }

  /** Whether a number passes the Luhn check digit test all payment cards carry. */
  static boolean luhn(String digits) {
    int sum = 0;
    boolean doubled = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int digit = digits.charAt(i) - '0';
      if (doubled) {
        digit *= 2;
        if (digit > 9) {
          digit -= 9;
        }
      }
      sum += digit;
      doubled = !doubled;
    }
    return sum % 10 == 0;
  }

  private static String text(Map<String, String> form, String field) {
    String value = form == null ? null : form.get(field);
    return value == null ? "" : value;
  }

  private static Checked invalid(String field, String message) {
    return new Checked(null, new SubmitResult.Invalid(field, message));
  }

  /**
   * The outcome of the checks: the digits when valid, else the error.
   *
   * @param digits the card number's digits, or null
   * @param invalid the first field to fix, or null
   */
  record Checked(String digits, SubmitResult.Invalid invalid) {}
}
