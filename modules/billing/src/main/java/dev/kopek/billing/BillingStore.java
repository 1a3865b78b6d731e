package dev.kopek.billing;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The billing tables; every statement of the module, named verb-first. */
final class BillingStore {

  /** A wallet's timer row, locked for the transaction that read it. */
  record WalletRow(String userId, String currency, Instant nextChargeAt, JsonObject pendingRun) {}

  private static final String PLAN_COLUMNS =
      "code, name, price_minor, currency, period, period_ms, retired_at, created_at";

  private final Pool pool;

  BillingStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  // Plans

  Future<Optional<JsonObject>> insertPlan(String code, String name, long priceMinor,
      String currency, String period, long periodMs, Instant now) {
    return pool.preparedQuery("INSERT INTO billing_plans (" + PLAN_COLUMNS + ") VALUES "
            + "($1, $2, $3, $4, $5, $6, NULL, $7) ON CONFLICT (code) DO NOTHING RETURNING "
            + PLAN_COLUMNS)
        .execute(Tuple.of(code, name, priceMinor, currency, period, periodMs, time(now)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(plan(rows.iterator().next())));
  }

  Future<List<JsonObject>> plans(boolean includeRetired) {
    return pool.query("SELECT " + PLAN_COLUMNS + " FROM billing_plans"
            + (includeRetired ? "" : " WHERE retired_at IS NULL") + " ORDER BY created_at, code")
        .execute().map(rows -> {
          List<JsonObject> plans = new ArrayList<>();
          rows.forEach(row -> plans.add(plan(row)));
          return plans;
        });
  }

  Future<Optional<JsonObject>> plan(SqlClient client, String code) {
    return client.preparedQuery("SELECT " + PLAN_COLUMNS + " FROM billing_plans WHERE code = $1")
        .execute(Tuple.of(code))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(plan(rows.iterator().next())));
  }

