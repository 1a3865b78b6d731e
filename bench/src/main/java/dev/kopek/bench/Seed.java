package dev.kopek.bench;

import dev.kopek.storage.PostgresEndpoint;

/**
 * Funds the bench's wallets directly in Kopek's tables (opening 10,000 wallets through the API
 * would measure set-up, not the service), and resets them between runs so that every run starts
 * from the same tables. Only a bench database is ever treated like this: resetting means switching
 * off the trigger that keeps entries append-only.
 */
final class Seed {

  private final PostgresEndpoint db;
  private final int wallets;

  Seed(PostgresEndpoint db, int wallets) {
    this.db = db;
    this.wallets = wallets;
  }

  PostgresEndpoint database() {
    return db;
  }

  void wallets() throws Exception {
    Bench.sql(
        db,
        "INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor) "
            + "SELECT 'wallet', 'u' || g, 'USD', "
            + Bench.FUND_MINOR
            + " FROM generate_series(0, "
            + (wallets - 1)
            + ") g",
        "INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor) VALUES "
            + "('wallet', 'hot', 'USD', "
            + Bench.FUND_MINOR
            + ")",
        "INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor) VALUES "
            + "('system', 'adjustments', 'USD', "
            + -Bench.FUND_MINOR * (wallets + 1)
            + "), "
            + "('system', 'revenue', 'USD', 0)",
        "ANALYZE");
  }

  /** Events committed but not yet delivered to every endpoint subscribed to them. */
  long undelivered() throws Exception {
    return Bench.queryLong(
        db,
        "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')"
            + " + (SELECT count(*) FROM events e, webhook_endpoints w"
            + " WHERE (e.xid, e.seq) > (w.cursor_xid, w.cursor_seq))");
  }

  /** Back to freshly funded wallets and an empty log. */
  void reset() throws Exception {
    Bench.sql(
        db,
        "ALTER TABLE ledger_entries DISABLE TRIGGER USER",
        "TRUNCATE ledger_entries",
        "ALTER TABLE ledger_entries ENABLE TRIGGER USER",
        "UPDATE ledger_accounts SET balance_minor = "
            + Bench.FUND_MINOR
            + ", entry_count = 0, last_hash = NULL WHERE account_kind = 'wallet'",
        "UPDATE ledger_accounts SET balance_minor = 0 WHERE name = 'revenue'",
        // The run's events and their deliveries; an endpoint starts from the events to come.
        "TRUNCATE events, webhook_deliveries, webhook_attempts",
        "UPDATE webhook_endpoints SET cursor_xid = pg_snapshot_xmin(pg_current_snapshot()),"
            + " cursor_seq = 0",
        "VACUUM (ANALYZE) events, webhook_deliveries, webhook_attempts, webhook_endpoints",
        // Fresh statistics, as autovacuum would leave them on a running system: planned against
        // the truncated table's, Kopek's queries could keep plans fit for an empty table.
        "ANALYZE ledger_entries",
        // The reset has just updated every wallet: without a vacuum, the run's first write to each
        // page cleans up the reset's dead rows, and the run's first second measures that.
        "VACUUM (ANALYZE) ledger_accounts",
        "CHECKPOINT");
  }

  /**
   * Subscribes {@code count} funded wallets to an hourly plan whose first period ends one hour
   * after the test clock's current time; returns that time (epoch ms).
   */
  long subscriptions(int count) throws Exception {
    return subscriptions("b", count);
  }

  /**
   * Subscribes {@code count} funded wallets named {@code prefix} and a number, as {@link
   * #subscriptions(int)} does.
   */
  long subscriptions(String prefix, int count) throws Exception {
    long now =
        Bench.queryLong(
            db,
            "SELECT floor(EXTRACT(EPOCH FROM now) * 1000)::bigint "
                + "FROM billing_test_clock WHERE id = 1");
    // Exact to the millisecond: to_timestamp(ms / 1000.0) goes through a double and can land a
    // microsecond off the clock, leaving the first period a hair short of due.
    String anchor = "(timestamptz 'epoch' + " + now + " * interval '1 millisecond')";
    Bench.sql(
        db,
        "INSERT INTO billing_plans (code, name, price_minor, currency, period, period_ms, created_at) "
            + "VALUES ('bench', 'Bench', 120, 'USD', 'PT1H', 3600000, "
            + anchor
            + ") "
            + "ON CONFLICT DO NOTHING",
        "INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor) "
            + "SELECT 'wallet', '"
            + prefix
            + "' || g, 'USD', "
            + Bench.FUND_MINOR
            + " FROM generate_series(0, "
            + (count - 1)
            + ") g ON CONFLICT DO NOTHING",
        "UPDATE ledger_accounts SET balance_minor = balance_minor - "
            + Bench.FUND_MINOR * count
            + " WHERE account_kind = 'system' AND name = 'adjustments'",
        "INSERT INTO billing_subscriptions (id, user_id, currency, plan_code, status, segment, "
            + "anchor, price_minor, period_ms, billed_through, created_at, updated_at) "
            + "SELECT 'sub_"
            + prefix
            + "' || g, '"
            + prefix
            + "' || g, 'USD', 'bench', 'active', 1, "
            + anchor
            + ", 120, "
            + "3600000, "
            + anchor
            + ", "
            + anchor
            + ", "
            + anchor
            + " FROM generate_series(0, "
            + (count - 1)
            + ") g",
        "INSERT INTO billing_wallets (user_id, currency, next_charge_at, updated_at) "
            + "SELECT '"
            + prefix
            + "' || g, 'USD', "
            + anchor
            + " + interval '1 hour', "
            + anchor
            + " FROM generate_series(0, "
            + (count - 1)
            + ") g",
        "ANALYZE");
    return now;
  }

  /** Moves the timers of the wallets named {@code prefix} and a number a century ahead. */
  void park(String prefix) throws Exception {
    Bench.sql(
        db,
        "UPDATE billing_wallets SET next_charge_at = next_charge_at + interval '100 years'"
            + " WHERE user_id LIKE '"
            + prefix
            + "%'");
  }
}
