package dev.kopek.billing;

import dev.kopek.billing.RunRequest.PlanTerms;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The billing tables, through the statements of {@link BillingSql}. */
final class BillingStore {

  /**
   * A wallet's timer row, locked for the transaction that read it.
   *
   * @param wallet the wallet
   * @param nextChargeAt its timer, or null
   * @param pendingRunText its pending run's JSON as stored (read with {@link #pendingRun()}), or
   *     null
   */
  record WalletRow(
      WalletKey wallet, Instant nextChargeAt, String pendingRunText, RunwayAlerts.State runway) {

    /**
     * The pending run, or null.
     *
     * @throws IllegalArgumentException when it cannot be read
     */
    PendingRun pendingRun() {
      if (pendingRunText == null) {
        return null;
      }
      JsonObject json;
      try {
        json = new JsonObject(pendingRunText);
      } catch (io.vertx.core.json.DecodeException | ClassCastException notAnObject) {
        throw new IllegalArgumentException(
            "the pending run is not a JSON object: " + notAnObject.getMessage());
      }
      return PendingRun.fromJson(json);
    }
  }

  /** A wallet's next timer, for {@link #setTimers} and {@link #finishRuns}. */
  record WalletTimer(WalletKey wallet, Instant nextChargeAt) {}

  private final Pool pool;

  BillingStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  // Plans

  Future<Optional<JsonObject>> insertPlan(
      String code,
      String name,
      long priceMinor,
      String currency,
      String period,
      long periodMs,
      Instant now) {
    return pool.preparedQuery(BillingSql.INSERT_PLAN)
        .execute(Tuple.of(code, name, priceMinor, currency, period, periodMs, time(now)))
        .map(BillingStore::firstPlan);
  }

  Future<List<JsonObject>> plans(boolean includeRetired) {
    return pool.query(includeRetired ? BillingSql.SELECT_PLANS : BillingSql.SELECT_ACTIVE_PLANS)
        .execute()
        .map(
            rows -> {
              List<JsonObject> plans = new ArrayList<>();
              rows.forEach(row -> plans.add(plan(row)));
              return plans;
            });
  }

  Future<Optional<JsonObject>> plan(SqlClient client, String code) {
    return client
        .preparedQuery(BillingSql.SELECT_PLAN)
        .execute(Tuple.of(code))
        .map(BillingStore::firstPlan);
  }

  Future<Optional<JsonObject>> retirePlan(String code, Instant now) {
    return pool.preparedQuery(BillingSql.UPDATE_PLAN_RETIRED)
        .execute(Tuple.of(code, time(now)))
        .map(BillingStore::firstPlan);
  }

