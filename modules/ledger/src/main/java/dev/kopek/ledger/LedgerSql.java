package dev.kopek.ledger;

/** Every SQL statement of the ledger, named verb-first; {@code $n} placeholders only. */
final class LedgerSql {

  private LedgerSql() {}

  /*
   * The writer's statements run on connections that cache one generic plan per statement and may
   * not scan a table or join by hash or merge (LedgerVerticle.writerOptions), so each is written
   * to have exactly one sensible plan: index lookups, whatever the tables' statistics said when it
   * was planned (LedgerPlansTest). Batches come as parallel arrays; the statements unnest only
   * the first array (with its ordinality) and reach the others by subscript. PostgreSQL runs a
   * multi-array unnest(a, b, ...) as one function per array, each buffering its rows with a 16 kB
   * array of its own, and the two dozen such buffers per batch made the backend grow and trim
   * its heap at every batch (brk and page faults, seen with strace).
   */

  /**
   * Locks the accounts a batch touches, one index lookup per key (the LIMIT keeps each lookup apart
   * from the join), in the order of the keys given: the writer sorts them, so that concurrent
   * batches (of several processes) lock in the same order and cannot deadlock.
   */
  static final String SELECT_ACCOUNTS_FOR_UPDATE =
      """
      SELECT a.id, a.account_kind, a.name, a.currency, a.balance_minor, a.entry_count, a.last_hash,
             a.balance_low_minor
        FROM unnest($1::text[]) WITH ORDINALITY AS k(account_kind, i)
       CROSS JOIN LATERAL (
             SELECT id, account_kind, name, currency, balance_minor, entry_count, last_hash,
                    balance_low_minor
               FROM ledger_accounts
              WHERE account_kind = k.account_kind AND name = ($2::text[])[k.i]
                AND currency = ($3::bpchar[])[k.i]
              LIMIT 1
                FOR UPDATE) a
       ORDER BY k.i
      """;

  /** Opens accounts on first use; a concurrent opener wins harmlessly. */
  static final String INSERT_ACCOUNTS =
      """
      INSERT INTO ledger_accounts (account_kind, name, currency)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
          ON CONFLICT ON CONSTRAINT one_account_per_currency DO NOTHING
      """;

  static final String ENTRY_COLUMNS =
      """
      id, user_id, currency, amount_minor, balance_after_minor, kind, reason, reference,
      counter_account, created_at, idempotency_key, request_hash
      """;

  /** The entries already posted under any of the batch's idempotency keys. */
  static final String SELECT_ENTRIES_BY_IDEMPOTENCY_KEY =
      "SELECT " + ENTRY_COLUMNS + " FROM ledger_entries WHERE idempotency_key = ANY($1::text[])";

  /** Writes each touched account's new balance and chain head: one row update per account. */
  static final String UPDATE_ACCOUNTS =
      """
      UPDATE ledger_accounts
         SET balance_minor = ($2::bigint[])[array_position($1::bigint[], id)],
             entry_count = ($3::bigint[])[array_position($1::bigint[], id)],
             last_hash = ($4::bytea[])[array_position($1::bigint[], id)],
             updated_at = now()
       WHERE id = ANY($1::bigint[])
      """;

  /**
   * Appends a batch's entries in one statement, ids assigned in the batch's order, and with them
   * their {@code entry.posted} events, whose objects are the entries' JSON as {@link
   * dev.kopek.model.ledger.Entry#toJson} writes it. Every entry of a batch has the batch's time:
   * {@code $17} is its text as the entries' JSON writes it, formatted once per batch rather than
   * once per entry in SQL.
   */
  static final String INSERT_ENTRIES =
      """
      WITH e AS (
          INSERT INTO ledger_entries (wallet_id, counter_account_id, user_id, currency,
                                      counter_account, amount_minor, balance_after_minor, kind,
                                      reason, reference, idempotency_key, request_hash, seq,
                                      prev_hash, hash, created_at)
          SELECT v.wallet_id, ($2::bigint[])[i], ($3::text[])[i], ($4::text[])[i],
                 ($5::text[])[i], ($6::bigint[])[i], ($7::bigint[])[i], ($8::text[])[i],
                 ($9::text[])[i], ($10::text[])[i], ($11::text[])[i], ($12::bytea[])[i],
                 ($13::bigint[])[i], ($14::bytea[])[i], ($15::bytea[])[i], ($16::timestamptz[])[i]
            FROM unnest($1::bigint[]) WITH ORDINALITY AS v(wallet_id, i)
           ORDER BY v.i
          RETURNING id, wallet_id, user_id, currency, counter_account, amount_minor,
                    balance_after_minor, kind, reason, reference, idempotency_key, seq, created_at),
      posted AS (
          INSERT INTO events (id, type, user_id, currency, wallet_seq, created_at, object)
          SELECT 'evt_entry_posted_' || e.id, 'entry.posted', e.user_id, e.currency, e.seq,
                 e.created_at,
                 json_build_object('id', e.id, 'user_id', e.user_id, 'currency', e.currency,
                                   'amount_minor', e.amount_minor,
                                   'balance_after_minor', e.balance_after_minor, 'kind', e.kind,
                                   'reason', e.reason, 'reference', e.reference,
                                   'counter_account', e.counter_account,
                                   'created_at', $17::text)::text
            FROM e)
      SELECT id, idempotency_key FROM e
      """;

