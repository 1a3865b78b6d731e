package dev.kopek.model.ledger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A user and every wallet of theirs that has had an entry, by currency.
 *
 * @param userId the user
 * @param wallets the wallets, ordered by currency
 */
public record UserWallets(String userId, List<Wallet> wallets) {

  /** Keeps an unmodifiable copy of the wallets. */
  public UserWallets {
    wallets = List.copyOf(wallets);
  }

  /** The JSON form, {@code {"user_id":"alice","wallets":[Wallet...]}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    wallets.forEach(wallet -> array.add(wallet.toJson()));
    return new JsonObject().put("user_id", userId).put("wallets", array);
  }

  /** Reads the JSON form. */
  public static UserWallets fromJson(JsonObject json) {
    return new UserWallets(
        json.getString("user_id"),
        json.getJsonArray("wallets").stream()
            .map(JsonObject.class::cast)
            .map(Wallet::fromJson)
            .toList());
  }
}
