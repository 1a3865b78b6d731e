package dev.kopek.model.ledger;

import dev.kopek.model.Instants;
import dev.kopek.model.JsonText;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One line of a user's transaction log: the wallet's side of a posting. Entries are immutable; a
 * correction is a new entry.
 *
 * @param id the entry's id, increasing in commit order (the pagination cursor)
 * @param userId the wallet's owner
 * @param currency ISO 4217 code
 * @param amountMinor signed: positive credited the wallet, negative debited it
 * @param balanceAfterMinor the wallet's balance right after this entry
 * @param kind what caused it
 * @param reason the sentence shown to the user
 * @param reference what caused it (payment id, billing period), or null
 * @param counterAccount the system account on the other side, e.g. {@code revenue:USD}
 * @param createdAt when it was committed, microsecond precision
 */
public record Entry(
    long id,
    String userId,
    String currency,
    long amountMinor,
    long balanceAfterMinor,
    EntryKind kind,
    String reason,
    String reference,
    String counterAccount,
    Instant createdAt) {

  /** The JSON form used in replies, facts and the API. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("user_id", userId)
        .put("currency", currency)
        .put("amount_minor", amountMinor)
        .put("balance_after_minor", balanceAfterMinor)
        .put("kind", kind.wireName())
        .put("reason", reason)
        .put("reference", reference)
        .put("counter_account", counterAccount)
        .put("created_at", Instants.format(createdAt));
  }

  /**
   * The text of {@link #toJson()}, to the character, written without building the object: the body
   * of every charge's reply.
   */
  public String toJsonText() {
    return new StringBuilder(256)
        .append("{\"id\":")
        .append(id)
        .append(",\"user_id\":")
        .append(JsonText.quote(userId))
        .append(",\"currency\":")
        .append(JsonText.quote(currency))
        .append(",\"amount_minor\":")
        .append(amountMinor)
        .append(",\"balance_after_minor\":")
        .append(balanceAfterMinor)
        .append(",\"kind\":")
        .append(JsonText.quote(kind.wireName()))
        .append(",\"reason\":")
        .append(JsonText.quote(reason))
        .append(",\"reference\":")
        .append(JsonText.quote(reference))
        .append(",\"counter_account\":")
        .append(JsonText.quote(counterAccount))
        .append(",\"created_at\":")
        .append(JsonText.quote(Instants.format(createdAt)))
        .append('}')
        .toString();
  }

  /** Reads the JSON form written by {@link #toJson()}. */
  public static Entry fromJson(JsonObject json) {
    return new Entry(
        json.getLong("id"),
        json.getString("user_id"),
        json.getString("currency"),
        json.getLong("amount_minor"),
        json.getLong("balance_after_minor"),
        EntryKind.fromWireName(json.getString("kind")).orElseThrow(),
        json.getString("reason"),
        json.getString("reference"),
        json.getString("counter_account"),
        Instants.parse(json.getString("created_at")));
  }
}
