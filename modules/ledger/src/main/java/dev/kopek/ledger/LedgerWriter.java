package dev.kopek.ledger;

import dev.kopek.model.DatabaseFailures;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.RateLimitedLog;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
 * is applied in memory in arrival order under the balance guard, and each touched account is
 * updated once. Every command still gets its own outcome: a debit that does not fit is rejected
 * alone, and a repeat of an idempotency key posted before (in an earlier transaction or earlier in
 * the same batch) replays that entry; a refusal is not remembered.
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

  private final RateLimitedLog outageLog = new RateLimitedLog(LOG);

  /** A queued command; commands with the same non-zero {@code group} stand or fall together. */
  private record Pending(PostingRequest request, int group, Promise<Outcome> promise) {}

  /** A command's entry as planned, before the database assigns its id. */
  private record PlannedEntry(PostingRequest request, Account wallet, Account counter,
      long balanceAfterMinor, long seq, byte[] prevHash, byte[] hash, byte[] requestHash,
      Instant createdAt) {

    Entry withId(long id) {
      return new Entry(id, request.userId(), request.currency(), request.amountMinor(),
          balanceAfterMinor, request.kind(), request.reason(), request.reference(),
          counter.key.displayName(), createdAt);
    }
  }

  /** The outcome of one command in a plan: fixed now, or the (possibly repeated) new entry. */
  private record Planned(Outcome fixed, PlannedEntry entry, boolean replayed, byte[] requestHash) {}

  private record StoredEntry(Entry entry, byte[] requestHash) {}

  private final Pool pool;
  private final Clock clock;
  private final int batchMax;
  private final Consumer<Entry> onPosted;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean writing;
  private int holding;
  private int lastGroup;

  LedgerWriter(Pool pool, Clock clock, int batchMax, Consumer<Entry> onPosted) {
    this.pool = pool;
    this.clock = clock;
    this.batchMax = batchMax;
    this.onPosted = onPosted;
  }

  /** Queues a validated command; the future completes once its batch has committed. */
  Future<Outcome> submit(PostingRequest request) {
    Promise<Outcome> promise = Promise.promise();
    queue.add(new Pending(request, 0, promise));
    writeNextBatch();
    return promise.future();
  }

  /**
   * Queues validated commands that must all be posted or none: if one is refused (or conflicts),
   * every one of them is refused and nothing of them is written. Commands already posted under
   * their keys count as posted (replays), so a retried group completes.
   */
  Future<List<Outcome>> submitAtomic(List<PostingRequest> requests) {
    int group = ++lastGroup == 0 ? ++lastGroup : lastGroup;
    List<Future<Outcome>> outcomes = new ArrayList<>(requests.size());
    for (PostingRequest request : requests) {
      Promise<Outcome> promise = Promise.promise();
      queue.add(new Pending(request, group, promise));
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

  private void writeNextBatch() {
    if (writing || holding > 0 || queue.isEmpty()) {
      return;
    }
    writing = true;
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), batchMax));
    // An atomic group is never split across batches, even if it overshoots the cap.
    while (!queue.isEmpty() && (batch.size() < batchMax || continuesGroup(batch))) {
      batch.add(queue.poll());
    }
    List<PostingRequest> requests = batch.stream().map(Pending::request).toList();
    int[] groups = batch.stream().mapToInt(Pending::group).toArray();
    write(requests, groups, 0).onComplete(result -> {
      writing = false;
      // The next batch goes out first: answering this one (replies, posted facts) takes a while,
      // and the database can lock and read for the next batch meanwhile. The batches' commands
      // are independent: the next one reads the accounts as this one committed them.
      writeNextBatch();
      if (result.succeeded()) {
        complete(batch, result.result());
      } else {
        Failure failure;
        if (DatabaseFailures.isTransient(result.cause())) {
          logOutage(result.cause(), "a batch of " + batch.size() + " command(s)");
          failure = DatabaseFailures.unavailable();
        } else {
          LOG.error("Ledger batch of {} command(s) failed", batch.size(), result.cause());
          failure = Failure.of(ErrorCode.UNAVAILABLE,
              "the ledger could not write right now; retry with the same idempotency key");
        }
        batch.forEach(p -> p.promise.complete(new Outcome.Rejected(failure)));
      }
    });
  }

  private boolean continuesGroup(List<Pending> batch) {
    int last = batch.isEmpty() ? 0 : batch.get(batch.size() - 1).group;
    return last != 0 && queue.peek().group == last;
  }

  private void complete(List<Pending> batch, List<Outcome> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      Outcome outcome = outcomes.get(i);
      batch.get(i).promise.complete(outcome);
      if (outcome instanceof Outcome.Posted posted && !posted.replayed()) {
        onPosted.accept(posted.entry());
      }
    }
  }

  private Future<List<Outcome>> write(List<PostingRequest> requests, int[] groups, int attempt) {
    return pool.getConnection()
        .compose(conn -> inTransaction(conn, requests, groups).eventually(conn::close))
        .recover(error -> {
      if (isRace(error) && attempt < RACE_RETRIES_MAX) {
        return write(requests, groups, attempt + 1);
      }
      // An outage fails every command alike: writing them one by one would only fail each again
      // (as a bug, 500, when the batch died of 57P01 and its commands then met a refused
      // connection), so the whole batch is answered 503.
      if (units(groups).size() > 1 && error instanceof PgException
          && !DatabaseFailures.isTransient(error)) {
        LOG.warn("Ledger batch failed ({}); writing its {} commands one by one",
            error.getMessage(), requests.size());
        return writeOneByOne(requests, groups);
      }
      return Future.failedFuture(error);
    });
  }

  /**
   * Isolates a command (or atomic group) the database refuses, so that it cannot fail its
   * batch-mates.
   */
  private Future<List<Outcome>> writeOneByOne(List<PostingRequest> requests, int[] groups) {
    List<Outcome> outcomes = new ArrayList<>(requests.size());
    // Once the database has gone away, the remaining commands are not tried: each would only
    // wait for a refused connection.
    boolean[] outage = {false};
    Future<Void> chain = Future.succeededFuture();
    for (int[] unit : units(groups)) {
      List<PostingRequest> part = requests.subList(unit[0], unit[1]);
      int[] partGroups = java.util.Arrays.copyOfRange(groups, unit[0], unit[1]);
      chain = chain.compose(v -> (outage[0]
              ? Future.<List<Outcome>>failedFuture(OUTAGE_BEFORE) : write(part, partGroups, 0))
          .map(written -> outcomes.addAll(written))
          .recover(error -> {
            Failure failure;
            if (error == OUTAGE_BEFORE || DatabaseFailures.isTransient(error)) {
              if (error != OUTAGE_BEFORE) {
                logOutage(error, "command " + part.get(0).idempotencyKey());
              }
              outage[0] = true;
              failure = DatabaseFailures.unavailable();
            } else {
              LOG.error("Ledger command {} failed", part.get(0).idempotencyKey(), error);
              failure = Failure.of(ErrorCode.INTERNAL, "internal error");
            }
            part.forEach(r -> outcomes.add(new Outcome.Rejected(failure)));
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
    DatabaseFailures.kind(error).ifPresent(kind -> outageLog.warn(kind,
        "Database unavailable (" + kind + "): the ledger answered " + what + " with 503: "
            + error.getMessage()));
  }

  /** The batch cut into units: single commands, and atomic groups kept whole ([from, to)). */
  private static List<int[]> units(int[] groups) {
    List<int[]> units = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= groups.length; i++) {
      if (i == groups.length || groups[i] == 0 || groups[i] != groups[from]) {
        units.add(new int[] {from, i});
        from = i;
      }
    }
    return units;
  }

  private static boolean isRace(Throwable error) {
    return error instanceof PgException pg && RACE_SQL_STATES.contains(pg.getSqlState());
  }

  /**
   * One batch in one transaction, in two round trips: BEGIN goes out pipelined with the locking
   * reads, COMMIT pipelined with the writes. A failure anywhere rolls the whole batch back.
   */
  private Future<List<Outcome>> inTransaction(SqlConnection conn, List<PostingRequest> requests,
      int[] groups) {
    Future<Transaction> begun = conn.begin();
    return writeIn(conn, requests, groups, () -> begun.result().commit())
        .recover(error -> {
          Future<Void> rollback = begun.succeeded() ? begun.result().rollback()
              : Future.succeededFuture();
          return rollback.transform(ignored -> Future.<List<Outcome>>failedFuture(error));
        });
  }

  private Future<List<Outcome>> writeIn(SqlConnection conn, List<PostingRequest> requests,
      int[] groups, Supplier<Future<Void>> commit) {
    Set<Account.Key> keys = new LinkedHashSet<>();
    Set<Account.Key> openable = new LinkedHashSet<>();
    for (PostingRequest request : requests) {
      Account.Key wallet = Account.Key.wallet(request.userId(), request.currency());
      Account.Key counter = Account.Key.system(request.counterAccount(), request.currency());
      keys.add(wallet);
      keys.add(counter);
      openable.add(counter);
      if (request.amountMinor() > 0) {
        openable.add(wallet);
      }
    }
    Future<Map<Account.Key, Account>> accounts = lockAccounts(conn, keys);
    Future<Map<String, StoredEntry>> stored = selectStored(conn, requests);
    return Future.all(accounts, stored)
        .compose(both -> openMissing(conn, openable, accounts.result()))
        .map(locked -> {
          keys.forEach(key -> locked.computeIfAbsent(key, Account::unopened));
          return locked;
        })
        .compose(locked -> persist(conn, plan(requests, groups, locked, stored.result()), commit));
  }

  private Future<Map<Account.Key, Account>> lockAccounts(SqlConnection conn, Set<Account.Key> keys) {
    List<Account.Key> ordered = new ArrayList<>(keys);
    ordered.sort(Account.Key.LOCK_ORDER);
    return conn.preparedQuery(LedgerSql.SELECT_ACCOUNTS_FOR_UPDATE).execute(keyTuple(ordered))
        .map(rows -> {
          Map<Account.Key, Account> byKey = new HashMap<>();
          rows.forEach(row -> {
            Account account = Account.fromRow(row);
            byKey.put(account.key, account);
          });
          return byKey;
        });
  }

  private Future<Map<Account.Key, Account>> openMissing(SqlConnection conn, Set<Account.Key> keys,
      Map<Account.Key, Account> locked) {
    Set<Account.Key> missing = new LinkedHashSet<>(keys);
    missing.removeAll(locked.keySet());
    if (missing.isEmpty()) {
      return Future.succeededFuture(locked);
    }
    return conn.preparedQuery(LedgerSql.INSERT_ACCOUNTS).execute(keyTuple(missing))
        .compose(inserted -> lockAccounts(conn, missing))
        .map(opened -> {
          locked.putAll(opened);
          return locked;
        });
  }

  private static Tuple keyTuple(java.util.Collection<Account.Key> keys) {
    return Tuple.of(
        keys.stream().map(Account.Key::accountKind).toArray(String[]::new),
        keys.stream().map(Account.Key::name).toArray(String[]::new),
        keys.stream().map(Account.Key::currency).toArray(String[]::new));
  }

  private Future<Map<String, StoredEntry>> selectStored(SqlConnection conn,
      List<PostingRequest> requests) {
    String[] idempotencyKeys = requests.stream().map(PostingRequest::idempotencyKey)
        .distinct().toArray(String[]::new);
    return conn.preparedQuery(LedgerSql.SELECT_ENTRIES_BY_IDEMPOTENCY_KEY)
        .execute(Tuple.of(idempotencyKeys))
        .map(rows -> {
          Map<String, StoredEntry> byKey = new HashMap<>();
          rows.forEach(row -> byKey.put(row.getString("idempotency_key"),
              new StoredEntry(LedgerRows.entry(row), row.getBuffer("request_hash").getBytes())));
          return byKey;
        });
  }

  /** Applies the batch in memory, in arrival order, under the balance guard. */
  private List<Planned> plan(List<PostingRequest> requests, int[] groups,
      Map<Account.Key, Account> accounts, Map<String, StoredEntry> stored) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Map<String, Planned> earlier = new HashMap<>();
    List<Planned> plan = new ArrayList<>(requests.size());
    for (int[] unit : units(groups)) {
      boolean atomic = groups[unit[0]] != 0;
      Map<Account, Object[]> snapshot = atomic ? snapshot(requests.subList(unit[0], unit[1]), accounts)
          : Map.of();
      List<String> added = new ArrayList<>();
      Failure refused = null;
      for (int i = unit[0]; i < unit[1]; i++) {
        PostingRequest request = requests.get(i);
        byte[] requestHash = HashChain.requestHash(request.userId(), request.currency(),
            request.amountMinor(), request.kind().wireName(), request.reason(), request.reference(),
            request.counterAccount());
        Planned planned = replay(request, requestHash, stored, earlier);
        if (planned == null) {
          planned = apply(request, requestHash, accounts, now);
          if (planned.entry != null) {
            // Refusals are not remembered, in a batch as across batches: a repeat of a refused
            // key is judged again against the balance it meets.
            earlier.put(request.idempotencyKey(), planned);
            added.add(request.idempotencyKey());
          }
        }
        if (refused == null && planned.fixed instanceof Outcome.Rejected rejected) {
          refused = rejected.failure();
        }
        plan.add(planned);
      }
      if (atomic && refused != null) {
        restore(snapshot);
        added.forEach(earlier::remove);
        for (int i = unit[0]; i < unit[1]; i++) {
          plan.set(i, new Planned(new Outcome.Rejected(refused), null, false, null));
        }
      }
    }
    return plan;
  }

  /** The state of every account an atomic group touches, to undo the group if one fails. */
  private static Map<Account, Object[]> snapshot(List<PostingRequest> group,
      Map<Account.Key, Account> accounts) {
    Map<Account, Object[]> snapshot = new HashMap<>();
    for (PostingRequest request : group) {
      for (Account.Key key : List.of(Account.Key.wallet(request.userId(), request.currency()),
          Account.Key.system(request.counterAccount(), request.currency()))) {
        Account account = accounts.get(key);
        snapshot.putIfAbsent(account, new Object[] {account.balanceMinor, account.entryCount,
            account.lastHash, account.changed});
      }
    }
    return snapshot;
  }

  private static void restore(Map<Account, Object[]> snapshot) {
    snapshot.forEach((account, state) -> {
      account.balanceMinor = (Long) state[0];
      account.entryCount = (Long) state[1];
      account.lastHash = (byte[]) state[2];
      account.changed = (Boolean) state[3];
    });
  }

  /** The outcome for a key posted before (in the database or earlier in this batch), else null. */
  private static Planned replay(PostingRequest request, byte[] requestHash,
      Map<String, StoredEntry> stored, Map<String, Planned> earlier) {
    StoredEntry prior = stored.get(request.idempotencyKey());
    if (prior != null) {
      return Arrays.equals(prior.requestHash, requestHash)
          ? new Planned(new Outcome.Posted(prior.entry, true), null, true, requestHash)
          : conflict(request, requestHash);
    }
    Planned sibling = earlier.get(request.idempotencyKey());
    if (sibling == null) {
      return null;
    }
    if (!Arrays.equals(sibling.requestHash, requestHash)) {
      return conflict(request, requestHash);
    }
    return new Planned(null, sibling.entry, true, requestHash);
  }

  private static Planned conflict(PostingRequest request, byte[] requestHash) {
    Failure failure = Failure.of(ErrorCode.IDEMPOTENCY_CONFLICT, "the idempotency key "
        + "was already used with a different request; use a new key for a new request");
    return new Planned(new Outcome.Rejected(failure), null, false, requestHash);
  }

  private static Planned apply(PostingRequest request, byte[] requestHash,
      Map<Account.Key, Account> accounts, Instant now) {
    Account wallet = accounts.get(Account.Key.wallet(request.userId(), request.currency()));
    Account counter = accounts.get(
        Account.Key.system(request.counterAccount(), request.currency()));
    long balanceAfter;
    long counterAfter;
    try {
      balanceAfter = Math.addExact(wallet.balanceMinor, request.amountMinor());
      counterAfter = Math.subtractExact(counter.balanceMinor, request.amountMinor());
    } catch (ArithmeticException overflow) {
      return new Planned(new Outcome.Rejected(Failure.invalid("amount_minor",
          "amount_minor would overflow the balance")), null, false, requestHash);
    }
    if (balanceAfter < 0) {
      Failure failure = new Failure(ErrorCode.INSUFFICIENT_FUNDS,
          "the balance of " + wallet.balanceMinor + " " + request.currency()
              + " minor units does not cover " + -request.amountMinor(),
          new JsonObject().put("balance_minor", wallet.balanceMinor)
              .put("currency", request.currency()));
      return new Planned(new Outcome.Rejected(failure), null, false, requestHash);
    }
    long seq = wallet.entryCount + 1;
    byte[] hash = HashChain.entryHash(wallet.lastHash, seq, request.userId(), request.currency(),
        counter.key.displayName(), request.amountMinor(), balanceAfter, request.kind().wireName(),
        request.reason(), request.reference(), request.idempotencyKey(), now);
    PlannedEntry entry = new PlannedEntry(request, wallet, counter, balanceAfter, seq,
        wallet.lastHash, hash, requestHash, now);
    wallet.balanceMinor = balanceAfter;
    wallet.entryCount = seq;
    wallet.lastHash = hash;
    wallet.changed = true;
    counter.balanceMinor = counterAfter;
    counter.changed = true;
    return new Planned(null, entry, false, requestHash);
  }

  /** Writes the planned entries and account heads, then resolves every outcome. */
  private Future<List<Outcome>> persist(SqlConnection conn, List<Planned> plan,
      Supplier<Future<Void>> commit) {
    List<PlannedEntry> entries = plan.stream()
        .filter(p -> p.entry != null && !p.replayed).map(Planned::entry).toList();
    if (entries.isEmpty()) {
      return commit.get().map(v -> plan.stream().map(Planned::fixed).toList());
    }
    List<Account> changed = new ArrayList<>(new LinkedHashSet<>(entries.stream()
        .flatMap(e -> java.util.stream.Stream.of(e.wallet, e.counter)).toList()));
    Future<RowSet<Row>> updated = conn.preparedQuery(LedgerSql.UPDATE_ACCOUNTS)
        .execute(accountTuple(changed));
    Future<RowSet<Row>> inserted = conn.preparedQuery(LedgerSql.INSERT_ENTRIES)
        .execute(entryTuple(entries));
    Future<Void> committed = commit.get();
    return Future.all(updated, inserted, committed).map(done -> {
      Map<String, Long> ids = new HashMap<>();
      inserted.result().forEach(row -> ids.put(row.getString("idempotency_key"), row.getLong("id")));
      return plan.stream().map(p -> p.fixed != null ? p.fixed : (Outcome) new Outcome.Posted(
          p.entry.withId(ids.get(p.entry.request.idempotencyKey())), p.replayed)).toList();
    });
  }

  private static Tuple accountTuple(List<Account> accounts) {
    return Tuple.of(
        accounts.stream().map(a -> a.id).toArray(Long[]::new),
        accounts.stream().map(a -> a.balanceMinor).toArray(Long[]::new),
        accounts.stream().map(a -> a.entryCount).toArray(Long[]::new),
        accounts.stream().map(a -> a.key.accountKind().equals("wallet") && a.entryCount > 0
            ? Buffer.buffer(a.lastHash) : null).toArray(Buffer[]::new));
  }

  private static Tuple entryTuple(List<PlannedEntry> entries) {
    return Tuple.from(List.of(
        entries.stream().map(e -> e.wallet.id).toArray(Long[]::new),
        entries.stream().map(e -> e.counter.id).toArray(Long[]::new),
        entries.stream().map(e -> e.request.userId()).toArray(String[]::new),
        entries.stream().map(e -> e.request.currency()).toArray(String[]::new),
        entries.stream().map(e -> e.counter.key.displayName()).toArray(String[]::new),
        entries.stream().map(e -> e.request.amountMinor()).toArray(Long[]::new),
        entries.stream().map(e -> e.balanceAfterMinor).toArray(Long[]::new),
        entries.stream().map(e -> e.request.kind().wireName()).toArray(String[]::new),
        entries.stream().map(e -> e.request.reason()).toArray(String[]::new),
        entries.stream().map(e -> e.request.reference()).toArray(String[]::new),
        entries.stream().map(e -> e.request.idempotencyKey()).toArray(String[]::new),
        entries.stream().map(e -> Buffer.buffer(e.requestHash)).toArray(Buffer[]::new),
        entries.stream().map(e -> e.seq).toArray(Long[]::new),
        entries.stream().map(e -> Buffer.buffer(e.prevHash)).toArray(Buffer[]::new),
        entries.stream().map(e -> Buffer.buffer(e.hash)).toArray(Buffer[]::new),
        entries.stream().map(e -> e.createdAt.atOffset(ZoneOffset.UTC))
            .toArray(java.time.OffsetDateTime[]::new)));
  }
}
