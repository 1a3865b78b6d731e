package dev.kopek.model.ledger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One page of the transaction log, newest first.
 *
 * @param data the entries
 * @param hasMore whether older entries match the query beyond this page
 */
public record EntryPage(List<Entry> data, boolean hasMore) {

  /** The JSON form, {@code {"data":[...],"has_more":...}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    data.forEach(entry -> array.add(entry.toJson()));
    return new JsonObject().put("data", array).put("has_more", hasMore);
  }

  /** Reads the JSON form. */
  public static EntryPage fromJson(JsonObject json) {
    List<Entry> entries =
        json.getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .map(Entry::fromJson)
            .toList();
    return new EntryPage(entries, json.getBoolean("has_more"));
  }
}
