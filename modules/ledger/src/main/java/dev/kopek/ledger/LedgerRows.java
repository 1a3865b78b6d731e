package dev.kopek.ledger;

import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.Wallet;
import io.vertx.sqlclient.Row;

/** Maps the ledger's rows to the contract's records. */
final class LedgerRows {

  private LedgerRows() {}

  static Entry entry(Row row) {
    return new Entry(
        row.getLong("id"),
        row.getString("user_id"),
        row.getString("currency"),
        row.getLong("amount_minor"),
        row.getLong("balance_after_minor"),
        EntryKind.fromWireName(row.getString("kind")).orElseThrow(),
        row.getString("reason"),
        row.getString("reference"),
        row.getString("counter_account"),
        row.getOffsetDateTime("created_at").toInstant());
  }

  /** A row of {@link LedgerSql#SELECT_ACCOUNTS_FOR_UPDATE}. */
  static Account account(Row row) {
    Account.Key key =
        new Account.Key(
            row.getString("account_kind"), row.getString("name"), row.getString("currency"));
    var hash = row.getBuffer("last_hash");
    return new Account(
        row.getLong("id"),
        key,
        row.getLong("balance_minor"),
        row.getLong("entry_count"),
        hash == null ? HashChain.GENESIS : hash.getBytes());
  }

  static Wallet wallet(Row row) {
    return new Wallet(
        row.getString("name"), row.getString("currency"), row.getLong("balance_minor"));
  }
}
