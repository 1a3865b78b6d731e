package dev.kopek.model;

import io.vertx.core.json.JsonObject;

/**
 * Reading the fields of event-bus requests that every capability validates the same way; a bad
 * value fails with a {@link Failure} naming the field.
 */
public final class Requests {

  private Requests() {}

  /**
   * A required, non-blank string of at most {@code maxLength} characters.
   *
   * @param body      the request
   * @param field     the field's name
   * @param maxLength the longest value accepted
   * @return the value
   */
  public static String text(JsonObject body, String field, int maxLength) {
    Object value = body.getValue(field);
    if (!(value instanceof String text) || text.isBlank() || text.length() > maxLength) {
      throw Failure.invalid(field, field + " is required, at most " + maxLength + " characters")
          .toException();
    }
    return text;
  }

  /**
   * A required whole amount of minor units from 1 to {@link Limits#AMOUNT_MINOR_MAX}.
   *
   * @param body  the request
   * @param field the field's name
   * @return the amount
   */
  public static long amountMinor(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1
        || ((Number) value).longValue() > Limits.AMOUNT_MINOR_MAX) {
      throw Failure.invalid(field, field + " must be an integer from 1 to " + Limits.AMOUNT_MINOR_MAX)
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
    if (!(value instanceof String code) || Currencies.find(code).isEmpty()) {
      throw Failure.invalid("currency", "currency must be an ISO 4217 code such as USD").toException();
    }
    return code;
  }
}
