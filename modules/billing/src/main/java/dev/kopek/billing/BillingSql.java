package dev.kopek.billing;

/** Every SQL statement of billing, named verb-first; {@code $n} placeholders only. */
final class BillingSql {

  private BillingSql() {}

  // Plans

  static final String PLAN_COLUMNS =
      "code, name, price_minor, currency, period, period_ms, retired_at, created_at";

  static final String INSERT_PLAN =
      "INSERT INTO billing_plans ("
          + PLAN_COLUMNS
          + ") VALUES "
          + "($1, $2, $3, $4, $5, $6, NULL, $7) ON CONFLICT (code) DO NOTHING RETURNING "
          + PLAN_COLUMNS;

  static final String SELECT_PLANS =
      "SELECT " + PLAN_COLUMNS + " FROM billing_plans " + "ORDER BY created_at, code";

  static final String SELECT_ACTIVE_PLANS =
      "SELECT "
          + PLAN_COLUMNS
          + " FROM billing_plans "
          + "WHERE retired_at IS NULL ORDER BY created_at, code";

  static final String SELECT_PLAN =
      "SELECT " + PLAN_COLUMNS + " FROM billing_plans WHERE code = $1";

  static final String UPDATE_PLAN_RETIRED =
      "UPDATE billing_plans "
          + "SET retired_at = COALESCE(retired_at, $2) WHERE code = $1 RETURNING "
          + PLAN_COLUMNS;

  // Wallet timers and pending runs

  /**
   * Creates the wallet's timer row on first use; {@link #SELECT_WALLET_FOR_UPDATE} then locks it.
   */
  static final String INSERT_WALLET =
      "INSERT INTO billing_wallets (user_id, currency, updated_at) "
          + "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

  static final String SELECT_WALLET_FOR_UPDATE =
      "SELECT next_charge_at, pending_run, runway_alerted_ms, runout_at "
          + "FROM billing_wallets WHERE user_id = $1 AND currency = $2 FOR UPDATE";

  static final String SELECT_NEXT_CHARGE_AT =
      "SELECT next_charge_at FROM billing_wallets " + "WHERE user_id = $1 AND currency = $2";

  /** Sets many wallets' timers, clearing their pending runs and releasing their leases. */
  static final String UPDATE_TIMERS =
      """
      UPDATE billing_wallets w
         SET next_charge_at = u.next_charge_at, pending_run = NULL, pending_run_id = NULL,
             lease_until = NULL, updated_at = $4
        FROM unnest($1::text[], $2::bpchar[], $3::timestamptz[])
             AS u(user_id, currency, next_charge_at)
       WHERE w.user_id = u.user_id AND w.currency = u.currency
      """;

  /**
   * {@link #UPDATE_TIMERS} only where the pending run is still {@code run_id}, locking those rows;
   * returns the run ids it found. Where {@code runway} is true, the run's runway alert state is
   * stored in the same row update ({@link #UPDATE_RUNWAY_STATES} would write each row again).
   */
  static final String UPDATE_TIMERS_OF_PENDING_RUNS =
      """
      UPDATE billing_wallets w
         SET next_charge_at = u.next_charge_at, pending_run = NULL, pending_run_id = NULL,
             lease_until = NULL, updated_at = $5,
             runway_alerted_ms = CASE WHEN u.runway THEN u.alerted_ms ELSE w.runway_alerted_ms END,
             runout_at = CASE WHEN u.runway THEN u.runout_at ELSE w.runout_at END
        FROM unnest($1::text[], $2::bpchar[], $3::timestamptz[], $4::text[], $6::bool[],
                    $7::bigint[], $8::timestamptz[])
             AS u(user_id, currency, next_charge_at, run_id, runway, alerted_ms, runout_at)
       WHERE w.user_id = u.user_id AND w.currency = u.currency
         AND w.pending_run_id = u.run_id
      RETURNING u.run_id
      """;

  /** Wallets whose run was left half done by a process that died (its lease ended). */
  static final String SELECT_ABANDONED_RUNS_FOR_UPDATE =
      """
      SELECT user_id, currency, next_charge_at, pending_run, runway_alerted_ms, runout_at
        FROM billing_wallets
       WHERE pending_run IS NOT NULL
         AND (lease_until IS NULL OR lease_until < clock_timestamp())
       LIMIT $1
         FOR UPDATE SKIP LOCKED
      """;

  /** Wallets whose timer is due at {@code $1}, earliest first. */
  static final String SELECT_DUE_WALLETS_FOR_UPDATE =
      """
      SELECT user_id, currency, next_charge_at, pending_run, runway_alerted_ms, runout_at
        FROM billing_wallets
       WHERE next_charge_at <= $1 AND pending_run IS NULL
         AND (lease_until IS NULL OR lease_until < clock_timestamp())
       ORDER BY next_charge_at
       LIMIT $2
         FOR UPDATE SKIP LOCKED
      """;

  static final String UPDATE_LEASES =
      """
      UPDATE billing_wallets
         SET lease_until = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
       WHERE (user_id, currency) IN (SELECT * FROM unnest($1::text[], $2::bpchar[]))
      """;

