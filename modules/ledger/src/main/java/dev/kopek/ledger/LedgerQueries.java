package dev.kopek.ledger;

import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.Wallet;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The ledger's read side: balances and pages of the transaction log. */
final class LedgerQueries {

  private final Pool pool;

  LedgerQueries(Pool pool) {
    this.pool = pool;
  }

  Future<List<Wallet>> wallets(String userId) {
    return pool.preparedQuery(LedgerSql.SELECT_WALLETS_OF_USER)
        .execute(Tuple.of(userId))
        .map(
            rows -> {
              List<Wallet> wallets = new ArrayList<>();
              rows.forEach(row -> wallets.add(LedgerRows.wallet(row)));
              return wallets;
            });
  }

  /** The wallet, or a zero balance for a currency the user has not used yet. */
  Future<Wallet> wallet(String userId, String currency) {
    return pool.preparedQuery(LedgerSql.SELECT_WALLET)
        .execute(Tuple.of(userId, currency))
        .map(
            rows ->
                rows.size() == 0
                    ? new Wallet(userId, currency, 0)
                    : LedgerRows.wallet(rows.iterator().next()));
  }

  /**
   * The balances of several wallets in one query, in the order asked; zero for a currency a user
   * has not used yet.
   */
  Future<List<Wallet>> wallets(List<String> userIds, List<String> currencies) {
    return pool.preparedQuery(LedgerSql.SELECT_WALLETS)
        .execute(
            Tuple.from(List.of(userIds.toArray(String[]::new), currencies.toArray(String[]::new))))
        .map(
            rows -> {
              Map<WalletKey, Long> balances = new HashMap<>();
              rows.forEach(
                  row ->
                      balances.put(
                          new WalletKey(row.getString("name"), row.getString("currency")),
                          row.getLong("balance_minor")));
              List<Wallet> wallets = new ArrayList<>(userIds.size());
              for (int i = 0; i < userIds.size(); i++) {
                wallets.add(
                    new Wallet(
                        userIds.get(i),
                        currencies.get(i),
                        balances.getOrDefault(
                            new WalletKey(userIds.get(i), currencies.get(i)), 0L)));
              }
              return wallets;
            });
  }

  /** One page, newest first; asks for one row more than the page to learn {@code has_more}. */
  Future<EntryPage> entries(EntryQuery query) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(LedgerSql.ENTRY_COLUMNS)
            .append(" FROM ledger_entries WHERE true");
    if (query.userId() != null) {
      params.add(query.userId());
      sql.append(" AND user_id = $").append(params.size());
    }
    if (query.currency() != null) {
      params.add(query.currency());
      sql.append(" AND currency = $").append(params.size());
    }
    if (query.kind() != null) {
      params.add(query.kind().wireName());
      sql.append(" AND kind = $").append(params.size());
    }
    if (query.from() != null) {
      params.add(query.from().atOffset(ZoneOffset.UTC));
      sql.append(" AND created_at >= $").append(params.size());
    }
    if (query.to() != null) {
      params.add(query.to().atOffset(ZoneOffset.UTC));
      sql.append(" AND created_at < $").append(params.size());
    }
    if (query.startingAfter() != null) {
      params.add(query.startingAfter());
      sql.append(" AND id < $").append(params.size());
    }
    params.add(query.limit() + 1);
    sql.append(" ORDER BY id DESC LIMIT $").append(params.size());
    return pool.preparedQuery(sql.toString())
        .execute(Tuple.from(params))
        .map(
            rows -> {
              List<dev.kopek.model.ledger.Entry> entries = new ArrayList<>();
              for (Row row : rows) {
                if (entries.size() == query.limit()) {
                  return new EntryPage(entries, true);
                }
                entries.add(LedgerRows.entry(row));
              }
              return new EntryPage(entries, false);
            });
  }

  Future<Void> ping() {
    return pool.query(LedgerSql.SELECT_ONE).execute().mapEmpty();
  }
}
