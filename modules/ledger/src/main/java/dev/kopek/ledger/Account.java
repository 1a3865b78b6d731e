package dev.kopek.ledger;

import io.vertx.sqlclient.Row;
import java.util.Comparator;

/** A locked account row as a batch sees it, updated in memory while the batch is planned. */
final class Account {

  /** Identifies an account: a user's wallet or a system account, in one currency. */
  record Key(String accountKind, String name, String currency) {

    /** The order in which every batch locks its accounts, so that no two batches deadlock. */
    static final Comparator<Key> LOCK_ORDER = Comparator.comparing(Key::accountKind)
        .thenComparing(Key::name).thenComparing(Key::currency);

    static Key wallet(String userId, String currency) {
      return new Key("wallet", userId, currency);
    }

    static Key system(String name, String currency) {
      return new Key("system", name, currency);
    }

    /** The name shown in entries, e.g. {@code revenue:USD}. */
    String displayName() {
      return name + ":" + currency;
    }
  }

  final long id;
  final Key key;
  long balanceMinor;
  long entryCount;
  byte[] lastHash;
  boolean changed;

  private Account(long id, Key key, long balanceMinor, long entryCount, byte[] lastHash) {
    this.id = id;
    this.key = key;
    this.balanceMinor = balanceMinor;
    this.entryCount = entryCount;
    this.lastHash = lastHash;
  }

  /**
   * A wallet that has never been credited: balance zero, so every debit against it is refused and
   * it is never written. Refused requests must not open accounts.
   */
  static Account unopened(Key key) {
    return new Account(-1, key, 0, 0, HashChain.GENESIS);
  }

  static Account fromRow(Row row) {
    Key key = new Key(row.getString("account_kind"), row.getString("name"), row.getString("currency"));
    var hash = row.getBuffer("last_hash");
    return new Account(row.getLong("id"), key, row.getLong("balance_minor"),
        row.getLong("entry_count"), hash == null ? HashChain.GENESIS : hash.getBytes());
  }
}