  Future<Optional<JsonObject>> retirePlan(String code, Instant now) {
    return pool.preparedQuery("UPDATE billing_plans SET retired_at = COALESCE(retired_at, $2) "
            + "WHERE code = $1 RETURNING " + PLAN_COLUMNS)
        .execute(Tuple.of(code, time(now)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(plan(rows.iterator().next())));
  }

  private static JsonObject plan(Row row) {
    OffsetDateTime retired = row.getOffsetDateTime("retired_at");
    return new JsonObject()
        .put("code", row.getString("code"))
        .put("name", row.getString("name"))
        .put("price_minor", row.getLong("price_minor"))
        .put("currency", row.getString("currency"))
        .put("period", row.getString("period"))
        .put("period_ms", row.getLong("period_ms"))
        .put("status", retired == null ? "active" : "retired")
        .put("retired_at", retired == null ? null : retired.toInstant().toString())
        .put("created_at", row.getOffsetDateTime("created_at").toInstant().toString());
  }

  // Wallet timers

  /** Locks the wallet's timer row (creating it on first use) for the rest of the transaction. */
  Future<WalletRow> lockWallet(SqlClient conn, String userId, String currency, Instant now) {
    return conn.preparedQuery("INSERT INTO billing_wallets (user_id, currency, updated_at) "
            + "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .execute(Tuple.of(userId, currency, time(now)))
        .compose(v -> conn.preparedQuery("SELECT next_charge_at, pending_run FROM billing_wallets "
                + "WHERE user_id = $1 AND currency = $2 FOR UPDATE")
            .execute(Tuple.of(userId, currency)))
        .map(rows -> {
          Row row = rows.iterator().next();
          OffsetDateTime next = row.getOffsetDateTime("next_charge_at");
          Object pending = row.getValue("pending_run");
          return new WalletRow(userId, currency, next == null ? null : next.toInstant(),
              pending instanceof JsonObject json ? json : null);
        });
  }

  Future<Void> setWallet(SqlClient conn, String userId, String currency, Instant nextChargeAt,
      JsonObject pendingRun, long leaseMs, Instant now) {
    return conn.preparedQuery("UPDATE billing_wallets SET next_charge_at = $3, pending_run = $4, "
            + "lease_until = CASE WHEN $4::jsonb IS NULL THEN NULL "
            + "ELSE clock_timestamp() + make_interval(secs => $5::double precision / 1000) END, "
            + "updated_at = $6 WHERE user_id = $1 AND currency = $2")
        .execute(Tuple.of(userId, currency, time(nextChargeAt), pendingRun, leaseMs, time(now)))
        .mapEmpty();
  }

  private static List<WalletRow> walletRows(io.vertx.sqlclient.RowSet<Row> rows) {
    List<WalletRow> list = new ArrayList<>(rows.size());
    for (Row row : rows) {
      OffsetDateTime next = row.getOffsetDateTime("next_charge_at");
      Object pending = row.getValue("pending_run");
      list.add(new WalletRow(row.getString("user_id"), row.getString("currency"),
          next == null ? null : next.toInstant(), pending instanceof JsonObject json ? json : null));
    }
    return list;
  }

  /** A wallet's next timer, for {@link #setTimers}. */
  record WalletTimer(String userId, String currency, Instant nextChargeAt) {}

  /**
   * Sets many wallets' timers in one statement, clearing their pending runs and releasing their
   * leases: the end of their runs.
   */
  Future<Void> setTimers(SqlClient conn, List<WalletTimer> timers, Instant now) {
    if (timers.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
        UPDATE billing_wallets w
           SET next_charge_at = u.next_charge_at, pending_run = NULL, lease_until = NULL,
               updated_at = $4
          FROM unnest($1::text[], $2::bpchar[], $3::timestamptz[])
               AS u(user_id, currency, next_charge_at)
         WHERE w.user_id = u.user_id AND w.currency = u.currency
        """)
        .execute(Tuple.from(Arrays.asList(
            timers.stream().map(WalletTimer::userId).toArray(String[]::new),
            timers.stream().map(WalletTimer::currency).toArray(String[]::new),
            timers.stream().map(t -> time(t.nextChargeAt())).toArray(OffsetDateTime[]::new),
            time(now))))
        .mapEmpty();
  }

  /**
   * Ends many runs in one statement: for each wallet whose pending run is still {@code runIds[i]},
   * sets its timer, clears the pending run and releases the lease, locking the row for the rest of
   * the transaction. Returns the run ids it found still pending (another process may have
   * completed a run meanwhile).
   */
  Future<java.util.Set<String>> finishRuns(SqlClient conn, List<WalletTimer> timers,
      List<String> runIds, Instant now) {
    if (timers.isEmpty()) {
      return Future.succeededFuture(java.util.Set.of());
    }
    return conn.preparedQuery("""
        UPDATE billing_wallets w
           SET next_charge_at = u.next_charge_at, pending_run = NULL, lease_until = NULL,
               updated_at = $5
          FROM unnest($1::text[], $2::bpchar[], $3::timestamptz[], $4::text[])
               AS u(user_id, currency, next_charge_at, run_id)
         WHERE w.user_id = u.user_id AND w.currency = u.currency
           AND w.pending_run ->> 'run_id' = u.run_id
        RETURNING u.run_id
        """)
        .execute(Tuple.from(Arrays.asList(
            timers.stream().map(WalletTimer::userId).toArray(String[]::new),
            timers.stream().map(WalletTimer::currency).toArray(String[]::new),
            timers.stream().map(t -> time(t.nextChargeAt())).toArray(OffsetDateTime[]::new),
            runIds.toArray(String[]::new),
            time(now))))
        .map(rows -> {
          java.util.Set<String> finished = new java.util.HashSet<>();
          rows.forEach(row -> finished.add(row.getString("run_id")));
          return finished;
        });
  }

  private static Tuple walletKeys(List<String[]> wallets) {
    return Tuple.from(List.of(
        wallets.stream().map(w -> w[0]).toArray(String[]::new),
        wallets.stream().map(w -> w[1]).toArray(String[]::new)));
  }

  /**
   * Claims and locks, for the rest of the transaction, up to {@code limit} wallets whose run was
   * left half done by a process that died (its lease ended), then wallets whose timer is due,
   * skipping wallets leased to a run in progress and rows other transactions hold: SKIP LOCKED
   * spreads the work over processes and never waits, so it cannot deadlock. Each kind is found by
   * its own index, never by scanning every wallet.
   */
  Future<List<WalletRow>> claimDue(SqlClient conn, Instant now, int limit) {
    return conn.preparedQuery("""
        SELECT user_id, currency, next_charge_at, pending_run FROM billing_wallets
         WHERE pending_run IS NOT NULL
           AND (lease_until IS NULL OR lease_until < clock_timestamp())
         LIMIT $1
           FOR UPDATE SKIP LOCKED
        """)
        .execute(Tuple.of(limit))
        .map(BillingStore::walletRows)
        .compose(left -> left.size() >= limit ? Future.succeededFuture(left)
            : conn.preparedQuery("""
                SELECT user_id, currency, next_charge_at, pending_run FROM billing_wallets
                 WHERE next_charge_at <= $1 AND pending_run IS NULL
                   AND (lease_until IS NULL OR lease_until < clock_timestamp())
                 ORDER BY next_charge_at
                 LIMIT $2
                   FOR UPDATE SKIP LOCKED
                """)
                .execute(Tuple.of(time(now), limit - left.size()))
                .map(rows -> {
                  List<WalletRow> claimed = new ArrayList<>(left);
                  claimed.addAll(walletRows(rows));
                  return claimed;
                }));
  }

  /** Leases wallets to this process for {@code leaseMs}, so that claims elsewhere skip them. */
  Future<Void> leaseWallets(SqlClient conn, List<String[]> wallets, long leaseMs) {
    if (wallets.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple keys = walletKeys(wallets);
    return conn.preparedQuery("""
        UPDATE billing_wallets
           SET lease_until = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
         WHERE (user_id, currency) IN (SELECT * FROM unnest($1::text[], $2::bpchar[]))
        """)
        .execute(Tuple.of(keys.getValue(0), keys.getValue(1), leaseMs))
        .mapEmpty();
  }

  /**
   * Stores many wallets' pending runs in one statement, leasing the wallets for
   * {@code leaseMs}; their timers are left as they are until the runs are applied.
   */
  Future<Void> storePendingRuns(SqlClient conn, List<JsonObject> runs, long leaseMs, Instant now) {
    if (runs.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
        UPDATE billing_wallets w
           SET pending_run = u.pending_run::jsonb,
               lease_until = clock_timestamp() + make_interval(secs => $4::double precision / 1000),
               updated_at = $5
          FROM unnest($1::text[], $2::bpchar[], $3::text[]) AS u(user_id, currency, pending_run)
         WHERE w.user_id = u.user_id AND w.currency = u.currency
        """)
        .execute(Tuple.from(Arrays.asList(
            runs.stream().map(r -> r.getString("user_id")).toArray(String[]::new),
            runs.stream().map(r -> r.getString("currency")).toArray(String[]::new),
            runs.stream().map(JsonObject::encode).toArray(String[]::new),
            leaseMs, time(now))))
        .mapEmpty();
  }

  // Subscriptions

  /** The wallet's subscriptions that are not cancelled, oldest first. */
  Future<List<SubscriptionRow>> walletSubscriptions(SqlClient conn, String userId,
      String currency) {
    return conn.preparedQuery("SELECT " + SubscriptionRow.COLUMNS + " FROM billing_subscriptions "
            + "WHERE user_id = $1 AND currency = $2 AND status <> 'cancelled' "
            + "ORDER BY created_at, id")
        .execute(Tuple.of(userId, currency))
        .map(BillingStore::subscriptions);
  }

  /**
   * The subscriptions that are not cancelled of many wallets, oldest first, by wallet
   * ({@code user_id + "\n" + currency}).
   */
  Future<java.util.Map<String, List<SubscriptionRow>>> walletsSubscriptions(SqlClient conn,
      List<String[]> wallets) {
    return conn.preparedQuery("SELECT " + SubscriptionRow.COLUMNS + " FROM billing_subscriptions "
            + "WHERE (user_id, currency) IN (SELECT * FROM unnest($1::text[], $2::bpchar[])) "
            + "AND status <> 'cancelled' ORDER BY created_at, id")
        .execute(walletKeys(wallets))
        .map(rows -> {
          java.util.Map<String, List<SubscriptionRow>> byWallet = new java.util.HashMap<>();
          for (Row row : rows) {
            SubscriptionRow subscription = SubscriptionRow.from(row);
            byWallet.computeIfAbsent(subscription.userId() + "\n" + subscription.currency(),
                k -> new ArrayList<>()).add(subscription);
          }
          return byWallet;
        });
  }

  /**
   * Which of the wallets ({@code userIds[i]}, {@code currencies[i]}) have a subscription that is
   * not cancelled; as "user\ncurrency" keys.
   */
  Future<java.util.Set<String>> walletsWithSubscriptions(String[] userIds, String[] currencies) {
    // A one-table query on the users (their other currencies are filtered out below): asked
    // after nearly every batch of entries, and a join with the arrays took about 0.5 ms to plan,
    // each time, against microseconds to run.
    return pool.preparedQuery("SELECT user_id, currency FROM billing_subscriptions "
            + "WHERE user_id = ANY($1::text[]) AND status <> 'cancelled'")
        .execute(Tuple.of((Object) userIds))
        .map(rows -> {
          java.util.Set<String> wallets = new java.util.HashSet<>();
          rows.forEach(row -> wallets.add(row.getString(0) + "\n" + row.getString(1)));
          java.util.Set<String> asked = new java.util.HashSet<>();
          for (int i = 0; i < userIds.length; i++) {
            asked.add(userIds[i] + "\n" + currencies[i]);
          }
          wallets.retainAll(asked);
          return wallets;
        });
  }

  Future<List<SubscriptionRow>> userSubscriptions(String userId) {
    return pool.preparedQuery("SELECT " + SubscriptionRow.COLUMNS + " FROM billing_subscriptions "
            + "WHERE user_id = $1 ORDER BY created_at, id")
        .execute(Tuple.of(userId))
        .map(BillingStore::subscriptions);
  }

  Future<Optional<SubscriptionRow>> subscription(SqlClient conn, String id) {
    return conn.preparedQuery("SELECT " + SubscriptionRow.COLUMNS
            + " FROM billing_subscriptions WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> subscriptions(rows).stream().findFirst());
  }

  Future<Void> insertSubscription(SqlClient conn, String id, String userId, String currency,
      JsonObject plan, Instant at) {
    return conn.preparedQuery("""
        INSERT INTO billing_subscriptions (id, user_id, currency, plan_code, status, segment, anchor,
            price_minor, period_ms, billed_through, created_at, updated_at)
        VALUES ($1, $2, $3, $4, 'active', 1, $5, $6, $7, $5, $5, $5)
        """)
        .execute(Tuple.from(Arrays.asList(id, userId, currency, plan.getString("code"), time(at),
            plan.getLong("price_minor"), plan.getLong("period_ms"))))
        .mapEmpty();
  }

  Future<Void> updateProgress(SqlClient conn, Segment segment, Instant billedThrough, Instant now) {
    return conn.preparedQuery("UPDATE billing_subscriptions SET periods_charged = $2, "
            + "segment_charged_minor = $3, billed_through = $4, updated_at = $5 WHERE id = $1")
        .execute(Tuple.of(segment.subscriptionId(), segment.periodsCharged(),
            segment.chargedMinor(), time(billedThrough), time(now)))
        .mapEmpty();
  }

  /** {@link #updateProgress} for many segments in one statement. */
  Future<Void> updateProgressAll(SqlClient conn, List<Segment> segments,
      List<Instant> billedThrough, List<Instant> at) {
    if (segments.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
        UPDATE billing_subscriptions s
           SET periods_charged = u.periods_charged, segment_charged_minor = u.charged_minor,
               billed_through = u.billed_through, updated_at = u.updated_at
          FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
               AS u(id, periods_charged, charged_minor, billed_through, updated_at)
         WHERE s.id = u.id
        """)
        .execute(Tuple.from(List.of(
            segments.stream().map(Segment::subscriptionId).toArray(String[]::new),
            segments.stream().map(Segment::periodsCharged).toArray(Long[]::new),
            segments.stream().map(Segment::chargedMinor).toArray(Long[]::new),
            billedThrough.stream().map(BillingStore::time).toArray(OffsetDateTime[]::new),
            at.stream().map(BillingStore::time).toArray(OffsetDateTime[]::new))))
        .mapEmpty();
  }

  /** Records the end of a segment in the audit trail. */
  Future<Void> endSegment(SqlClient conn, Segment segment, Instant endedAt, String reason) {
    return conn.preparedQuery("INSERT INTO billing_segments (subscription_id, segment, plan_code, "
            + "anchor, ended_at, end_reason, charged_minor) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            + "ON CONFLICT DO NOTHING")
        .execute(Tuple.from(Arrays.asList(segment.subscriptionId(), segment.segment(),
            segment.planCode(), time(Instant.ofEpochMilli(segment.anchorMs())), time(endedAt),
            reason, segment.chargedMinor())))
        .mapEmpty();
  }

  Future<Void> setStatus(SqlClient conn, String id, String status, Instant at) {
    String column = "suspended".equals(status) ? "suspended_at" : "cancelled_at";
    return conn.preparedQuery("UPDATE billing_subscriptions SET status = $2, " + column
            + " = $3, updated_at = $3 WHERE id = $1")
        .execute(Tuple.of(id, status, time(at)))
        .mapEmpty();
  }

  /** Starts a new segment at {@code anchor} on {@code plan}: after a plan change or a resume. */
  Future<Void> startSegment(SqlClient conn, String id, int segment, JsonObject plan, Instant anchor) {
    return conn.preparedQuery("""
        UPDATE billing_subscriptions
           SET status = 'active', segment = $2, anchor = $3, plan_code = $4, price_minor = $5,
               period_ms = $6, periods_charged = 0, segment_charged_minor = 0,
               billed_through = $3, suspended_at = NULL, updated_at = $3
         WHERE id = $1
        """)
        .execute(Tuple.from(Arrays.asList(id, segment, time(anchor), plan.getString("code"),
            plan.getLong("price_minor"), plan.getLong("period_ms"))))
        .mapEmpty();
  }

  /** Switches a suspended subscription's plan; it takes effect when the subscription resumes. */
  Future<Void> setPlan(SqlClient conn, String id, JsonObject plan, Instant now) {
    return conn.preparedQuery("UPDATE billing_subscriptions SET plan_code = $2, price_minor = $3, "
            + "period_ms = $4, updated_at = $5 WHERE id = $1")
        .execute(Tuple.of(id, plan.getString("code"), plan.getLong("price_minor"),
            plan.getLong("period_ms"), time(now)))
        .mapEmpty();
  }

  // Idempotent commands

  Future<Optional<Row>> command(SqlClient conn, String userId, String key) {
    return conn.preparedQuery("SELECT request_hash, reply FROM billing_commands "
            + "WHERE user_id = $1 AND idempotency_key = $2")
        .execute(Tuple.of(userId, key))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()));
  }

  Future<Void> storeCommand(SqlClient conn, String userId, String key, byte[] requestHash,
      JsonObject reply, Instant now) {
    return conn.preparedQuery("INSERT INTO billing_commands (user_id, idempotency_key, "
            + "request_hash, reply, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .execute(Tuple.of(userId, key, Buffer.buffer(requestHash), reply, time(now)))
        .mapEmpty();
  }

  private static List<SubscriptionRow> subscriptions(io.vertx.sqlclient.RowSet<Row> rows) {
    List<SubscriptionRow> list = new ArrayList<>();
    rows.forEach(row -> list.add(SubscriptionRow.from(row)));
    return list;
  }

  static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
