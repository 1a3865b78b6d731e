package dev.kopek.ledger;

import java.util.Comparator;

/**
 * An account as a batch sees it: the row locked at the start of the batch, or its state after some
 * of the batch's commands were applied in memory. Immutable: applying a command makes a new state,
 * so undoing an atomic group is putting the earlier states back.
 *
 * @param id the row's id; {@link #UNOPENED_ID} for a wallet that has no row
 * @param key which account
 * @param balanceMinor the balance
 * @param entryCount how many entries the wallet's chain holds (its last entry's {@code seq}); a
 *     system account has no chain, and the writer leaves its count as it is
 * @param lastHash the wallet's chain head ({@link HashChain#GENESIS} before its first entry); never
 *     modified, as records compare arrays by reference
 */
record Account(long id, Key key, long balanceMinor, long entryCount, byte[] lastHash) {

  /** The id of an account that has no row yet. */
  static final long UNOPENED_ID = -1;

  /** Identifies an account: a user's wallet or a system account, in one currency. */
  record Key(String accountKind, String name, String currency) {

    /** The order in which every batch locks its accounts, so that no two batches deadlock. */
    static final Comparator<Key> LOCK_ORDER =
        Comparator.comparing(Key::accountKind)
            .thenComparing(Key::name)
            .thenComparing(Key::currency);

    static Key wallet(String userId, String currency) {
      return new Key("wallet", userId, currency);
    }

    static Key system(String name, String currency) {
      return new Key("system", name, currency);
    }

    boolean isWallet() {
      return accountKind.equals("wallet");
    }

    /** The name shown in entries, e.g. {@code revenue:USD}. */
    String displayName() {
      return name + ":" + currency;
    }
  }

  /**
   * A wallet that has never been credited: balance zero, so every debit against it is refused and
   * it is never written. Refused requests must not open accounts.
   */
  static Account unopened(Key key) {
    return new Account(UNOPENED_ID, key, 0, 0, HashChain.GENESIS);
  }

  boolean opened() {
    return id != UNOPENED_ID;
  }

  /** This wallet after an entry: the new balance, one more entry, the entry's hash as head. */
  Account withEntry(long balanceAfterMinor, long seq, byte[] hash) {
    return new Account(id, key, balanceAfterMinor, seq, hash);
  }

  /** This account with another balance (a system account taking the other side of an entry). */
  Account withBalance(long balanceMinorNew) {
    return new Account(id, key, balanceMinorNew, entryCount, lastHash);
  }
}
