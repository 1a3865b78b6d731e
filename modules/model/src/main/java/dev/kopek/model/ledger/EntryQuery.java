package dev.kopek.model.ledger;

import dev.kopek.model.Currencies;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A page request over the transaction log, newest first.
 *
 * @param userId whose entries; null only for administrators reading every wallet
 * @param currency only this currency, or null
 * @param kind only this kind, or null
 * @param from only entries created at or after this instant, or null
 * @param to only entries created before this instant, or null
 * @param limit page size, 1 to {@link Limits#PAGE_LIMIT_MAX} (internal callers such as the CSV
 *     export may ask up to {@link #INTERNAL_LIMIT_MAX})
 * @param startingAfter the id of the last entry of the previous page, or null for the first page
 */
public record EntryQuery(
    String userId,
    String currency,
    EntryKind kind,
    Instant from,
    Instant to,
    int limit,
    Long startingAfter) {

  /** Largest page internal readers (the CSV export) may request in one round trip. */
  public static final int INTERNAL_LIMIT_MAX = 1000;

  /** Checks bounds; a violation is a {@link Failure} naming the field. */
  public EntryQuery {
    if (limit < 1 || limit > INTERNAL_LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be between 1 and " + INTERNAL_LIMIT_MAX)
          .toException();
    }
    if (currency != null) {
      Currencies.checked("currency", currency);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw Failure.invalid("from", "from must be before to").toException();
    }
  }

  /** The same query for the page after the entry with id {@code lastId}. */
  public EntryQuery after(long lastId) {
    return new EntryQuery(userId, currency, kind, from, to, limit, lastId);
  }

  /** The JSON form sent to {@link LedgerAddresses#ENTRIES_LIST}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("user_id", userId)
        .put("currency", currency)
        .put("kind", kind == null ? null : kind.wireName())
        .put("from", from == null ? null : from.toString())
        .put("to", to == null ? null : to.toString())
        .put("limit", limit)
        .put("starting_after", startingAfter);
  }

  /** Reads and validates the JSON form. */
  public static EntryQuery fromJson(JsonObject json) {
    String kind = Fields.optionalString(json, "kind", 32);
    Object limit = json.getValue("limit", Limits.PAGE_LIMIT_DEFAULT);
    Object after = json.getValue("starting_after");
    if (!(limit instanceof Integer)) {
      throw Failure.invalid("limit", "limit must be an integer").toException();
    }
    if (after != null && !(after instanceof Integer || after instanceof Long)) {
      throw Failure.invalid("starting_after", "starting_after must be an entry id").toException();
    }
    return new EntryQuery(
        Fields.optionalString(json, "user_id", Limits.USER_ID_LENGTH_MAX),
        Fields.optionalString(json, "currency", 3),
        kind == null
            ? null
            : EntryKind.fromWireName(kind)
                .orElseThrow(() -> Failure.invalid("kind", "unknown kind " + kind).toException()),
        Fields.optionalInstant(json, "from"),
        Fields.optionalInstant(json, "to"),
        (Integer) limit,
        after == null ? null : ((Number) after).longValue());
  }
}
