package dev.kopek.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** Reading replies: the fields every record shares. */
final class Json {

  private Json() {}

  static Instant instant(JsonObject json, String field) {
    String text = json.getString(field);
    return text == null ? null : Instant.parse(text);
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  static <T> List<T> list(JsonObject json, Function<JsonObject, T> reader) {
    JsonArray data = json.getJsonArray("data");
    return data == null
        ? List.of()
        : data.stream().map(JsonObject.class::cast).map(reader).toList();
  }

  static <T> JsonObject data(List<T> items, Function<T, JsonObject> writer) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(writer.apply(item)));
    return new JsonObject().put("data", array);
  }
}
