package dev.kopek.model.ledger;

import io.vertx.core.json.JsonObject;

/**
 * The result of checking every wallet's hash chain, running balances and the zero sum per currency.
 *
 * @param ok whether everything checked out
 * @param walletsChecked how many wallets were walked
 * @param entriesChecked how many entries were walked
 * @param broken the first problem found, or null when {@code ok}
 */
public record VerifyReport(
    boolean ok, long walletsChecked, long entriesChecked, JsonObject broken) {

  /** The JSON form returned by {@code GET /v1/admin/ledger/verify}. */
  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("ok", ok)
            .put("wallets_checked", walletsChecked)
            .put("entries_checked", entriesChecked);
    if (broken != null) {
      json.put("broken", broken);
    }
    return json;
  }
}