  /** A user's wallets that have had an entry (a wallet opened for its alert settings has none). */
  static final String SELECT_WALLETS_OF_USER =
      """
      SELECT name, currency, balance_minor FROM ledger_accounts
       WHERE account_kind = 'wallet' AND name = $1 AND entry_count > 0
       ORDER BY currency
      """;

  static final String SELECT_WALLET_ALERTS =
      """
      SELECT balance_low_minor FROM ledger_accounts
       WHERE account_kind = 'wallet' AND name = $1 AND currency = $2
      """;

  /** Sets (or, with null, clears) a wallet's own balance threshold, opening the wallet if new. */
  static final String UPSERT_WALLET_ALERTS =
      """
      INSERT INTO ledger_accounts (account_kind, name, currency, balance_low_minor)
      VALUES ('wallet', $1, $2, $3)
          ON CONFLICT ON CONSTRAINT one_account_per_currency
          DO UPDATE SET balance_low_minor = EXCLUDED.balance_low_minor, updated_at = now()
      RETURNING balance_low_minor
      """;

  static final String SELECT_WALLET =
      """
      SELECT name, currency, balance_minor FROM ledger_accounts
       WHERE account_kind = 'wallet' AND name = $1 AND currency = $2
      """;

  /**
   * Several wallets' balances at once, by index lookups (the LIMIT keeps the planner from scanning
   * every account to hash them); wallets never used have no row.
   */
  static final String SELECT_WALLETS =
      """
      SELECT k.name, k.currency, a.balance_minor
        FROM unnest($1::text[], $2::bpchar[]) AS k(name, currency)
        JOIN LATERAL (SELECT balance_minor FROM ledger_accounts
                       WHERE account_kind = 'wallet' AND name = k.name AND currency = k.currency
                       LIMIT 1) a ON true
      """;

  /** The rows the verifier walks: every wallet's chain, in chain order. */
  static final String SELECT_CHAINS =
      """
      SELECT e.id, e.wallet_id, e.user_id, e.currency, e.counter_account, e.amount_minor,
             e.balance_after_minor, e.kind, e.reason, e.reference, e.idempotency_key, e.seq,
             e.prev_hash, e.hash, e.created_at
        FROM ledger_entries e
       ORDER BY e.wallet_id, e.seq
      """;

  static final String SELECT_WALLET_HEADS =
      """
      SELECT id, name, currency, balance_minor, entry_count, last_hash FROM ledger_accounts
       WHERE account_kind = 'wallet'
       ORDER BY id
      """;

  /** The first entry whose wallet or counter account does not exist (or is of the wrong kind). */
  static final String SELECT_ENTRIES_WITHOUT_ACCOUNT =
      """
      SELECT e.id, e.user_id, e.currency
        FROM ledger_entries e
        LEFT JOIN ledger_accounts w ON w.id = e.wallet_id AND w.account_kind = 'wallet'
        LEFT JOIN ledger_accounts c ON c.id = e.counter_account_id AND c.account_kind = 'system'
       WHERE w.id IS NULL OR c.id IS NULL
       ORDER BY e.id
       LIMIT 1
      """;

  /** System accounts whose balance is not the negated sum of the entries against them. */
  static final String SELECT_SYSTEM_ACCOUNT_MISMATCHES =
      """
      SELECT a.name, a.currency, a.balance_minor, COALESCE(-SUM(e.amount_minor), 0) AS expected
        FROM ledger_accounts a
        LEFT JOIN ledger_entries e ON e.counter_account_id = a.id
       WHERE a.account_kind = 'system'
       GROUP BY a.id
      HAVING a.balance_minor <> COALESCE(-SUM(e.amount_minor), 0)
       LIMIT 1
      """;

  /** Currencies whose accounts do not sum to zero (double entry broken). */
  static final String SELECT_UNBALANCED_CURRENCIES =
      """
      SELECT currency, SUM(balance_minor) AS total FROM ledger_accounts
       GROUP BY currency HAVING SUM(balance_minor) <> 0
       LIMIT 1
      """;

  static final String SELECT_ONE = "SELECT 1";
}
