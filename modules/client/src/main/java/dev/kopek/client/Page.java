package dev.kopek.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, newest first.
 *
 * @param data the items
 * @param hasMore whether older items follow this page (pass the last one's id as {@code
 *     starting_after})
 * @param <T> the record listed
 */
public record Page<T>(List<T> data, boolean hasMore) {

  /** Keeps an unmodifiable copy of the items. */
  public Page {
    data = List.copyOf(data);
  }

  static <T> Page<T> fromJson(JsonObject json, Function<JsonObject, T> reader) {
    return new Page<>(Json.list(json, reader), Boolean.TRUE.equals(json.getBoolean("has_more")));
  }

  /** The JSON form, {@code {"data":[...],"has_more":...}}. */
  public JsonObject toJson(Function<T, JsonObject> writer) {
    JsonArray array = new JsonArray();
    data.forEach(item -> array.add(writer.apply(item)));
    return new JsonObject().put("data", array).put("has_more", hasMore);
  }
}
