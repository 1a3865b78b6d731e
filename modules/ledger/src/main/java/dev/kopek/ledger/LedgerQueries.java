package dev.kopek.ledger;

import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.UserPage;
import dev.kopek.model.ledger.UserQuery;
import dev.kopek.model.ledger.UserSort;
import dev.kopek.model.ledger.UserWallets;
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

/** The ledger's read side: balances, pages of the transaction log and of the users. */
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

  /**
   * One page of users with wallets, each with all of their wallets, in one statement (one snapshot:
   * the balance a user was placed by is the balance shown). The page's users are found first (one
   * more than the page, to learn {@code has_more}), then their wallets.
   *
   * <p>How the users are found (docs/ARCHITECTURE.md, "Reading the users"): without a currency, in
   * the order of {@code one_account_per_currency} (kind, user, currency), one distinct user at a
   * time; with one, through {@code ledger_wallets_by_currency} (currency, user). A balance order
   * has no index of its own: an index on the balance would be updated by every posting, and would
   * cost every posting its HOT update (V5__wallets_by_currency.sql has the measurements). It reads
   * the currency's wallets (those in the balance bounds only, when given) through the currency's
   * index and keeps the page's worth in a bounded top-N sort.
   */
  Future<UserPage> users(UserQuery query) {
    Statement statement = usersStatement(query);
    return pool.preparedQuery(statement.sql())
        .execute(Tuple.from(statement.params()))
        .map(rows -> userPage(query, rows));
  }

  /** A statement and its arguments. */
  record Statement(String sql, List<Object> params) {}

  /** The statement of {@link #users}: its SQL depends on the filters and the order asked. */
  static Statement usersStatement(UserQuery query) {
    UserCursor after = query.startingAfter() == null ? null : UserCursor.decode(query);
    List<Object> params = new ArrayList<>();
    StringBuilder page = new StringBuilder();
    String order;
    String outerOrder;
    if (query.currency() == null) {
      page.append(
          "SELECT DISTINCT name, NULL::bigint AS sort_balance FROM ledger_accounts"
              + " WHERE account_kind = 'wallet' AND entry_count > 0");
      prefix(query, params, page);
      if (after != null) {
        params.add(after.userId());
        page.append(" AND name > $").append(params.size());
      }
      order = "name";
      outerOrder = "p.name";
    } else {
      params.add(query.currency());
      page.append(
          "SELECT name, balance_minor AS sort_balance FROM ledger_accounts"
              + " WHERE account_kind = 'wallet' AND currency = $1 AND entry_count > 0");
      prefix(query, params, page);
      if (query.balanceMinMinor() != null) {
        params.add(query.balanceMinMinor());
        page.append(" AND balance_minor >= $").append(params.size());
      }
      if (query.balanceMaxMinor() != null) {
        params.add(query.balanceMaxMinor());
        page.append(" AND balance_minor <= $").append(params.size());
      }
      if (after != null && query.sort() == UserSort.USER_ID) {
        params.add(after.userId());
        page.append(" AND name > $").append(params.size());
      } else if (after != null) {
        params.add(after.balanceMinor());
        int balance = params.size();
        params.add(after.userId());
        int name = params.size();
        page.append(
            query.sort() == UserSort.BALANCE
                ? " AND (balance_minor > $" + balance
                : " AND (balance_minor < $" + balance);
        page.append(" OR (balance_minor = $")
            .append(balance)
            .append(" AND name > $")
            .append(name)
            .append("))");
      }
      order =
          switch (query.sort()) {
            case USER_ID -> "name";
            case BALANCE -> "sort_balance, name";
            case BALANCE_DESCENDING -> "sort_balance DESC, name";
          };
      outerOrder =
          switch (query.sort()) {
            case USER_ID -> "p.name";
            case BALANCE -> "p.sort_balance, p.name";
            case BALANCE_DESCENDING -> "p.sort_balance DESC, p.name";
          };
    }
    params.add(query.limit() + 1);
    page.append(" ORDER BY ").append(order).append(" LIMIT $").append(params.size());
    String sql =
        "SELECT p.name, p.sort_balance, a.currency, a.balance_minor FROM ("
            + page
            + ") p JOIN ledger_accounts a ON a.account_kind = 'wallet' AND a.name = p.name"
            + " AND a.entry_count > 0 ORDER BY "
            + outerOrder
            + ", a.currency";
    return new Statement(sql, params);
  }

  /** The user id prefix filter, when the query has one. */
  private static void prefix(UserQuery query, List<Object> params, StringBuilder page) {
    if (query.userIdPrefix() != null) {
      params.add(query.userIdPrefix());
      page.append(" AND starts_with(name, $").append(params.size()).append(")");
    }
  }

  private static UserPage userPage(UserQuery query, Iterable<Row> rows) {
    List<UserWallets> users = new ArrayList<>();
    List<Long> sortBalances = new ArrayList<>();
    String current = null;
    List<Wallet> wallets = new ArrayList<>();
    for (Row row : rows) {
      String name = row.getString("name");
      if (!name.equals(current)) {
        if (current != null) {
          users.add(new UserWallets(current, wallets));
        }
        current = name;
        wallets = new ArrayList<>();
        Long sortBalance = row.getLong("sort_balance");
        sortBalances.add(sortBalance == null ? 0L : sortBalance);
      }
      wallets.add(new Wallet(name, row.getString("currency"), row.getLong("balance_minor")));
    }
    if (current != null) {
      users.add(new UserWallets(current, wallets));
    }
    if (users.size() <= query.limit()) {
      return new UserPage(users, false, null);
    }
    List<UserWallets> kept = users.subList(0, query.limit());
    UserWallets last = kept.get(kept.size() - 1);
    String cursor =
        UserCursor.after(query, sortBalances.get(kept.size() - 1), last.userId()).encode();
    return new UserPage(kept, true, cursor);
  }

  Future<Void> ping() {
    return pool.query(LedgerSql.SELECT_ONE).execute().mapEmpty();
  }
}
