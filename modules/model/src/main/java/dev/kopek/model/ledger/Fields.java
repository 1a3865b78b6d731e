package dev.kopek.model.ledger;

import dev.kopek.model.Failure;
import dev.kopek.model.Requests;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Typed field access for the contract's JSON that fails with a {@link Failure} naming the field.
 */
final class Fields {

  private Fields() {}

  static String requireString(JsonObject json, String field, int maxLength) {
    return Requests.text(json, field, maxLength);
  }

  static String optionalString(JsonObject json, String field, int maxLength) {
    return Requests.optionalText(json, field, maxLength);
  }

  static long requireLong(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw Failure.invalid(field, field + " must be an integer").toException();
  }

  static Instant optionalInstant(JsonObject json, String field) {
    String text = optionalString(json, field, 64);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw Failure.invalid(field, field + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z")
          .toException();
    }
  }
}
