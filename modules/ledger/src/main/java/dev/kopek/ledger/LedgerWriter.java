package dev.kopek.ledger;

import static dev.kopek.ledger.Invariants.check;

import dev.kopek.events.EventLog;
import dev.kopek.ledger.BatchPlanner.AccountKeys;
import dev.kopek.ledger.BatchPlanner.Command;
import dev.kopek.ledger.BatchPlanner.StoredEntry;
import dev.kopek.model.DatabaseFailures;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Instants;
import dev.kopek.model.RateLimitedLog;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's single write path, group-committing: commands queue up while a batch is being
 * written, and the next batch takes everything queued (up to {@code batchMax}) into one database
 * transaction. Inside it, every account the batch touches is locked once (in key order), the batch
 * is planned in memory ({@link BatchPlanner}: arrival order, the balance guard, replays, atomic
 * groups), and each touched account is updated once. Every command still gets its own outcome: a
 * debit that does not fit is rejected alone, and a repeat of an idempotency key posted before (in
 * an earlier transaction or earlier in the same batch) replays that entry; a refusal is not
 * remembered. At most {@code queueMax} commands wait: one arriving when that many do is answered
 * {@code unavailable} at once.
 *
 * <p>Confined to the ledger verticle's event loop: no locking in Java.
 */
final class LedgerWriter {

  /**
   * How often a batch is retried when it lost a race with another Kopek process on the same
   * database (a unique key inserted concurrently, a deadlock): each retry sees the winner's commit.
   */
  private static final int RACE_RETRIES_MAX = 5;

  private static final Set<String> RACE_SQL_STATES = Set.of("23505", "40P01", "40001");