  private static Optional<JsonObject> firstPlan(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(plan(rows.iterator().next()));
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

  // Wallet timers and pending runs

  /** Locks the wallet's timer row (creating it on first use) for the rest of the transaction. */
  Future<WalletRow> lockWallet(SqlClient conn, WalletKey wallet, Instant now) {
    return conn.preparedQuery(BillingSql.INSERT_WALLET)
        .execute(Tuple.of(wallet.userId(), wallet.currency(), time(now)))
        .compose(
            v ->
                conn.preparedQuery(BillingSql.SELECT_WALLET_FOR_UPDATE)
                    .execute(Tuple.of(wallet.userId(), wallet.currency())))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new WalletRow(
                  wallet,
                  instant(row.getOffsetDateTime("next_charge_at")),
                  pendingRunText(row),
                  runway(row));
            });
  }

  /** The wallet's timer, without locking it; empty when billing has no row for the wallet. */
  Future<Optional<Instant>> nextChargeAt(SqlClient conn, WalletKey wallet) {
    return conn.preparedQuery(BillingSql.SELECT_NEXT_CHARGE_AT)
        .execute(Tuple.of(wallet.userId(), wallet.currency()))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.ofNullable(
                        instant(rows.iterator().next().getOffsetDateTime("next_charge_at"))));
  }

  private static List<WalletRow> walletRows(RowSet<Row> rows) {
    List<WalletRow> list = new ArrayList<>(rows.size());
    for (Row row : rows) {
      list.add(
          new WalletRow(
              new WalletKey(row.getString("user_id"), row.getString("currency")),
              instant(row.getOffsetDateTime("next_charge_at")),
              pendingRunText(row),
              runway(row)));
    }
    return list;
  }

  private static RunwayAlerts.State runway(Row row) {
    Instant runout = instant(row.getOffsetDateTime("runout_at"));
    return new RunwayAlerts.State(
        row.getLong("runway_alerted_ms"), runout == null ? null : runout.toEpochMilli());
  }

  /** Stores the runway alert state of applied runs (those planned with one). */
  Future<Void> setRunwayStates(SqlClient conn, List<PendingRun> runs) {
    List<PendingRun> stated = runs.stream().filter(r -> r.runwayState() != null).toList();
    if (stated.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(BillingSql.UPDATE_RUNWAY_STATES)
        .execute(
            Tuple.of(
                stated.stream().map(r -> r.wallet().userId()).toArray(String[]::new),
                stated.stream().map(r -> r.wallet().currency()).toArray(String[]::new),
                stated.stream().map(r -> r.runwayState().alertedMs()).toArray(Long[]::new),
                stated.stream()
                    .map(
                        r ->
                            r.runwayState().runoutAtMs() == null
                                ? null
                                : time(Instant.ofEpochMilli(r.runwayState().runoutAtMs())))
                    .toArray(java.time.OffsetDateTime[]::new)))
        .mapEmpty();
  }

  private static String pendingRunText(Row row) {
    return row.getString("pending_run");
  }

  /**
   * Sets many wallets' timers in one statement, clearing their pending runs and releasing their
   * leases: the end of their runs.
   */
  Future<Void> setTimers(SqlClient conn, List<WalletTimer> timers, Instant now) {
    if (timers.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(BillingSql.UPDATE_TIMERS)
        .execute(
            Tuple.from(
                Arrays.asList(
                    userIds(timers), currencies(timers), nextChargesAt(timers), time(now))))
        .mapEmpty();
  }

  /**
   * Ends many runs in one statement: for each wallet whose pending run is still {@code runIds[i]},
   * sets its timer, clears the pending run and releases the lease, locking the row for the rest of
   * the transaction; where {@code runways[i]} is not null, stores it as the wallet's runway alert
   * state in the same row update. Returns the run ids it found still pending (another process may
   * have completed a run meanwhile).
   */
  Future<Set<String>> finishRuns(
      SqlClient conn,
      List<WalletTimer> timers,
      List<String> runIds,
      List<RunwayAlerts.State> runways,
      Instant now) {
    if (timers.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return conn.preparedQuery(BillingSql.UPDATE_TIMERS_OF_PENDING_RUNS)
        .execute(
            Tuple.from(
                Arrays.asList(
                    userIds(timers),
                    currencies(timers),
                    nextChargesAt(timers),
                    runIds.toArray(String[]::new),
                    time(now),
                    runways.stream().map(state -> state != null).toArray(Boolean[]::new),
                    runways.stream()
                        .map(state -> state == null ? null : state.alertedMs())
                        .toArray(Long[]::new),
                    runways.stream()
                        .map(
                            state ->
                                state == null || state.runoutAtMs() == null
                                    ? null
                                    : time(Instant.ofEpochMilli(state.runoutAtMs())))
                        .toArray(OffsetDateTime[]::new))))
        .map(
            rows -> {
              Set<String> finished = new HashSet<>();
              rows.forEach(row -> finished.add(row.getString("run_id")));
              return finished;
            });
  }

  /**
   * Claims and locks, for the rest of the transaction, up to {@code limit} wallets whose run was
   * left half done by a process that died (its lease ended), then wallets whose timer is due,
   * skipping wallets leased to a run in progress and rows other transactions hold: SKIP LOCKED
   * spreads the work over processes and never waits, so it cannot deadlock. Each kind is found by
   * its own index, never by scanning every wallet.
   */
  Future<List<WalletRow>> claimDue(SqlClient conn, Instant now, int limit) {
    return conn.preparedQuery(BillingSql.SELECT_ABANDONED_RUNS_FOR_UPDATE)
        .execute(Tuple.of(limit))
        .map(BillingStore::walletRows)
        .compose(
            left ->
                left.size() >= limit
                    ? Future.succeededFuture(left)
                    : conn.preparedQuery(BillingSql.SELECT_DUE_WALLETS_FOR_UPDATE)
                        .execute(Tuple.of(time(now), limit - left.size()))
                        .map(
                            rows -> {
                              List<WalletRow> claimed = new ArrayList<>(left);
                              claimed.addAll(walletRows(rows));
                              return claimed;
                            }));
  }

  /** Leases wallets to this process for {@code leaseMs}, so that claims elsewhere skip them. */
  Future<Void> leaseWallets(SqlClient conn, List<WalletKey> wallets, long leaseMs) {
    if (wallets.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(BillingSql.UPDATE_LEASES)
        .execute(walletKeys(wallets).addLong(leaseMs))
        .mapEmpty();
  }

  /**
   * Stores many wallets' pending runs in one statement, leasing the wallets for {@code leaseMs};
   * their timers are left as they are until the runs are applied.
   */
  Future<Void> storePendingRuns(SqlClient conn, List<PendingRun> runs, long leaseMs, Instant now) {
    if (runs.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(BillingSql.UPDATE_PENDING_RUNS)
        .execute(
            Tuple.from(
                Arrays.asList(
                    runs.stream().map(r -> r.wallet().userId()).toArray(String[]::new),
                    runs.stream().map(r -> r.wallet().currency()).toArray(String[]::new),
                    runs.stream().map(r -> r.toJson().encode()).toArray(String[]::new),
                    leaseMs,
                    time(now),
                    runs.stream().map(PendingRun::runId).toArray(String[]::new))))
        .mapEmpty();
  }

  // Subscriptions

  /** The subscriptions that are not cancelled of many wallets, oldest first, by wallet. */
  Future<Map<WalletKey, List<SubscriptionRow>>> walletsSubscriptions(
      SqlClient conn, List<WalletKey> wallets) {
    return conn.preparedQuery(BillingSql.SELECT_SUBSCRIPTIONS_OF_WALLETS)
        .execute(walletKeys(wallets))
        .map(
            rows -> {
              Map<WalletKey, List<SubscriptionRow>> byWallet = new HashMap<>();
              for (Row row : rows) {
                SubscriptionRow subscription = SubscriptionRow.from(row);
                byWallet
                    .computeIfAbsent(subscription.wallet(), k -> new ArrayList<>())
                    .add(subscription);
              }
              return byWallet;
            });
  }

  /** Which of the wallets have a subscription that is not cancelled. */
  Future<Set<WalletKey>> walletsWithSubscriptions(List<WalletKey> wallets) {
    return pool.preparedQuery(BillingSql.SELECT_SUBSCRIBED_WALLETS_OF_USERS)
        .execute(Tuple.of((Object) wallets.stream().map(WalletKey::userId).toArray(String[]::new)))
        .map(
            rows -> {
              Set<WalletKey> subscribed = new HashSet<>();
              rows.forEach(
                  row -> subscribed.add(new WalletKey(row.getString(0), row.getString(1))));
              subscribed.retainAll(new HashSet<>(wallets));
              return subscribed;
            });
  }

  Future<List<SubscriptionRow>> userSubscriptions(String userId) {
    return pool.preparedQuery(BillingSql.SELECT_SUBSCRIPTIONS_OF_USER)
        .execute(Tuple.of(userId))
        .map(BillingStore::subscriptions);
  }

  Future<Optional<SubscriptionRow>> subscription(SqlClient conn, String id) {
    return conn.preparedQuery(BillingSql.SELECT_SUBSCRIPTION)
        .execute(Tuple.of(id))
        .map(rows -> subscriptions(rows).stream().findFirst());
  }

  Future<Void> insertSubscription(
      SqlClient conn, String id, WalletKey wallet, PlanTerms plan, Instant at) {
    return conn.preparedQuery(BillingSql.INSERT_SUBSCRIPTION)
        .execute(
            Tuple.from(
                Arrays.asList(
                    id,
                    wallet.userId(),
                    wallet.currency(),
                    plan.code(),
                    time(at),
                    plan.priceMinor(),
                    plan.periodMs())))
        .mapEmpty();
  }

  Future<Void> updateProgress(SqlClient conn, Segment segment, Instant billedThrough, Instant now) {
    return conn.preparedQuery(BillingSql.UPDATE_PROGRESS)
        .execute(
            Tuple.of(
                segment.subscriptionId(),
                segment.periodsCharged(),
                segment.chargedMinor(),
                time(billedThrough),
                time(now)))
        .mapEmpty();
  }

  /** {@link #updateProgress} for many segments in one statement. */
  Future<Void> updateProgressAll(
      SqlClient conn, List<Segment> segments, List<Instant> billedThrough, List<Instant> at) {
    if (segments.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(BillingSql.UPDATE_PROGRESS_ALL)
        .execute(
            Tuple.from(
                List.of(
                    segments.stream().map(Segment::subscriptionId).toArray(String[]::new),
                    segments.stream().map(Segment::periodsCharged).toArray(Long[]::new),
                    segments.stream().map(Segment::chargedMinor).toArray(Long[]::new),
                    billedThrough.stream().map(BillingStore::time).toArray(OffsetDateTime[]::new),
                    at.stream().map(BillingStore::time).toArray(OffsetDateTime[]::new))))
        .mapEmpty();
  }

  /** Records the end of a segment in the audit trail. */
  Future<Void> endSegment(SqlClient conn, Segment segment, Instant endedAt, String reason) {
    return conn.preparedQuery(BillingSql.INSERT_ENDED_SEGMENT)
        .execute(
            Tuple.from(
                Arrays.asList(
                    segment.subscriptionId(),
                    segment.segment(),
                    segment.planCode(),
                    time(Instant.ofEpochMilli(segment.anchorMs())),
                    time(endedAt),
                    reason,
                    segment.chargedMinor())))
        .mapEmpty();
  }

  Future<Void> suspend(SqlClient conn, String id, Instant at) {
    return conn.preparedQuery(BillingSql.UPDATE_SUSPENDED)
        .execute(Tuple.of(id, time(at)))
        .mapEmpty();
  }

  Future<Void> cancel(SqlClient conn, String id, Instant at) {
    return conn.preparedQuery(BillingSql.UPDATE_CANCELLED)
        .execute(Tuple.of(id, time(at)))
        .mapEmpty();
  }

  /** Starts a new segment at {@code anchor} on {@code plan}: after a plan change or a resume. */
  Future<Void> startSegment(
      SqlClient conn, String id, int segment, PlanTerms plan, Instant anchor) {
    return conn.preparedQuery(BillingSql.UPDATE_NEW_SEGMENT)
        .execute(
            Tuple.from(
                Arrays.asList(
                    id, segment, time(anchor), plan.code(), plan.priceMinor(), plan.periodMs())))
        .mapEmpty();
  }

  /** Switches a suspended subscription's plan; it takes effect when the subscription resumes. */
  Future<Void> setPlan(SqlClient conn, String id, PlanTerms plan, Instant now) {
    return conn.preparedQuery(BillingSql.UPDATE_PLAN_OF_SUBSCRIPTION)
        .execute(Tuple.of(id, plan.code(), plan.priceMinor(), plan.periodMs(), time(now)))
        .mapEmpty();
  }

  // Idempotent commands

  Future<Optional<Row>> command(SqlClient conn, String userId, String key) {
    return conn.preparedQuery(BillingSql.SELECT_COMMAND)
        .execute(Tuple.of(userId, key))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()));
  }

  Future<Void> storeCommand(
      SqlClient conn,
      String userId,
      String key,
      byte[] requestHash,
      JsonObject reply,
      Instant now) {
    return conn.preparedQuery(BillingSql.INSERT_COMMAND)
        .execute(Tuple.of(userId, key, Buffer.buffer(requestHash), reply, time(now)))
        .mapEmpty();
  }

  private static List<SubscriptionRow> subscriptions(RowSet<Row> rows) {
    List<SubscriptionRow> list = new ArrayList<>();
    rows.forEach(row -> list.add(SubscriptionRow.from(row)));
    return list;
  }

  /** The wallets as two parallel arrays, user ids and currencies: {@code $1} and {@code $2}. */
  private static Tuple walletKeys(List<WalletKey> wallets) {
    return Tuple.tuple()
        .addArrayOfString(wallets.stream().map(WalletKey::userId).toArray(String[]::new))
        .addArrayOfString(wallets.stream().map(WalletKey::currency).toArray(String[]::new));
  }

  private static String[] userIds(List<WalletTimer> timers) {
    return timers.stream().map(t -> t.wallet().userId()).toArray(String[]::new);
  }

  private static String[] currencies(List<WalletTimer> timers) {
    return timers.stream().map(t -> t.wallet().currency()).toArray(String[]::new);
  }

  private static OffsetDateTime[] nextChargesAt(List<WalletTimer> timers) {
    return timers.stream().map(t -> time(t.nextChargeAt())).toArray(OffsetDateTime[]::new);
  }

  static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
