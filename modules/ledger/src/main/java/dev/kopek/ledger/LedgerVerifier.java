package dev.kopek.ledger;

import dev.kopek.model.ledger.VerifyReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Walks every wallet's hash chain and checks it from the first entry: sequence numbers without
 * gaps, each entry linked to the previous hash, each hash recomputed from the entry's fields, each
 * running balance equal to the previous one plus the amount and never negative, and the wallet's
 * stored balance and chain head equal to its newest entry. Then that every entry's wallet and
 * counter account exist, each system account against the entries posted to it, and every currency's
 * accounts against zero. Reports the first break.
 */
final class LedgerVerifier {

  /** Rows fetched per round trip: large enough to be quick, small enough to bound memory. */
  private static final int PAGE_ROWS = 5000;

  private static final String SELECT_CHAIN_PAGE =
      LedgerSql.SELECT_CHAINS.replace("ORDER BY", "WHERE (e.wallet_id, e.seq) > ($1, $2) ORDER BY")
          + " LIMIT "
          + PAGE_ROWS;

  private record Head(
      String userId, String currency, long balanceMinor, long entryCount, byte[] lastHash) {}

  private final Pool pool;

  LedgerVerifier(Pool pool) {
    this.pool = pool;
  }

  Future<VerifyReport> verify() {
    return pool.query(LedgerSql.SELECT_WALLET_HEADS)
        .execute()
        .compose(
            rows -> {
              Map<Long, Head> heads = new HashMap<>();
              rows.forEach(
                  row ->
                      heads.put(
                          row.getLong("id"),
                          new Head(
                              row.getString("name"),
                              row.getString("currency"),
                              row.getLong("balance_minor"),
                              row.getLong("entry_count"),
                              row.getBuffer("last_hash") == null
                                  ? HashChain.GENESIS
                                  : row.getBuffer("last_hash").getBytes())));
              Walk walk = new Walk(heads);
              return walkFrom(walk, 0L, 0L)
                  .compose(
                      broken ->
                          broken != null
                              ? Future.succeededFuture(walk.report(broken))
                              : checkAccounts().map(problem -> walk.report(problem)));
            });
  }

  private Future<JsonObject> walkFrom(Walk walk, long walletId, long seq) {
    return pool.preparedQuery(SELECT_CHAIN_PAGE)
        .execute(Tuple.of(walletId, seq))
        .compose(
            rows -> {
              JsonObject broken = walk.check(rows);
              if (broken != null) {
                return Future.succeededFuture(broken);
              }
              if (rows.size() == PAGE_ROWS) {
                return walkFrom(walk, walk.walletId, walk.expectedSeq - 1);
              }
              return Future.succeededFuture(walk.finish());
            });
  }

  private Future<JsonObject> checkAccounts() {
    return pool.query(LedgerSql.SELECT_ENTRIES_WITHOUT_ACCOUNT)
        .execute()
        .compose(
            orphans -> {
              if (orphans.size() > 0) {
                Row row = orphans.iterator().next();
                return Future.succeededFuture(
                    new JsonObject()
                        .put("entry_id", row.getLong("id"))
                        .put("user_id", row.getString("user_id"))
                        .put("currency", row.getString("currency"))
                        .put("problem", "the entry's wallet or counter account does not exist"));
              }
              return checkSystemAccounts();
            });
  }

  private Future<JsonObject> checkSystemAccounts() {
    return pool.query(LedgerSql.SELECT_SYSTEM_ACCOUNT_MISMATCHES)
        .execute()
        .compose(
            rows -> {
              if (rows.size() > 0) {
                Row row = rows.iterator().next();
                return Future.succeededFuture(
                    new JsonObject()
                        .put("account", row.getString("name") + ":" + row.getString("currency"))
                        .put(
                            "problem",
                            "system account balance "
                                + row.getLong("balance_minor")
                                + " differs from its entries' total "
                                + row.getLong("expected")));
              }
              return pool.query(LedgerSql.SELECT_UNBALANCED_CURRENCIES)
                  .execute()
                  .map(
                      unbalanced -> {
                        if (unbalanced.size() == 0) {
                          return null;
                        }
                        Row row = unbalanced.iterator().next();
                        return new JsonObject()
                            .put("currency", row.getString("currency"))
                            .put(
                                "problem",
                                "accounts sum to " + row.getLong("total") + " instead of zero");
                      });
            });
  }

