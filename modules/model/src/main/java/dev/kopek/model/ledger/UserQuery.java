package dev.kopek.model.ledger;

import dev.kopek.model.Currencies;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import io.vertx.core.json.JsonObject;

/**
 * A page request over the users that have wallets (a wallet that has had an entry), for
 * administrators ({@link LedgerAddresses#USERS_LIST}).
 *
 * @param currency only users with a wallet in this currency, or null for every user; the balance
 *     bounds and the balance orders are about the wallet in this currency, so they need it
 * @param balanceMinMinor only users whose balance in {@code currency} is at least this, or null
 * @param balanceMaxMinor only users whose balance in {@code currency} is at most this, or null
 * @param sort the order
 * @param limit page size, 1 to {@link Limits#PAGE_LIMIT_MAX}
 * @param startingAfter the {@code next_cursor} of the previous page (opaque), or null for the first
 *     page; it belongs to the order (and, for a balance order, the currency) it was made for
 * @param userIdPrefix only users whose id starts with this (case-sensitive), or null
 */
public record UserQuery(
    String currency,
    Long balanceMinMinor,
    Long balanceMaxMinor,
    UserSort sort,
    int limit,
    String startingAfter,
    String userIdPrefix) {

  /** Longest cursor accepted: a user id of {@link Limits#USER_ID_LENGTH_MAX} fits with room. */
  public static final int CURSOR_LENGTH_MAX = 1024;

  /** A query without a user id prefix. */
  public UserQuery(
      String currency,
      Long balanceMinMinor,
      Long balanceMaxMinor,
      UserSort sort,
      int limit,
      String startingAfter) {
    this(currency, balanceMinMinor, balanceMaxMinor, sort, limit, startingAfter, null);
  }

  /** Checks bounds and that the filters and the order fit together; fails naming the field. */
  public UserQuery {
    if (userIdPrefix != null
        && (userIdPrefix.isEmpty() || userIdPrefix.length() > Limits.USER_ID_LENGTH_MAX)) {
      throw Failure.invalid(
              "user_id_prefix",
              "user_id_prefix must be 1 to " + Limits.USER_ID_LENGTH_MAX + " characters")
          .toException();
    }
    sort = sort == null ? UserSort.USER_ID : sort;
    if (limit < 1 || limit > Limits.PAGE_LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be between 1 and " + Limits.PAGE_LIMIT_MAX)
          .toException();
    }
    if (currency != null) {
      Currencies.checked("currency", currency);
    }
    checkBalance("balance_min_minor", balanceMinMinor, currency);
    checkBalance("balance_max_minor", balanceMaxMinor, currency);
    if (sort.byBalance() && currency == null) {
      throw Failure.invalid(
              "sort",
              "sort="
                  + sort.wireName()
                  + " orders by the balance of one currency: give currency as well")
          .toException();
    }
    if (balanceMinMinor != null
        && balanceMaxMinor != null
        && balanceMinMinor.longValue() > balanceMaxMinor.longValue()) {
      throw Failure.invalid(
              "balance_min_minor", "balance_min_minor must not be above balance_max_minor")
          .toException();
    }
    if (startingAfter != null
        && (startingAfter.isEmpty() || startingAfter.length() > CURSOR_LENGTH_MAX)) {
      throw Failure.invalid(
              "starting_after", "starting_after must be the next_cursor of the previous page")
          .toException();
    }
  }

  private static void checkBalance(String field, Long bound, String currency) {
    if (bound == null) {
      return;
    }
    if (currency == null) {
      throw Failure.invalid(
              field, field + " bounds the balance of one currency: give currency as well")
          .toException();
    }
    if (bound < 0) {
      throw Failure.invalid(field, field + " must be 0 or more").toException();
    }
  }

  /** The same query for the page after {@code cursor}. */
  public UserQuery after(String cursor) {
    return new UserQuery(
        currency, balanceMinMinor, balanceMaxMinor, sort, limit, cursor, userIdPrefix);
  }

  /** The JSON form sent to {@link LedgerAddresses#USERS_LIST}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("currency", currency)
        .put("balance_min_minor", balanceMinMinor)
        .put("balance_max_minor", balanceMaxMinor)
        .put("sort", sort.wireName())
        .put("limit", limit)
        .put("starting_after", startingAfter)
        .put("user_id_prefix", userIdPrefix);
  }

  /** Reads and validates the JSON form; every field is optional. */
  public static UserQuery fromJson(JsonObject json) {
    Object limit = json.getValue("limit", Limits.PAGE_LIMIT_DEFAULT);
    if (!(limit instanceof Integer)) {
      throw Failure.invalid("limit", "limit must be an integer").toException();
    }
    String sort = Fields.optionalString(json, "sort", 16);
    return new UserQuery(
        Fields.optionalString(json, "currency", 3),
        optionalLong(json, "balance_min_minor"),
        optionalLong(json, "balance_max_minor"),
        sort == null
            ? UserSort.USER_ID
            : UserSort.fromWireName(sort)
                .orElseThrow(
                    () ->
                        Failure.invalid("sort", "sort must be user_id, balance or -balance")
                            .toException()),
        (Integer) limit,
        Fields.optionalString(json, "starting_after", CURSOR_LENGTH_MAX),
        Fields.optionalString(json, "user_id_prefix", Limits.USER_ID_LENGTH_MAX));
  }

  private static Long optionalLong(JsonObject json, String field) {
    return json.getValue(field) == null ? null : Fields.requireLong(json, field);
  }
}
