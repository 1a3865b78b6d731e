package dev.kopek.model.ledger;

import java.util.Arrays;
import java.util.Optional;

/**
 * The order of a page of users ({@link UserQuery}); ties on a balance are broken by user id, so
 * that every user has one place in the order and a cursor never skips or repeats one.
 */
public enum UserSort {
  /** By user id. */
  USER_ID("user_id"),
  /** By the balance of the query's currency, lowest first, then by user id. */
  BALANCE("balance"),
  /** By the balance of the query's currency, highest first, then by user id. */
  BALANCE_DESCENDING("-balance");

  private final String wireName;

  UserSort(String wireName) {
    this.wireName = wireName;
  }

  /** The wire form: {@code user_id}, {@code balance} or {@code -balance}. */
  public String wireName() {
    return wireName;
  }

  /** Whether the order is by a balance (which needs the query's currency). */
  public boolean byBalance() {
    return this != USER_ID;
  }

  /** Finds the order with this wire form. */
  public static Optional<UserSort> fromWireName(String wireName) {
    return Arrays.stream(values()).filter(s -> s.wireName.equals(wireName)).findFirst();
  }
}