  private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);

  private final RateLimitedLog outageLog =
      new RateLimitedLog(LOG, RateLimitedLog.INTERVAL_MS, System::currentTimeMillis);

  /** A queued command and where its outcome goes. */
  private record Pending(Command command, Promise<Outcome> promise) {}

  private final Pool pool;
  private final Clock clock;
  private final int batchMax;
  private final int queueMax;
  private final Consumer<Entry> onPosted;
  private final BalanceAlerts alerts;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean writing;
  private int holding;
  private int lastGroup;

  LedgerWriter(
      Pool pool,
      Clock clock,
      int batchMax,
      int queueMax,
      BalanceAlerts alerts,
      Consumer<Entry> onPosted) {
    this.pool = pool;
    this.alerts = alerts;
    this.clock = clock;
    this.batchMax = batchMax;
    this.queueMax = queueMax;
    this.onPosted = onPosted;
  }

  /**
   * Queues a validated command; the future completes once its batch has committed, or at once with
   * {@code unavailable} when the queue is full.
   */
  Future<Outcome> submit(PostingRequest request) {
    if (queue.size() >= queueMax) {
      return Future.succeededFuture(queueFull(1));
    }
    Promise<Outcome> promise = Promise.promise();
    queue.add(new Pending(new Command(request, Command.ALONE), promise));
    writeNextBatch();
    return promise.future();
  }

  /**
   * Queues validated commands that must all be posted or none: if one is refused (or conflicts),
   * every one of them is refused and nothing of them is written. Commands already posted under
   * their keys count as posted (replays), so a retried group completes. A group that does not fit
   * in the queue's room is refused whole, {@code unavailable}.
   */
  Future<List<Outcome>> submitAtomic(List<PostingRequest> requests) {
    if (requests.size() > queueMax - queue.size()) {
      return Future.succeededFuture(
          Collections.nCopies(requests.size(), queueFull(requests.size())));
    }
    int group = ++lastGroup == Command.ALONE ? ++lastGroup : lastGroup;
    List<Future<Outcome>> outcomes = new ArrayList<>(requests.size());
    for (PostingRequest request : requests) {
      Promise<Outcome> promise = Promise.promise();
      queue.add(new Pending(new Command(request, group), promise));
      outcomes.add(promise.future());
    }
    writeNextBatch();
    return Future.all(outcomes).map(all -> outcomes.stream().map(Future::result).toList());
  }

  /**
   * Runs {@code submits} (calls of {@link #submit} and {@link #submitAtomic} for one request of
   * many postings) so that what they queue starts out in one batch: otherwise the first call would
   * start a batch of its own before the others were queued.
   */
  <T> T together(Supplier<T> submits) {
    holding++;
    try {
      return submits.get();
    } finally {
      holding--;
      writeNextBatch();
    }
  }

  /** The answer to commands that find the queue full; nothing of them is queued. */
  private Outcome.Rejected queueFull(int commands) {
    outageLog.warn(
        "queue full",
        "The ledger's queue is full (ledger.queue_max = "
            + queueMax
            + " commands waiting): answered "
            + commands
            + " command(s) with 503");
    return new Outcome.Rejected(
        Failure.of(
            ErrorCode.UNAVAILABLE,
            "the ledger has too many "
                + "commands waiting; retry shortly with the same idempotency key"));
  }

  private void writeNextBatch() {
    if (writing || holding > 0 || queue.isEmpty()) {
      return;
    }
    writing = true;
    List<Pending> batch = takeBatch();
    List<Command> commands = batch.stream().map(Pending::command).toList();
    write(commands, 0)
        .map(outcomes -> checkOnePerCommand(commands, outcomes))
        .onComplete(
            result -> {
              writing = false;
              // The next batch goes out first: answering this one (replies, posted facts) takes a
              // while, and the database can lock and read for the next batch meanwhile. The
              // batches'
              // commands are independent: the next one reads the accounts as this one committed
              // them.
              writeNextBatch();
              answer(
                  batch, result.succeeded() ? result.result() : refuseAll(batch, result.cause()));
            });
  }

  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), batchMax));
    // An atomic group is never split across batches, even if it overshoots the cap.
    while (!queue.isEmpty() && (batch.size() < batchMax || continuesGroup(batch))) {
      batch.add(queue.poll());
    }
    return batch;
  }

  private boolean continuesGroup(List<Pending> batch) {
    int last = batch.isEmpty() ? Command.ALONE : batch.get(batch.size() - 1).command().group();
    return last != Command.ALONE && queue.peek().command().group() == last;
  }

  private static List<Outcome> checkOnePerCommand(List<Command> commands, List<Outcome> outcomes) {
    check(
        outcomes.size() == commands.size(),
        "%d outcomes for a batch of %d commands",
        outcomes.size(),
        commands.size());
    return outcomes;
  }

  /** Answers each command of a batch, exactly once, and publishes what it posted. */
  private void answer(List<Pending> batch, List<Outcome> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      Pending pending = batch.get(i);
      Outcome outcome = outcomes.get(i);
      if (!pending.promise().tryComplete(outcome)) {
        LOG.error(
            "Ledger command answered twice",
            new IllegalStateException(
                "ledger invariant broken: command "
                    + pending.command().request().idempotencyKey()
                    + " was answered before its batch was"));
        continue;
      }
      if (outcome instanceof Outcome.Posted posted && !posted.replayed()) {
        onPosted.accept(posted.entry());
      }
    }
  }

  /** The outcomes of a batch that failed as a whole: nothing of it was written. */
  private List<Outcome> refuseAll(List<Pending> batch, Throwable error) {
    Failure failure;
    if (DatabaseFailures.isTransient(error)) {
      logOutage(error, "a batch of " + batch.size() + " command(s)");
      failure = DatabaseFailures.unavailable();
    } else if (error instanceof IllegalStateException) {
      LOG.error("Ledger batch of {} command(s) answered internal", batch.size(), error);
      failure = Failure.of(ErrorCode.INTERNAL, "internal error");
    } else {
      LOG.error("Ledger batch of {} command(s) failed", batch.size(), error);
      failure =
          Failure.of(
              ErrorCode.UNAVAILABLE,
              "the ledger could not write right now; retry with the same idempotency key");
    }
    return Collections.nCopies(batch.size(), new Outcome.Rejected(failure));
  }

  private Future<List<Outcome>> write(List<Command> commands, int attempt) {
    return pool.getConnection()
        .compose(conn -> inTransaction(conn, commands).eventually(conn::close))
        .recover(
            error -> {
              if (isRace(error) && attempt < RACE_RETRIES_MAX) {
                return write(commands, attempt + 1);
              }
              // An outage fails every command alike: writing them one by one would only fail each
              // again (as a bug, 500, when the batch died of 57P01 and its commands then met a
              // refused connection), so the whole batch is answered 503.
              if (error instanceof PgException
                  && !DatabaseFailures.isTransient(error)
                  && BatchPlanner.units(commands).size() > 1) {
                LOG.warn(
                    "Ledger batch failed ({}); writing its {} commands one by one",
                    error.getMessage(),
                    commands.size());
                return writeOneByOne(commands);
              }
              return Future.failedFuture(error);
            });
  }

  /**
   * Isolates a command (or atomic group) the database refuses, so that it cannot fail its
   * batch-mates.
   */
  private Future<List<Outcome>> writeOneByOne(List<Command> commands) {
    List<Outcome> outcomes = new ArrayList<>(commands.size());
    // Once the database has gone away, the remaining commands are not tried: each would only
    // wait for a refused connection.
    boolean[] outage = {false};
    Future<Void> chain = Future.succeededFuture();
    for (List<Command> unit : BatchPlanner.units(commands)) {
      chain =
          chain.compose(
              v ->
                  (outage[0] ? Future.<List<Outcome>>failedFuture(OUTAGE_BEFORE) : write(unit, 0))
                      .map(written -> outcomes.addAll(checkOnePerCommand(unit, written)))
                      .recover(
                          error -> {
                            Failure failure;
                            String first = unit.get(0).request().idempotencyKey();
                            if (error == OUTAGE_BEFORE || DatabaseFailures.isTransient(error)) {
                              if (error != OUTAGE_BEFORE) {
                                logOutage(error, "command " + first);
                              }
                              outage[0] = true;
                              failure = DatabaseFailures.unavailable();
                            } else {
                              LOG.error("Ledger command {} failed", first, error);
                              failure = Failure.of(ErrorCode.INTERNAL, "internal error");
                            }
                            unit.forEach(command -> outcomes.add(new Outcome.Rejected(failure)));
                            return Future.succeededFuture(true);
                          })
                      .mapEmpty());
    }
    return chain.map(v -> outcomes);
  }

  /** Stands for "the database went away earlier in this batch" in {@link #writeOneByOne}. */
  private static final Exception OUTAGE_BEFORE =
      new Exception("the database went away earlier in the batch", null, false, false) {};

  /** One line per kind of outage every few seconds, not a stack trace per batch or command. */
  private void logOutage(Throwable error, String what) {
    DatabaseFailures.kind(error)
        .ifPresent(
            kind ->
                outageLog.warn(
                    kind,
                    "Database unavailable ("
                        + kind
                        + "): the ledger answered "
                        + what
                        + " with 503: "
                        + error.getMessage()));
  }

  private static boolean isRace(Throwable error) {
    return error instanceof PgException pg && RACE_SQL_STATES.contains(pg.getSqlState());
  }

  /**
   * One batch in one transaction, in two round trips: BEGIN goes out pipelined with the locking
   * reads, COMMIT pipelined with the writes. A failure anywhere rolls the whole batch back.
   */
  private Future<List<Outcome>> inTransaction(SqlConnection conn, List<Command> commands) {
    Future<Transaction> begun = conn.begin();
    return writeIn(conn, commands, begun)
        .recover(
            error -> {
              Future<Void> rollback =
                  begun.succeeded() ? begun.result().rollback() : Future.succeededFuture();
              return rollback.transform(ignored -> Future.<List<Outcome>>failedFuture(error));
            });
  }

  private Future<List<Outcome>> writeIn(
      SqlConnection conn, List<Command> commands, Future<Transaction> begun) {
    AccountKeys keys = BatchPlanner.accountKeys(commands);
    Map<Long, Long> thresholds = new HashMap<>();
    Future<Map<Account.Key, Account>> locked = lockAccounts(conn, keys.all(), thresholds);
    Future<Map<String, StoredEntry>> stored = selectStored(conn, commands);
    return Future.all(locked, stored)
        .compose(both -> openMissing(conn, keys.openable(), locked.result(), thresholds))
        .compose(
            accounts -> {
              // BEGIN went out ahead of the reads, so its answer came first: the writes go out
              // only inside the batch's transaction (a failed BEGIN fails the batch).
              check(begun.isComplete(), "BEGIN has no answer, though the reads sent after it have");
              BatchPlan plan = BatchPlanner.plan(commands, accounts, stored.result(), now());
              return begun.compose(transaction -> persist(conn, plan, transaction, thresholds));
            });
  }

  /** The batch's time, to the microsecond like PostgreSQL's timestamps (the hash covers it). */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * Locks the accounts; {@code thresholds} learns each wallet's own balance threshold (for {@code
   * wallet.balance_low}) by row id.
   */
  private Future<Map<Account.Key, Account>> lockAccounts(
      SqlConnection conn, Set<Account.Key> keys, Map<Long, Long> thresholds) {
    List<Account.Key> ordered = new ArrayList<>(keys);
    ordered.sort(Account.Key.LOCK_ORDER);
    return conn.preparedQuery(LedgerSql.SELECT_ACCOUNTS_FOR_UPDATE)
        .execute(keyTuple(ordered))
        .map(
            rows -> {
              Map<Account.Key, Account> byKey = new HashMap<>();
              rows.forEach(
                  row -> {
                    Account account = LedgerRows.account(row);
                    Long threshold = row.getLong("balance_low_minor");
                    if (threshold != null) {
                      thresholds.put(account.id(), threshold);
                    }
                    check(
                        keys.contains(account.key()) && byKey.put(account.key(), account) == null,
                        "the lock returned %s, not asked for once",
                        account.key());
                  });
              return byKey;
            });
  }

  private Future<Map<Account.Key, Account>> openMissing(
      SqlConnection conn,
      Set<Account.Key> keys,
      Map<Account.Key, Account> locked,
      Map<Long, Long> thresholds) {
    Set<Account.Key> missing = new LinkedHashSet<>(keys);
    missing.removeAll(locked.keySet());
    if (missing.isEmpty()) {
      return Future.succeededFuture(locked);
    }
    return conn.preparedQuery(LedgerSql.INSERT_ACCOUNTS)
        .execute(keyTuple(missing))
        .compose(inserted -> lockAccounts(conn, missing, thresholds))
        .map(
            opened -> {
              check(
                  opened.keySet().containsAll(missing),
                  "accounts opened but not found: %s",
                  missing.stream().filter(key -> !opened.containsKey(key)).toList());
              locked.putAll(opened);
              return locked;
            });
  }

  private static Tuple keyTuple(Collection<Account.Key> keys) {
    return Tuple.of(
        keys.stream().map(Account.Key::accountKind).toArray(String[]::new),
        keys.stream().map(Account.Key::name).toArray(String[]::new),
        keys.stream().map(Account.Key::currency).toArray(String[]::new));
  }

  private Future<Map<String, StoredEntry>> selectStored(
      SqlConnection conn, List<Command> commands) {
    String[] idempotencyKeys =
        commands.stream().map(c -> c.request().idempotencyKey()).distinct().toArray(String[]::new);
    return conn.preparedQuery(LedgerSql.SELECT_ENTRIES_BY_IDEMPOTENCY_KEY)
        .execute(Tuple.of(idempotencyKeys))
        .map(
            rows -> {
              Map<String, StoredEntry> byKey = new HashMap<>();
              rows.forEach(
                  row -> {
                    String key = row.getString("idempotency_key");
                    StoredEntry entry =
                        new StoredEntry(
                            LedgerRows.entry(row), row.getBuffer("request_hash").getBytes());
                    check(
                        byKey.put(key, entry) == null, "two entries stored under the key %s", key);
                  });
              return byKey;
            });
  }

  /**
   * Writes the planned entries and account states, pipelined with COMMIT, then resolves every
   * outcome. What the database answers is checked against the plan after the commit (checking first
   * would cost a round trip per batch): a mismatch answers the batch internal, and its commands'
   * retries replay what was written.
   */
  private Future<List<Outcome>> persist(
      SqlConnection conn, BatchPlan plan, Transaction transaction, Map<Long, Long> thresholds) {
    if (plan.entries().isEmpty()) {
      return transaction.commit().map(v -> plan.outcomes(Map.of()));
    }
    Future<RowSet<Row>> updated =
        conn.preparedQuery(LedgerSql.UPDATE_ACCOUNTS).execute(accountTuple(plan.accounts()));
    Future<RowSet<Row>> inserted =
        conn.preparedQuery(LedgerSql.INSERT_ENTRIES).execute(entryTuple(plan.entries()));
    // The wallets the batch took below their threshold (rare: a statement only when there are).
    Future<Void> alerted = EventLog.append(conn, alerts.events(plan.entries(), thresholds));
    Future<Void> committed = transaction.commit();
    return Future.all(updated, inserted, alerted, committed)
        .map(
            done -> {
              check(
                  updated.result().rowCount() == plan.accounts().size(),
                  "%d account rows updated for %d accounts moved",
                  updated.result().rowCount(),
                  plan.accounts().size());
              Map<String, Long> ids = new HashMap<>();
              inserted
                  .result()
                  .forEach(
                      row -> {
                        String key = row.getString("idempotency_key");
                        check(
                            ids.put(key, row.getLong("id")) == null,
                            "two ids returned for the entry %s",
                            key);
                      });
              return plan.outcomes(ids);
            });
  }

  private static Tuple accountTuple(List<Account> accounts) {
    return Tuple.of(
        accounts.stream().map(Account::id).toArray(Long[]::new),
        accounts.stream().map(Account::balanceMinor).toArray(Long[]::new),
        accounts.stream().map(Account::entryCount).toArray(Long[]::new),
        accounts.stream()
            .map(a -> a.key().isWallet() && a.entryCount() > 0 ? Buffer.buffer(a.lastHash()) : null)
            .toArray(Buffer[]::new));
  }

  private static Tuple entryTuple(List<BatchPlan.NewEntry> entries) {
    Instant batchTime = entries.get(0).createdAt();
    check(
        entries.stream().allMatch(e -> e.createdAt().equals(batchTime)),
        "a batch's entries have different times");
    return Tuple.from(
        List.of(
            entries.stream().map(BatchPlan.NewEntry::walletId).toArray(Long[]::new),
            entries.stream().map(BatchPlan.NewEntry::counterAccountId).toArray(Long[]::new),
            entries.stream().map(e -> e.request().userId()).toArray(String[]::new),
            entries.stream().map(e -> e.request().currency()).toArray(String[]::new),
            entries.stream().map(BatchPlan.NewEntry::counterAccount).toArray(String[]::new),
            entries.stream().map(e -> e.request().amountMinor()).toArray(Long[]::new),
            entries.stream().map(BatchPlan.NewEntry::balanceAfterMinor).toArray(Long[]::new),
            entries.stream().map(e -> e.request().kind().wireName()).toArray(String[]::new),
            entries.stream().map(e -> e.request().reason()).toArray(String[]::new),
            entries.stream().map(e -> e.request().reference()).toArray(String[]::new),
            entries.stream().map(BatchPlan.NewEntry::idempotencyKey).toArray(String[]::new),
            entries.stream().map(e -> Buffer.buffer(e.requestHash())).toArray(Buffer[]::new),
            entries.stream().map(BatchPlan.NewEntry::seq).toArray(Long[]::new),
            entries.stream().map(e -> Buffer.buffer(e.prevHash())).toArray(Buffer[]::new),
            entries.stream().map(e -> Buffer.buffer(e.hash())).toArray(Buffer[]::new),
            entries.stream()
                .map(e -> e.createdAt().atOffset(ZoneOffset.UTC))
                .toArray(OffsetDateTime[]::new),
            Instants.format(batchTime)));
  }
}
