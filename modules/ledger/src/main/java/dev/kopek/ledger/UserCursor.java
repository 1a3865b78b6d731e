package dev.kopek.ledger;

import dev.kopek.model.Failure;
import dev.kopek.model.ledger.UserQuery;
import dev.kopek.model.ledger.UserSort;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The position after a user in a page of users: the order's key of that user (its balance in the
 * query's currency for a balance order, and its id). Callers see it as an opaque string, the
 * URL-safe Base64 of {@code v1 LF sort LF currency LF balance LF user_id}: the user id comes last,
 * so it may hold any character.
 *
 * @param sort the order the cursor was made for
 * @param currency the currency of a balance order, or empty
 * @param balanceMinor the user's balance in that currency (0 for the order by user id)
 * @param userId the user
 */
record UserCursor(UserSort sort, String currency, long balanceMinor, String userId) {

  private static final String VERSION = "v1";

  /** The cursor after {@code userId}, whose balance in the query's currency is {@code balance}. */
  static UserCursor after(UserQuery query, long balanceMinor, String userId) {
    return query.sort().byBalance()
        ? new UserCursor(query.sort(), query.currency(), balanceMinor, userId)
        : new UserCursor(query.sort(), "", 0, userId);
  }

  String encode() {
    String text = String.join("\n", VERSION, sort.wireName(), currency, "" + balanceMinor, userId);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads the query's {@code starting_after}: a cursor this ledger made for the same order (and,
   * for a balance order, the same currency), else a failure naming {@code starting_after}.
   */
  static UserCursor decode(UserQuery query) {
    String[] parts;
    try {
      parts =
          new String(Base64.getUrlDecoder().decode(query.startingAfter()), StandardCharsets.UTF_8)
              .split("\n", 5);
    } catch (IllegalArgumentException notBase64) {
      throw invalid("starting_after must be the next_cursor of the previous page");
    }
    if (parts.length != 5 || !VERSION.equals(parts[0]) || parts[4].isEmpty()) {
      throw invalid("starting_after must be the next_cursor of the previous page");
    }
    UserSort sort =
        UserSort.fromWireName(parts[1])
            .orElseThrow(
                () -> invalid("starting_after must be the next_cursor of the previous page"));
    long balance;
    try {
      balance = Long.parseLong(parts[3]);
    } catch (NumberFormatException notNumber) {
      throw invalid("starting_after must be the next_cursor of the previous page");
    }
    if (sort != query.sort() || (sort.byBalance() && !parts[2].equals(query.currency()))) {
      throw invalid(
          "starting_after is the cursor of another order or currency; start again without it");
    }
    return new UserCursor(sort, parts[2], balance, parts[4]);
  }

  private static Failure.FailureException invalid(String detail) {
    return Failure.invalid("starting_after", detail).toException();
  }
}