  /** The state of the walk across pages: the wallet being walked and what comes next. */
  private static final class Walk {
    private final Map<Long, Head> heads;
    private long walletId = -1;
    private long expectedSeq;
    private byte[] previousHash;
    private long balanceMinor;
    private long walletsWithEntries;
    private long entriesChecked;

    Walk(Map<Long, Head> heads) {
      this.heads = heads;
    }

    JsonObject check(RowSet<Row> rows) {
      for (Row row : rows) {
        long rowWallet = row.getLong("wallet_id");
        if (rowWallet != walletId) {
          JsonObject broken = finish();
          if (broken != null) {
            return broken;
          }
          startWallet(rowWallet);
        }
        JsonObject broken = checkEntry(row);
        if (broken != null) {
          return broken;
        }
        entriesChecked++;
      }
      return null;
    }

    private void startWallet(long id) {
      walletId = id;
      expectedSeq = 1;
      previousHash = HashChain.GENESIS;
      balanceMinor = 0;
      walletsWithEntries++;
    }

    private JsonObject checkEntry(Row row) {
      long seq = row.getLong("seq");
      long amount = row.getLong("amount_minor");
      long balanceAfter = row.getLong("balance_after_minor");
      byte[] prevHash = row.getBuffer("prev_hash").getBytes();
      byte[] hash = row.getBuffer("hash").getBytes();
      byte[] recomputed =
          HashChain.entryHash(
              prevHash,
              seq,
              row.getString("user_id"),
              row.getString("currency"),
              row.getString("counter_account"),
              amount,
              balanceAfter,
              row.getString("kind"),
              row.getString("reason"),
              row.getString("reference"),
              row.getString("idempotency_key"),
              row.getOffsetDateTime("created_at").toInstant());
      String problem = null;
      if (seq != expectedSeq) {
        problem = "expected entry number " + expectedSeq + " of the wallet, found " + seq;
      } else if (!Arrays.equals(prevHash, previousHash)) {
        problem = "the entry does not link to the previous entry's hash";
      } else if (!Arrays.equals(recomputed, hash)) {
        problem = "the entry's fields do not match its hash (altered after it was written)";
      } else if (balanceMinor + amount != balanceAfter || balanceAfter < 0) {
        problem =
            "balance_after_minor "
                + balanceAfter
                + " is not the previous balance "
                + balanceMinor
                + " plus the amount "
                + amount;
      }
      if (problem != null) {
        return new JsonObject()
            .put("entry_id", row.getLong("id"))
            .put("user_id", row.getString("user_id"))
            .put("currency", row.getString("currency"))
            .put("problem", problem);
      }
      expectedSeq++;
      previousHash = hash;
      balanceMinor = balanceAfter;
      return null;
    }

    /** Checks the wallet just walked against its stored head. */
    JsonObject finish() {
      if (walletId < 0) {
        return null;
      }
      Head head = heads.remove(walletId);
      if (head == null) {
        return null;
      }
      if (head.balanceMinor != balanceMinor
          || head.entryCount != expectedSeq - 1
          || !Arrays.equals(head.lastHash, previousHash)) {
        return new JsonObject()
            .put("user_id", head.userId)
            .put("currency", head.currency)
            .put(
                "problem",
                "the wallet's balance "
                    + head.balanceMinor
                    + " or chain head does "
                    + "not match its newest entry (balance "
                    + balanceMinor
                    + ")");
      }
      return null;
    }

    VerifyReport report(JsonObject broken) {
      long emptyWallets =
          heads.values().stream().filter(h -> h.balanceMinor == 0 && h.entryCount == 0).count();
      if (broken == null && emptyWallets != heads.size()) {
        Head head =
            heads.values().stream()
                .filter(h -> h.balanceMinor != 0 || h.entryCount != 0)
                .findFirst()
                .orElseThrow();
        broken =
            new JsonObject()
                .put("user_id", head.userId)
                .put("currency", head.currency)
                .put("problem", "the wallet has a balance but no entries");
      }
      return new VerifyReport(
          broken == null, walletsWithEntries + emptyWallets, entriesChecked, broken);
    }
  }
}
