package dev.kopek.model;

import io.vertx.core.json.JsonObject;

/**
 * Reading the fields of event-bus requests that every capability validates the same way; a bad
 * value fails with a {@link Failure} naming the field.
 */
public final class Requests {

  private Requests() {}

  /**
   * A required, non-blank string: the one rule for text in Kopek's requests (see {@link
   * #optionalText}).
   *
   * @param body the request
   * @param field the field's name
   * @param maxLength the longest value accepted
   * @return the value
   */
  public static String text(JsonObject body, String field, int maxLength) {
    String value = optionalText(body, field, maxLength);
    if (value == null || value.isBlank()) {
      throw Failure.invalid(field, field + " is required").toException();
    }
    return value;
  }

  /**
   * An optional string of at most {@code maxLength} characters, none of them a control character
   * (ids, keys, reasons and references end up in logs, CSV exports and hash chains, where a control
   * character could forge a line).
   *
   * @param body the request
   * @param field the field's name
   * @param maxLength the longest value accepted
   * @return the value, or null when absent
   */
  public static String optionalText(JsonObject body, String field, int maxLength) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw Failure.invalid(field, field + " must be a string").toException();
    }
    if (text.length() > maxLength) {
      throw Failure.invalid(field, field + " must be at most " + maxLength + " characters")
          .toException();
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        throw Failure.invalid(field, field + " must not contain control characters").toException();
      }
    }
    return text;
  }

  /**
   * A required whole amount of minor units from 1 to {@link Limits#AMOUNT_MINOR_MAX}.
   *
   * @param body the request
   * @param field the field's name
   * @return the amount
   */
  public static long amountMinor(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long)
        || ((Number) value).longValue() < 1
        || ((Number) value).longValue() > Limits.AMOUNT_MINOR_MAX) {
      throw Failure.invalid(
              field, field + " must be an integer from 1 to " + Limits.AMOUNT_MINOR_MAX)
          .toException();
    }
    return ((Number) value).longValue();
  }

  /**
   * A required {@code currency}: an accepted ISO 4217 code.
   *
   * @param body the request
   * @return the code
   */
  public static String currency(JsonObject body) {
    Object value = body.getValue("currency");
    return Currencies.checked("currency", value instanceof String code ? code : null);
  }

  /**
   * The {@code from} and {@code to} times (RFC 3339) of a request over a period: both required,
   * {@code from} before {@code to}, at most {@code maxDays} apart.
   */
  public static java.time.Instant[] period(JsonObject body, int maxDays) {
    java.time.Instant from = instant(body, "from");
    java.time.Instant to = instant(body, "to");
    if (!from.isBefore(to)) {
      throw Failure.invalid("from", "from must be before to").toException();
    }
    if (java.time.Duration.between(from, to).toDays() > maxDays) {
      throw Failure.invalid("to", "to must be at most " + maxDays + " days after from")
          .toException();
    }
    return new java.time.Instant[] {from, to};
  }

  private static java.time.Instant instant(JsonObject body, String field) {
    String text = text(body, field, 64);
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw Failure.invalid(field, field + " must be an RFC 3339 time").toException();
    }
  }
}
