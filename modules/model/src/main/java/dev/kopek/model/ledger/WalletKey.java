package dev.kopek.model.ledger;

import java.util.Objects;

/**
 * Which wallet: a user's balance in one currency. Used as a map key wherever wallets are looked up
 * or grouped together (balances read in one request, runs of a wallet kept apart).
 *
 * @param userId the owner
 * @param currency ISO 4217 code
 */
public record WalletKey(String userId, String currency) {

  /** Both parts are required: a wallet without an owner or a currency is a programming error. */
  public WalletKey {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(currency, "currency");
  }

  /** As logs name a wallet: {@code alice USD}. */
  @Override
  public String toString() {
    return userId + " " + currency;
  }
}
