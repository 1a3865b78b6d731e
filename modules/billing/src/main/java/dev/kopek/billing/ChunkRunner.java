package dev.kopek.billing;

import dev.kopek.model.Bus;
import dev.kopek.model.ledger.LedgerAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the timers of due wallets together, a chunk at a time: the same saga as
 * {@link WalletRunner}'s (plan and store the pending run, post it as one atomic group, apply it
 * and clear it), but each step covers the whole chunk, so a chunk costs a handful of round trips
 * instead of several per wallet:
 *
 * <ol>
 *   <li>one transaction claims and locks the chunk's due timer rows (SKIP LOCKED), loads their
 *       subscriptions in one query, reads every balance in one ledger request
 *       ({@code kopek.ledger.wallets.get}), plans each wallet with {@link WalletPlanner} and
 *       stores every pending run in one statement;
 *   <li>one {@code kopek.ledger.post.batch} request carries every wallet's entries as a group of
 *       its own, posted all or none independently of the others;
 *   <li>one transaction clears, in one statement, every pending run that is still the one posted
 *       (locking those rows), sets the next timers and applies those runs.
 * </ol>
 *
 * <p>Per wallet, nothing changes: its run is stored before it is posted, its entries are keyed by
 * their periods' references, and its state changes are applied once, under its lock. A wallet
 * whose group the ledger refused (its balance moved since the plan), whose pending run was left
 * by an earlier attempt, or that failed on its own, is then run alone by {@link WalletRunner}, and
 * so is every wallet of a chunk whose transaction or ledger request failed: its pending run, if
 * stored, is posted again (the ledger replays what it has) and applied.
 *
 * <p>While a chunk runs, it holds each of its wallets' queue in {@link WalletRunner}, so commands
 * and resumes of those wallets wait for it; a wallet already busy in this process is left to
 * {@link WalletRunner#timer}, queued behind the work in progress. Confined to the verticle's
 * event loop.
 */
final class ChunkRunner {

  /** Most wallets claimed and billed together (fewer with a smaller billing.batch_max). */
  static final int CHUNK_MAX = 500;

  /** Chunks in flight at once: one can post to the ledger while another is in a transaction. */
  private static final int CHUNKS_IN_FLIGHT = 4;

  /** Wallets run alone at once, when they are left to the one-wallet path. */
  private static final int ALONE_IN_FLIGHT = 8;

  /** The most postings one {@code kopek.ledger.post.batch} request may carry. */
  private static final int POSTINGS_PER_REQUEST_MAX = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ChunkRunner.class);

  private final Vertx vertx;
  private final BillingStore store;
  private final BillingClock clock;
  private final BillingConfig config;
  private final WalletRunner runner;
  private final int chunkMax;

  ChunkRunner(Vertx vertx, BillingStore store, BillingClock clock, BillingConfig config,
      WalletRunner runner) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.config = config;
    this.runner = runner;
    this.chunkMax = Math.min(CHUNK_MAX, config.batchMax());
  }

  /**
   * What chunks did: wallets claimed, how many of them could not be run, and whether running
   * them together failed (then claiming stops until the next poll).
   */
  record Tally(int claimed, int failed, boolean broken) {}

  /**
   * Bills up to {@code billing.batch_max} wallets due at {@code now} (the shared clock, refreshed
   * by the caller), chunk by chunk, until that many were claimed or a claim comes back short
   * (nothing more is due, or other processes have the rest). One chunk is claimed first; only if
   * it comes back full do {@link #CHUNKS_IN_FLIGHT} chunks run at once, each lane claiming its
   * next chunk as soon as it is done with one. The rest waits for the next poll, so that the
   * processes polling the same database share the work.
   */
  Future<Tally> runDue(Instant now) {
    int[] reserved = {0};
    int[] claimed = {0};
    int[] failed = {0};
    boolean[] broken = {false};
    Promise<Boolean> full = Promise.promise();
    List<Future<Void>> lanes = new ArrayList<>();
    lanes.add(lane(now, reserved, claimed, failed, broken, full));
    Future<Void> others = full.future().compose(more -> {
      List<Future<Void>> started = new ArrayList<>();
      for (int lane = 1; more && lane < CHUNKS_IN_FLIGHT; lane++) {
        started.add(lane(now, reserved, claimed, failed, broken, null));
      }
      return Future.all(started).mapEmpty();
    });
    lanes.add(others);
    return Future.all(lanes).map(v -> new Tally(claimed[0], failed[0], broken[0]));
  }

  private Future<Void> lane(Instant now, int[] reserved, int[] claimed, int[] failed,
      boolean[] broken, Promise<Boolean> full) {
    if (broken[0] || reserved[0] >= config.batchMax()) {
      if (full != null) {
        full.tryComplete(false);
      }
      return Future.succeededFuture();
    }
    int limit = Math.min(chunkMax, config.batchMax() - reserved[0]);
    reserved[0] += limit;
    return chunk(now, limit, full).compose(tally -> {
      if (full != null) {
        full.tryComplete(false);
      }
      claimed[0] += tally.claimed();
      failed[0] += tally.failed();
      broken[0] |= tally.broken();
      return tally.claimed() < limit ? Future.succeededFuture()
          : lane(now, reserved, claimed, failed, broken, null);
    });
  }

  /** What the first transaction leaves to the next steps. */
  private static final class Planned {
    /** Wallets claimed. */
    int claimed;
    /** Wallets whose queue this chunk holds. */
    final List<String[]> held = new ArrayList<>();
    /** Runs to post: planned now, or left pending by an earlier attempt. */
    final List<JsonObject> toPost = new ArrayList<>();
    /** Wallets to run alone afterwards. */
    final List<String[]> alone = new ArrayList<>();
    /** Runs that charged nothing, applied in the first transaction: their facts to publish. */
    final List<JsonObject> applied = new ArrayList<>();
  }

  /**
   * Claims and runs one chunk of at most {@code limit} due wallets; its wallets that cannot run
   * together (busy in this process, failed on their own, or all of them when a step failed for
   * the chunk) are then run alone.
   */
  private Future<Tally> chunk(Instant now, int limit, Promise<Boolean> full) {
    Promise<Void> release = Promise.promise();
    Planned planned = new Planned();
    boolean[] broken = {false};
    return store.pool().withTransaction(conn -> claimAndPlan(conn, now, limit, planned,
            release.future(), full))
        .compose(v -> postAndRecord(planned))
        .recover(error -> {
          LOG.warn("Billing {} wallets together failed ({}); running them one by one",
              planned.held.size(), error.toString());
          broken[0] = true;
          return Future.succeededFuture(planned.held);
        })
        .compose(again -> {
          release.complete();
          Map<String, String[]> distinct = new java.util.LinkedHashMap<>();
          planned.alone.forEach(w -> distinct.put(key(w[0], w[1]), w));
          again.forEach(w -> distinct.putIfAbsent(key(w[0], w[1]), w));
          return runAlone(new ArrayList<>(distinct.values()))
              .map(failed -> new Tally(planned.claimed, failed, broken[0]));
        });
  }

  /**
   * The first transaction: claim and lock due wallets, load their subscriptions, read their
   * balances, plan, and store the pending runs (or apply the runs that charge nothing).
   */
  private Future<Void> claimAndPlan(SqlConnection conn, Instant now, int limit, Planned planned,
      Future<Void> release, Promise<Boolean> full) {
    long at = clock.instant().toEpochMilli();
    Future<List<BillingStore.WalletRow>> claim = store.claimDue(conn, now, limit);
    if (full != null) {
      claim.onComplete(done -> full.tryComplete(done.succeeded() && done.result().size() == limit));
    }
    return claim.compose(claimed -> {
      planned.claimed = claimed.size();
      List<BillingStore.WalletRow> fresh = new ArrayList<>();
      List<String[]> leased = new ArrayList<>();
      for (BillingStore.WalletRow row : claimed) {
        String[] wallet = {row.userId(), row.currency()};
        if (!runner.hold(row.userId(), row.currency(), release)) {
          // A command or resume of the wallet is under way here: its timer runs after it.
          planned.alone.add(wallet);
          leased.add(wallet);
          continue;
        }
        planned.held.add(wallet);
        if (row.pendingRun() != null) {
          // Left by an attempt that did not finish: post it again and apply it, then run the
          // timer alone (as the one-wallet path does after completing another attempt's run).
          planned.toPost.add(row.pendingRun());
          planned.alone.add(wallet);
          leased.add(wallet);
        } else {
          fresh.add(row);
        }
      }
      if (fresh.isEmpty()) {
        return store.leaseWallets(conn, leased, config.leaseMs());
      }
      List<String[]> freshKeys = fresh.stream()
          .map(row -> new String[] {row.userId(), row.currency()}).toList();
      Future<Map<String, List<SubscriptionRow>>> subscriptions =
          store.walletsSubscriptions(conn, freshKeys);
      Future<List<Long>> balances = balances(freshKeys);
      return Future.all(subscriptions, balances).compose(both -> {
        List<JsonObject> chargeNothing = new ArrayList<>();
        List<JsonObject> pending = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
          BillingStore.WalletRow row = fresh.get(i);
          try {
            JsonObject run = runner.planRun(new WalletRunner.Request(row.userId(), row.currency(),
                    WalletRunner.Action.TIMER, null, null, null),
                subscriptions.result().getOrDefault(key(row.userId(), row.currency()), List.of()),
                balances.result().get(i), at);
            (run.getJsonArray("charges").isEmpty() ? chargeNothing : pending).add(run);
          } catch (RuntimeException error) {
            LOG.warn("Planning the billing run of {} {} failed: {}", row.userId(), row.currency(),
                error.toString());
            planned.alone.add(freshKeys.get(i));
            leased.add(freshKeys.get(i));
          }
        }
        planned.toPost.addAll(pending);
        Instant stamp = Instant.ofEpochMilli(at);
        return Future.all(
                applyAll(conn, chargeNothing, stamp),
                store.storePendingRuns(conn, pending, config.leaseMs(), stamp),
                store.leaseWallets(conn, leased, config.leaseMs()))
            .onSuccess(v -> planned.applied.addAll(chargeNothing))
            .mapEmpty();
      });
    });
  }

  /**
   * Posts the chunk's runs and records them; returns the wallets to run alone afterwards. A
   * failure means nothing more is known of any wallet's progress: they are all run alone.
   */
  private Future<List<String[]>> postAndRecord(Planned planned) {
    planned.applied.forEach(run -> Facts.publish(vertx, run, List.of()));
    if (planned.toPost.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return post(planned.toPost).compose(outcomes -> {
      List<JsonObject> known = new ArrayList<>();
      List<Boolean> posted = new ArrayList<>();
      for (int i = 0; i < outcomes.size(); i++) {
        JsonObject run = planned.toPost.get(i);
        if (outcomes.get(i) == null) {
          // Not known whether posted: the one-wallet path posts the pending run again.
          planned.alone.add(walletOf(run));
        } else {
          known.add(run);
          posted.add(outcomes.get(i));
        }
      }
      if (known.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      List<JsonObject> applied = new ArrayList<>();
      return store.pool().withTransaction(conn -> record(conn, known, posted, applied,
              planned.alone))
          .map(v -> {
            applied.forEach(run -> Facts.publish(vertx, run,
                run.getJsonArray("charges").getList()));
            return List.of();
          });
    });
  }

  private Future<List<Long>> balances(List<String[]> wallets) {
    JsonArray asked = new JsonArray();
    wallets.forEach(w -> asked.add(new JsonObject().put("user_id", w[0]).put("currency", w[1])));
    return Bus.request(vertx, LedgerAddresses.WALLETS_GET, new JsonObject().put("wallets", asked),
            config.ledgerTimeoutMs())
        .map(reply -> {
          JsonArray data = reply.getJsonArray("data");
          if (data.size() != wallets.size()) {
            throw new IllegalStateException("the ledger answered " + data.size()
                + " balances for " + wallets.size() + " wallets");
          }
          List<Long> balances = new ArrayList<>(data.size());
          for (int i = 0; i < data.size(); i++) {
            balances.add(data.getJsonObject(i).getLong("balance_minor"));
          }
          return balances;
        });
  }

  /**
   * Posts every run's entries as a group of its own, in as few requests as the ledger's limit
   * allows. Per run, in order: true when posted, false when the ledger refused its group, null
   * when it is not known (the request failed, or the run could not be sent).
   */
  private Future<List<Boolean>> post(List<JsonObject> runs) {
    List<Boolean> outcomes = new ArrayList<>(Arrays.asList(new Boolean[runs.size()]));
    List<Future<Void>> requests = new ArrayList<>();
    JsonArray groups = new JsonArray();
    List<Integer> members = new ArrayList<>();
    int postings = 0;
    for (int i = 0; i < runs.size(); i++) {
      JsonArray group;
      try {
        group = WalletRunner.postings(runs.get(i));
      } catch (RuntimeException malformed) {
        LOG.warn("The pending billing run of {} {} cannot be posted: {}",
            runs.get(i).getString("user_id"), runs.get(i).getString("currency"),
            malformed.toString());
        continue;
      }
      if (group.isEmpty() || group.size() > POSTINGS_PER_REQUEST_MAX) {
        continue;
      }
      if (postings + group.size() > POSTINGS_PER_REQUEST_MAX) {
        requests.add(postGroups(runs, groups, members, outcomes));
        groups = new JsonArray();
        members = new ArrayList<>();
        postings = 0;
      }
      groups.add(group);
      members.add(i);
      postings += group.size();
    }
    if (!members.isEmpty()) {
      requests.add(postGroups(runs, groups, members, outcomes));
    }
    return Future.all(requests).map(v -> outcomes);
  }

  private Future<Void> postGroups(List<JsonObject> runs, JsonArray groups, List<Integer> members,
      List<Boolean> outcomes) {
    return Bus.request(vertx, LedgerAddresses.POST_BATCH, new JsonObject().put("groups", groups),
            config.ledgerTimeoutMs())
        .<Void>map(reply -> {
          JsonArray results = reply.getJsonArray("groups");
          for (int j = 0; j < members.size(); j++) {
            int i = members.get(j);
            outcomes.set(i, WalletRunner.recordResults(runs.get(i), results.getJsonArray(j)));
          }
          return null;
        })
        .recover(error -> {
          LOG.warn("Posting the billing runs of {} wallets failed ({}); their pending runs are "
              + "posted again", members.size(), error.toString());
          return Future.succeededFuture();
        });
  }

  /**
   * The second transaction: every run that is still its wallet's pending run is applied (posted)
   * or abandoned (refused: its wallet is planned again, alone). One statement finishes the runs
   * that are still pending, locking their rows, and tells which they were; their state changes
   * follow under those locks.
   */
  private Future<Void> record(SqlConnection conn, List<JsonObject> runs, List<Boolean> posted,
      List<JsonObject> applied, List<String[]> alone) {
    Instant now = clock.instant();
    List<BillingStore.WalletTimer> timers = new ArrayList<>(runs.size());
    for (int i = 0; i < runs.size(); i++) {
      JsonObject run = runs.get(i);
      timers.add(new BillingStore.WalletTimer(run.getString("user_id"), run.getString("currency"),
          posted.get(i) ? Applier.nextChargeAt(run) : now));
    }
    List<String> runIds = runs.stream().map(run -> run.getString("run_id", "")).toList();
    return store.finishRuns(conn, timers, runIds, now).compose(finished -> {
      List<JsonObject> toApply = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        JsonObject run = runs.get(i);
        if (!finished.contains(runIds.get(i))) {
          // Another process completed it meanwhile: run the timer again, alone.
          alone.add(walletOf(run));
        } else if (posted.get(i)) {
          toApply.add(run);
        } else {
          alone.add(walletOf(run));
        }
      }
      return Applier.applyAll(conn, store, config, clock, toApply)
          .onSuccess(v -> applied.addAll(toApply));
    });
  }

  /**
   * Applies runs that charged nothing, under their wallets' locks (held since the claim), and sets
   * their timers.
   */
  private Future<Void> applyAll(SqlConnection conn, List<JsonObject> runs, Instant now) {
    if (runs.isEmpty()) {
      return Future.succeededFuture();
    }
    List<BillingStore.WalletTimer> timers = runs.stream()
        .map(run -> new BillingStore.WalletTimer(run.getString("user_id"),
            run.getString("currency"), Applier.nextChargeAt(run)))
        .toList();
    return Future.all(Applier.applyAll(conn, store, config, clock, runs),
        store.setTimers(conn, timers, now)).mapEmpty();
  }

  /** Runs wallets one at a time each, {@link #ALONE_IN_FLIGHT} at once; returns the failures. */
  private Future<Integer> runAlone(List<String[]> wallets) {
    if (wallets.isEmpty()) {
      return Future.succeededFuture(0);
    }
    int[] failed = {0};
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(ALONE_IN_FLIGHT, wallets.size()); lane++) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = lane; i < wallets.size(); i += ALONE_IN_FLIGHT) {
        String[] wallet = wallets.get(i);
        chain = chain.compose(v -> runner.timer(wallet[0], wallet[1]).recover(error -> {
          LOG.warn("Billing run of {} {} failed: {}", wallet[0], wallet[1], error.toString());
          failed[0]++;
          return Future.succeededFuture();
        }));
      }
      lanes.add(chain);
    }
    return Future.all(lanes).map(v -> failed[0]);
  }

  private static String[] walletOf(JsonObject run) {
    return new String[] {run.getString("user_id"), run.getString("currency")};
  }

  private static String key(String userId, String currency) {
    return userId + "\n" + currency;
  }
}
