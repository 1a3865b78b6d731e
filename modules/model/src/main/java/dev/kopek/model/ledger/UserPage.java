package dev.kopek.model.ledger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One page of users with wallets, in the query's order.
 *
 * @param data the users
 * @param hasMore whether more users match beyond this page
 * @param nextCursor what to pass as {@code starting_after} for the next page; null when {@code
 *     hasMore} is false
 */
public record UserPage(List<UserWallets> data, boolean hasMore, String nextCursor) {

  /** Keeps an unmodifiable copy of the users. */
  public UserPage {
    data = List.copyOf(data);
  }

  /** The JSON form, {@code {"data":[...],"has_more":...,"next_cursor":...}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    data.forEach(user -> array.add(user.toJson()));
    return new JsonObject()
        .put("data", array)
        .put("has_more", hasMore)
        .put("next_cursor", nextCursor);
  }

  /** Reads the JSON form. */
  public static UserPage fromJson(JsonObject json) {
    return new UserPage(
        json.getJsonArray("data").stream()
            .map(JsonObject.class::cast)
            .map(UserWallets::fromJson)
            .toList(),
        Boolean.TRUE.equals(json.getBoolean("has_more")),
        json.getString("next_cursor"));
  }
}