  /**
   * Stores many wallets' pending runs (JSON text, and the run id) and leases them; their timers are
   * left as they are.
   */
  static final String UPDATE_PENDING_RUNS =
      """
      UPDATE billing_wallets w
         SET pending_run = u.pending_run, pending_run_id = u.run_id,
             lease_until = clock_timestamp() + make_interval(secs => $4::double precision / 1000),
             updated_at = $5
        FROM unnest($1::text[], $2::bpchar[], $3::text[], $6::text[])
             AS u(user_id, currency, pending_run, run_id)
       WHERE w.user_id = u.user_id AND w.currency = u.currency
      """;

  // Subscriptions

  static final String SELECT_SUBSCRIPTIONS_OF_WALLETS =
      "SELECT "
          + SubscriptionRow.COLUMNS
          + " FROM billing_subscriptions "
          + "WHERE (user_id, currency) IN (SELECT * FROM unnest($1::text[], $2::bpchar[])) "
          + "AND status <> 'cancelled' ORDER BY created_at, id";

  /**
   * The wallets of users with a subscription that is not cancelled. A one-table query on the users
   * (their other currencies are filtered out by the caller): asked after nearly every batch of
   * entries, and a join with the arrays took about 0.5 ms to plan, each time, against microseconds
   * to run.
   */
  static final String SELECT_SUBSCRIBED_WALLETS_OF_USERS =
      "SELECT user_id, currency "
          + "FROM billing_subscriptions WHERE user_id = ANY($1::text[]) AND status <> 'cancelled'";

  static final String SELECT_SUBSCRIPTIONS_OF_USER =
      "SELECT "
          + SubscriptionRow.COLUMNS
          + " FROM billing_subscriptions WHERE user_id = $1 ORDER BY created_at, id";

  static final String SELECT_SUBSCRIPTION =
      "SELECT " + SubscriptionRow.COLUMNS + " FROM billing_subscriptions WHERE id = $1";

  static final String INSERT_SUBSCRIPTION =
      """
      INSERT INTO billing_subscriptions (id, user_id, currency, plan_code, status, segment, anchor,
          price_minor, period_ms, billed_through, created_at, updated_at)
      VALUES ($1, $2, $3, $4, 'active', 1, $5, $6, $7, $5, $5, $5)
      """;

  static final String UPDATE_PROGRESS =
      "UPDATE billing_subscriptions SET periods_charged = $2, "
          + "segment_charged_minor = $3, billed_through = $4, updated_at = $5 WHERE id = $1";

  static final String UPDATE_PROGRESS_ALL =
      """
      UPDATE billing_subscriptions s
         SET periods_charged = u.periods_charged, segment_charged_minor = u.charged_minor,
             billed_through = u.billed_through, updated_at = u.updated_at
        FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
             AS u(id, periods_charged, charged_minor, billed_through, updated_at)
       WHERE s.id = u.id
      """;

  static final String INSERT_ENDED_SEGMENT =
      "INSERT INTO billing_segments (subscription_id, "
          + "segment, plan_code, anchor, ended_at, end_reason, charged_minor) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";

  static final String UPDATE_SUSPENDED =
      "UPDATE billing_subscriptions SET status = 'suspended', "
          + "suspended_at = $2, updated_at = $2 WHERE id = $1";

  static final String UPDATE_CANCELLED =
      "UPDATE billing_subscriptions SET status = 'cancelled', "
          + "cancelled_at = $2, updated_at = $2 WHERE id = $1";

  static final String UPDATE_NEW_SEGMENT =
      """
      UPDATE billing_subscriptions
         SET status = 'active', segment = $2, anchor = $3, plan_code = $4, price_minor = $5,
             period_ms = $6, periods_charged = 0, segment_charged_minor = 0,
             billed_through = $3, suspended_at = NULL, updated_at = $3
       WHERE id = $1
      """;

  static final String UPDATE_PLAN_OF_SUBSCRIPTION =
      "UPDATE billing_subscriptions "
          + "SET plan_code = $2, price_minor = $3, period_ms = $4, updated_at = $5 WHERE id = $1";

  // Idempotent commands

  static final String SELECT_COMMAND =
      "SELECT request_hash, reply FROM billing_commands "
          + "WHERE user_id = $1 AND idempotency_key = $2";

  static final String INSERT_COMMAND =
      "INSERT INTO billing_commands (user_id, idempotency_key, "
          + "request_hash, reply, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";

  // The shared test clock

  static final String INSERT_TEST_CLOCK =
      "INSERT INTO billing_test_clock (id, now) VALUES (1, $1) " + "ON CONFLICT (id) DO NOTHING";

  static final String SELECT_TEST_CLOCK = "SELECT now FROM billing_test_clock WHERE id = 1";

  /** Moves the test clock forward only. */
  static final String UPDATE_TEST_CLOCK =
      "UPDATE billing_test_clock SET now = GREATEST(now, $1) " + "WHERE id = 1 RETURNING now";

  /** Stores wallets' runway alert states, one row each. */
  static final String UPDATE_RUNWAY_STATES =
      """
      UPDATE billing_wallets w
         SET runway_alerted_ms = ($3::bigint[])[k.i], runout_at = ($4::timestamptz[])[k.i]
        FROM unnest($1::text[]) WITH ORDINALITY AS k(user_id, i)
       WHERE w.user_id = k.user_id AND w.currency = ($2::text[])[k.i]
      """;
}
