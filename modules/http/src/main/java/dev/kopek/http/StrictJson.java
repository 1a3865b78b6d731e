package dev.kopek.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kopek.model.Failure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes request bodies into the same values as Vert.x's own JSON decoding (objects as {@link
 * JsonObject} at the top and maps below, numbers as Jackson reads them), in one pass, but refuses
 * what that decoding lets through silently:
 *
 * <ul>
 *   <li>a key that appears twice in one object (the last one would win, so {@code
 *       {"amount_minor":1,"amount_minor":2}} would be a charge of 2);
 *   <li>a string with an unpaired UTF-16 surrogate, from an escape such as {@code \udc00} or a high
 *       surrogate not followed by a low one: it has no UTF-8 form, and the database would store it
 *       as {@code ?}.
 * </ul>
 *
 * Either is a 400 naming the field (dotted for nested fields). Detecting duplicates costs nothing
 * extra: the decoded object's size does not grow when a key repeats.
 */
final class StrictJson {

  /** Jackson's defaults; Vert.x's decoder uses the same read constraints unless overridden. */
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private StrictJson() {}

  /**
   * The body's value: {@link JsonObject}, {@link JsonArray}, a string, number, boolean or null.
   *
   * @throws Failure.FailureException a 400 naming the field, or {@code body} when the body is not
   *     JSON at all
   */
  static Object decode(Buffer body) {
    try (JsonParser parser = FACTORY.createParser(body.getBytes())) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw notJson();
      }
      Object value = any(parser, "");
      if (parser.nextToken() != null) {
        throw notJson();
      }
      if (value instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) map;
        return new JsonObject(object);
      }
      if (value instanceof List<?> list) {
        return new JsonArray(list);
      }
      return value;
    } catch (IOException malformed) {
      throw notJson();
    }
  }

  private static Failure.FailureException notJson() {
    return Failure.invalid("body", "the request body is not valid JSON").toException();
  }

  private static Object any(JsonParser parser, String path) throws IOException {
    return switch (parser.currentToken()) {
      case START_OBJECT -> object(parser, path);
      case START_ARRAY -> array(parser, path);
      case VALUE_STRING -> text(parser.getText(), path);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw notJson();
    };
  }

  private static Map<String, Object> object(JsonParser parser, String path) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      if (!wellFormed(name)) {
        throw Failure.invalid(
                path.isEmpty() ? "body" : path,
                "a key in "
                    + (path.isEmpty() ? "the body" : path)
                    + " has an unpaired UTF-16 surrogate escape")
            .toException();
      }
      String field = path.isEmpty() ? name : path + "." + name;
      parser.nextToken();
      int size = map.size();
      map.put(name, any(parser, field));
      if (map.size() == size) {
        throw Failure.invalid(field, field + " appears more than once; send each key once")
            .toException();
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT) {
      throw notJson();
    }
    return map;
  }

  private static List<Object> array(JsonParser parser, String path) throws IOException {
    List<Object> list = new ArrayList<>();
    for (JsonToken token = parser.nextToken();
        token != JsonToken.END_ARRAY;
        token = parser.nextToken()) {
      if (token == null) {
        throw notJson();
      }
      list.add(any(parser, (path.isEmpty() ? "" : path + ".") + list.size()));
    }
    return list;
  }

  private static String text(String value, String path) {
    if (!wellFormed(value)) {
      String field = path.isEmpty() ? "body" : path;
      throw Failure.invalid(
              field,
              field
                  + " has an unpaired UTF-16 surrogate (such as the escape "
                  + "\\udc00, or a high surrogate without its low one); it is not valid Unicode")
          .toException();
    }
    return value;
  }

  /** Whether every surrogate in {@code text} is part of a high-low pair. */
  static boolean wellFormed(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return false;
        }
      }
    }
    return true;
  }
}
