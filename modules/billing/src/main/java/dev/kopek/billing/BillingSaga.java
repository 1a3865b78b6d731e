package dev.kopek.billing;

import dev.kopek.billing.BillingStore.WalletRow;
import dev.kopek.billing.BillingStore.WalletTimer;
import dev.kopek.events.EventLog;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.events.Event;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The billing run, a saga safe at every step, for one wallet (its timer, a subscription command, a
 * resume after a credit) and for a chunk of due wallets alike; a wallet run on its own is a chunk
 * of one. Per wallet:
 *
 * <ol>
 *   <li><b>Plan</b>, under the wallet's lock: plan the run from stored state and the balance and
 *       store it as the wallet's pending run, leased (a run that charges nothing is applied at
 *       once). A wallet found with a pending run posts that one again instead.
 *   <li><b>Post</b> the run's entries to the ledger as one atomic group, each keyed by its period's
 *       unique reference, so that posting a pending run again is a replay.
 *   <li><b>Finish</b>, under the lock again: if the run is still the wallet's pending run, clear it
 *       and set the timer, then apply its state changes (posted) or leave the wallet to be planned
 *       again (refused: the balance moved since step 1). Facts are published after it commits.
 * </ol>
 *
 * <p>A crash between any two steps leaves the pending run, which whichever process claims the
 * wallet when the lease ends posts again and finishes. A chunk runs each step once for all its
 * wallets (one transaction, one ledger request, one transaction), and each wallet keeps its own
 * pending run and group, so one wallet's outcome never depends on another's; a wallet the chunk
 * cannot finish is then run alone. Runs of one wallet never overlap: within a process they queue
 * ({@link WalletQueues}; a chunk holds its wallets' queues), across processes the timer row is
 * locked. Confined to the verticle's event loop.
 */
final class BillingSaga {

  /**
   * Plans refused by the ledger (the balance moved meanwhile), or runs left pending by another
   * attempt, lead to this many new attempts before the run is left to the next timer.
   */
  private static final int ATTEMPTS_MAX = 4;

  private static final Logger LOG = LoggerFactory.getLogger(BillingSaga.class);

  private final Vertx vertx;
  private final BillingStore store;
  private final BillingClock clock;
  private final BillingConfig config;
  private final BillingLedger ledger;
  private final RunPlanner planner;
  private final WalletQueues queues = new WalletQueues();

  BillingSaga(
      Vertx vertx,
      BillingStore store,
      BillingClock clock,
      BillingConfig config,
      BillingLedger ledger) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.config = config;
    this.ledger = ledger;
    this.planner = new RunPlanner(config);
  }

  /** What the first step left for one wallet. */
  private sealed interface Begun {

    /** A run to post: planned now and stored, or left pending by an earlier attempt. */
    record ToPost(PendingRun run) implements Begun {}

    /** A run that charged nothing, applied in the first step. */
    record Applied(PendingRun run, Reply reply) implements Begun {}

    /** The stored reply of an earlier command with the same idempotency key. */
    record Replayed(Reply reply) implements Begun {}
  }

  /** What the last step did with a run the ledger answered. */
  private sealed interface Finished {

    PendingRun run();

    /** Posted, and its state changes applied. */
    record Applied(PendingRun run, List<Long> entryIds, Reply reply) implements Finished {}

    /** Refused by the ledger, and cleared: the wallet is planned again. */
    record Abandoned(PendingRun run) implements Finished {}

    /** No longer the wallet's pending run: another attempt finished it meanwhile. */
    record Superseded(PendingRun run) implements Finished {}
  }

  // One wallet

  /** Runs the wallet's timer: charges what is due, or suspends. */
  Future<Void> timer(WalletKey wallet) {
    return queues.serialized(wallet, () -> runWallet(RunRequest.timer(wallet), 0)).mapEmpty();
  }

  /** {@link #timer}, unless a timer run of the wallet is already waiting in this process. */
  Future<Void> timerCoalesced(WalletKey wallet) {
    return queues.timerCoalesced(wallet, () -> runWallet(RunRequest.timer(wallet), 0).mapEmpty());
  }

  /** Resumes the wallet's suspended subscriptions if a credit brought enough balance. */
  Future<Void> resume(WalletKey wallet) {
    return queues.serialized(wallet, () -> runWallet(RunRequest.resume(wallet), 0)).mapEmpty();
  }

  /**
   * Runs the wallet for a command; returns the subscription as it stands afterwards, or the stored
   * reply of an earlier command with the same idempotency key.
   */
  Future<JsonObject> command(RunRequest request) {
    return queues
        .serialized(request.wallet(), () -> runWallet(request, 0))
        .map(
            reply -> {
              if (reply instanceof Reply.BalanceRanOut) {
                throw Failure.of(
                        ErrorCode.INSUFFICIENT_FUNDS,
                        "the wallet's balance ran out; top up " + "before subscribing")
                    .toException();
              }
              if (reply instanceof Reply.Subscription subscription) {
                return subscription.view();
              }
              // No attempt ended with the command's reply (the wallet was busy with other runs, its
              // plan was refused, or another process finished the run): a retry with the same key
              // gets
              // the stored reply, or runs the command again.
              throw Failure.of(
                      ErrorCode.UNAVAILABLE,
                      "billing could not complete the command after "
                          + ATTEMPTS_MAX
                          + " attempts; retry it with the same idempotency key")
                  .toException();
            });
  }

  private Future<Reply> runWallet(RunRequest request, int attempt) {
    return store
        .pool()
        .withTransaction(
            conn ->
                store
                    .lockWallet(conn, request.wallet(), clock.instant())
                    .compose(row -> begin(conn, request, row)))
        .compose(
            begun -> {
              if (begun instanceof Begun.Replayed replayed) {
                return Future.succeededFuture(replayed.reply());
              }
              if (begun instanceof Begun.Applied applied) {
                Facts.publish(vertx, applied.run(), List.of());
                return Future.succeededFuture(applied.reply());
              }
              PendingRun run = ((Begun.ToPost) begun).run();
              return ledger
                  .post(run)
                  .compose(outcome -> finish(List.of(run), List.of(outcome)))
                  .compose(finished -> afterAttempt(request, attempt, finished.get(0)));
            });
  }

  /**
   * The first step for one wallet, under its lock: its pending run if it has one, the stored reply
   * of a repeated command, or a new plan.
   */
  private Future<Begun> begin(SqlConnection conn, RunRequest request, WalletRow row) {
    PendingRun pending = row.pendingRun();
    if (pending != null) {
      return Future.succeededFuture(new Begun.ToPost(pending));
    }
    return storedReply(conn, request)
        .compose(
            stored ->
                stored.isPresent()
                    ? Future.succeededFuture(
                        new Begun.Replayed(new Reply.Subscription(stored.get())))
                    : planWallet(conn, request, row.runway()));
  }

  private Future<Begun> planWallet(
      SqlConnection conn, RunRequest request, RunwayAlerts.State runway) {
    Instant now = clock.instant();
    WalletKey wallet = request.wallet();
    return store
        .walletsSubscriptions(conn, List.of(wallet))
        .compose(
            subscriptions ->
                ledger
                    .balance(wallet)
                    .map(
                        balance -> {
                          if (request.action() == RunRequest.Action.ACTIVATE && balance <= 0) {
                            throw Failure.of(
                                    ErrorCode.INSUFFICIENT_FUNDS,
                                    "the "
                                        + wallet.currency()
                                        + " wallet is empty: top it up before subscribing")
                                .toException();
                          }
                          return planner.plan(
                              request,
                              subscriptions.getOrDefault(wallet, List.of()),
                              balance,
                              now.toEpochMilli(),
                              runway);
                        }))
        .compose(run -> storePlans(conn, List.of(run), now))
        .map(begun -> begun.get(0));
  }

  /**
   * Whether the run is done, or another attempt is needed: when the run finished was another
   * attempt's, when the ledger refused it, or when a command's run was finished elsewhere (its
   * reply is then stored, and the next attempt reads it).
   */
  private Future<Reply> afterAttempt(RunRequest request, int attempt, Finished finished) {
    boolean ours = finished.run().request().id().equals(request.id());
    Reply reply =
        finished instanceof Finished.Applied applied
            ? applied.reply()
            : finished instanceof Finished.Superseded ? Reply.NONE : null;
    boolean done =
        ours && reply != null && (request.command() == null || !(reply instanceof Reply.None));
    if (!done && attempt + 1 < ATTEMPTS_MAX) {
      return runWallet(request, attempt + 1);
    }
    return Future.succeededFuture(reply == null ? Reply.NONE : reply);
  }

  private Future<Optional<JsonObject>> storedReply(SqlConnection conn, RunRequest request) {
    RunRequest.Command command = request.command();
    if (command == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return store
        .command(conn, request.wallet().userId(), command.key())
        .map(
            found -> {
              if (found.isEmpty()) {
                return Optional.empty();
              }
              byte[] stored = found.get().getBuffer("request_hash").getBytes();
              byte[] asked = Base64.getDecoder().decode(command.hashBase64());
              if (!Arrays.equals(stored, asked)) {
                throw Failure.of(
                        ErrorCode.IDEMPOTENCY_CONFLICT,
                        "the idempotency key was already used "
                            + "with a different request; use a new key for a new request")
                    .toException();
              }
              return found.get().getValue("reply") instanceof JsonObject reply
                  ? Optional.of(reply.copy().put("replayed", true))
                  : Optional.empty();
            });
  }

  // A chunk of due wallets

  /**
   * What a chunk leaves to its caller.
   *
   * @param claimed wallets claimed
   * @param alone wallets to run alone now: busy in this process, left pending by an earlier
   *     attempt, refused, or failed on their own; all of them when a step failed
   * @param broken whether running them together failed (claiming then stops until the next poll)
   */
  record ChunkResult(int claimed, List<WalletKey> alone, boolean broken) {}

  /** What the first step of a chunk leaves to the next ones. */
  private static final class Chunk {
    int claimed;
    boolean broken;

    /** Wallets whose queue the chunk holds. */
    final List<WalletKey> held = new ArrayList<>();

    /** Runs to post: planned now, or left pending by an earlier attempt. */
    final List<PendingRun> toPost = new ArrayList<>();

    /** Wallets to run alone afterwards. */
    final Set<WalletKey> alone = new LinkedHashSet<>();

    /** Runs that charged nothing, applied in the first step: their facts to publish. */
    final List<PendingRun> applied = new ArrayList<>();
  }

  /**
   * Claims up to {@code limit} wallets due at {@code now} and runs them together; {@code full}, if
   * given, learns whether the claim came back full.
   */
  Future<ChunkResult> runChunk(Instant now, int limit, Promise<Boolean> full) {
    Promise<Void> release = Promise.promise();
    Chunk chunk = new Chunk();
    return store
        .pool()
        .withTransaction(conn -> claimAndPlan(conn, now, limit, chunk, release.future(), full))
        .compose(v -> postAndFinish(chunk))
        .recover(
            error -> {
              // A claim that held nothing (its transaction failed before claiming, as when the
              // pool closes at shutdown) leaves nothing to run one by one, and nothing to say.
              if (!chunk.held.isEmpty()) {
                LOG.warn(
                    "Billing {} wallets together failed ({}); running them one by one",
                    chunk.held.size(),
                    error.toString());
              }
              chunk.broken = true;
              return Future.succeededFuture(chunk.held);
            })
        .map(
            again -> {
              release.complete();
              Set<WalletKey> alone = new LinkedHashSet<>(chunk.alone);
              alone.addAll(again);
              return new ChunkResult(chunk.claimed, List.copyOf(alone), chunk.broken);
            });
  }

  /**
   * The first step for a chunk: claim and lock due wallets, load their subscriptions, read their
   * balances, plan, and store the pending runs (or apply the runs that charge nothing).
   */
  private Future<Void> claimAndPlan(
      SqlConnection conn,
      Instant now,
      int limit,
      Chunk chunk,
      Future<Void> release,
      Promise<Boolean> full) {
    Instant at = clock.instant();
    Future<List<WalletRow>> claim = store.claimDue(conn, now, limit);
    if (full != null) {
      claim.onComplete(done -> full.tryComplete(done.succeeded() && done.result().size() == limit));
    }
    return claim.compose(
        claimed -> {
          chunk.claimed = claimed.size();
          List<WalletKey> fresh = new ArrayList<>();
          List<WalletKey> leased = new ArrayList<>();
          Map<WalletKey, RunwayAlerts.State> runways = new java.util.HashMap<>();
          claimed.forEach(row -> runways.put(row.wallet(), row.runway()));
          for (WalletRow row : claimed) {
            WalletKey wallet = row.wallet();
            if (!queues.hold(wallet, release)) {
              // A command or resume of the wallet is under way here: its timer runs after it.
              chunk.alone.add(wallet);
              leased.add(wallet);
            } else if (row.pendingRunText() == null) {
              chunk.held.add(wallet);
              fresh.add(wallet);
            } else {
              // Left by an attempt that did not finish: post it again and finish it, then run the
              // timer alone (as a wallet's own run does after finishing another attempt's run).
              chunk.held.add(wallet);
              chunk.alone.add(wallet);
              leased.add(wallet);
              pendingRun(row).ifPresent(chunk.toPost::add);
            }
          }
          if (fresh.isEmpty()) {
            return store.leaseWallets(conn, leased, config.leaseMs());
          }
          return Future.all(store.walletsSubscriptions(conn, fresh), ledger.balances(fresh))
              .compose(
                  both -> {
                    Map<WalletKey, List<SubscriptionRow>> subscriptions = both.resultAt(0);
                    List<Long> balances = both.resultAt(1);
                    List<PendingRun> runs = new ArrayList<>();
                    for (int i = 0; i < fresh.size(); i++) {
                      WalletKey wallet = fresh.get(i);
                      try {
                        runs.add(
                            planner.plan(
                                RunRequest.timer(wallet),
                                subscriptions.getOrDefault(wallet, List.of()),
                                balances.get(i),
                                at.toEpochMilli(),
                                runways.getOrDefault(wallet, RunwayAlerts.State.NONE)));
                      } catch (RuntimeException error) {
                        LOG.warn(
                            "Planning the billing run of {} failed: {}", wallet, error.toString());
                        chunk.alone.add(wallet);
                        leased.add(wallet);
                      }
                    }
                    return Future.all(
                            storePlans(conn, runs, at),
                            store.leaseWallets(conn, leased, config.leaseMs()))
                        .map(
                            stored -> {
                              List<Begun> begun = stored.resultAt(0);
                              for (Begun step : begun) {
                                if (step instanceof Begun.ToPost toPost) {
                                  chunk.toPost.add(toPost.run());
                                } else if (step instanceof Begun.Applied applied) {
                                  chunk.applied.add(applied.run());
                                }
                              }
                              return null;
                            });
                  });
        });
  }

  /** A wallet's pending run, or empty when it cannot be read: the wallet then fails alone. */
  private static Optional<PendingRun> pendingRun(WalletRow row) {
    try {
      return Optional.of(row.pendingRun());
    } catch (IllegalArgumentException unreadable) {
      LOG.warn(
          "The pending billing run of {} cannot be posted: {}",
          row.wallet(),
          unreadable.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Posts the chunk's runs and finishes them; returns the wallets to run alone afterwards. A
   * failure means nothing more is known of any wallet's progress: they are all run alone.
   */
  private Future<List<WalletKey>> postAndFinish(Chunk chunk) {
    chunk.applied.forEach(run -> Facts.publish(vertx, run, List.of()));
    if (chunk.toPost.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return ledger
        .postGroups(chunk.toPost)
        .compose(
            outcomes -> {
              List<PendingRun> answered = new ArrayList<>();
              List<Outcome> answers = new ArrayList<>();
              for (int i = 0; i < outcomes.size(); i++) {
                PendingRun run = chunk.toPost.get(i);
                if (outcomes.get(i) instanceof Outcome.Unknown) {
                  // Not known whether posted: the wallet's own run posts the pending run again.
                  chunk.alone.add(run.wallet());
                } else {
                  answered.add(run);
                  answers.add(outcomes.get(i));
                }
              }
              if (answered.isEmpty()) {
                return Future.succeededFuture(List.of());
              }
              return finish(answered, answers)
                  .map(
                      finished -> {
                        finished.stream()
                            .filter(f -> !(f instanceof Finished.Applied))
                            .forEach(f -> chunk.alone.add(f.run().wallet()));
                        return List.of();
                      });
            });
  }

  // Steps shared by one wallet and a chunk

  /**
   * Stores planned runs under their wallets' locks: a run that charges becomes its wallet's pending
   * run, leased; one that charges nothing is applied at once and sets the timer.
   */
  private Future<List<Begun>> storePlans(SqlConnection conn, List<PendingRun> runs, Instant now) {
    List<PendingRun> chargeNothing = runs.stream().filter(run -> run.charges().isEmpty()).toList();
    List<PendingRun> charging = runs.stream().filter(run -> !run.charges().isEmpty()).toList();
    Future<List<Reply>> applied =
        chargeNothing.isEmpty()
            ? Future.succeededFuture(List.of())
            : Future.all(
                    Applier.applyAll(conn, store, chargeNothing),
                    store.setTimers(
                        conn,
                        chargeNothing.stream()
                            .map(run -> new WalletTimer(run.wallet(), run.nextChargeAt()))
                            .toList(),
                        now))
                .map(both -> both.<List<Reply>>resultAt(0))
                .compose(
                    replies ->
                        record(
                                conn,
                                chargeNothing,
                                chargeNothing.stream().map(run -> List.<Long>of()).toList(),
                                replies)
                            .map(replies));
    Future<Void> stored = store.storePendingRuns(conn, charging, config.leaseMs(), now);
    return Future.all(applied, stored)
        .map(
            v -> {
              Iterator<Reply> replies = applied.result().iterator();
              List<Begun> begun = new ArrayList<>(runs.size());
              for (PendingRun run : runs) {
                begun.add(
                    run.charges().isEmpty()
                        ? new Begun.Applied(run, replies.next())
                        : new Begun.ToPost(run));
              }
              return begun;
            });
  }

  /**
   * The last step, for runs the ledger answered (posted or refused): one statement clears every run
   * that is still its wallet's pending run and sets the timers, locking those rows; the posted ones
   * are then applied under those locks. Facts are published once it commits.
   */
  private Future<List<Finished>> finish(List<PendingRun> runs, List<Outcome> outcomes) {
    return store
        .pool()
        .withTransaction(conn -> finish(conn, runs, outcomes))
        .onSuccess(
            finished ->
                finished.forEach(
                    f -> {
                      if (f instanceof Finished.Applied applied) {
                        Facts.publish(vertx, applied.run(), applied.entryIds());
                      }
                    }));
  }

  /**
   * Records what applied runs did, in their transaction: their events, and their wallets' runway
   * alert states.
   */
  private Future<Void> record(
      SqlConnection conn, List<PendingRun> runs, List<List<Long>> entryIds, List<Reply> replies) {
    return Future.all(
            recordEvents(conn, runs, entryIds, replies), store.setRunwayStates(conn, runs))
        .mapEmpty();
  }

  /** Records applied runs' events, in their transaction. */
  private static Future<Void> recordEvents(
      SqlConnection conn, List<PendingRun> runs, List<List<Long>> entryIds, List<Reply> replies) {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      events.addAll(BillingEvents.of(runs.get(i), entryIds.get(i), replies.get(i)));
    }
    return EventLog.append(conn, events);
  }

  private Future<List<Finished>> finish(
      SqlConnection conn, List<PendingRun> runs, List<Outcome> outcomes) {
    Instant now = clock.instant();
    List<WalletTimer> timers = new ArrayList<>(runs.size());
    for (int i = 0; i < runs.size(); i++) {
      PendingRun run = runs.get(i);
      // A refused run's wallet is due again at once, to be planned from its new balance.
      timers.add(
          new WalletTimer(
              run.wallet(), outcomes.get(i) instanceof Outcome.Posted ? run.nextChargeAt() : now));
    }
    List<String> runIds = runs.stream().map(PendingRun::runId).toList();
    // A posted run's runway alert state is stored as its run ends, in the same row update.
    List<RunwayAlerts.State> runways = new ArrayList<>(runs.size());
    for (int i = 0; i < runs.size(); i++) {
      runways.add(outcomes.get(i) instanceof Outcome.Posted ? runs.get(i).runwayState() : null);
    }
    return store
        .finishRuns(conn, timers, runIds, runways, now)
        .compose(
            current -> {
              List<PendingRun> toApply = new ArrayList<>();
              List<List<Long>> entryIds = new ArrayList<>();
              for (int i = 0; i < runs.size(); i++) {
                if (current.contains(runIds.get(i))
                    && outcomes.get(i) instanceof Outcome.Posted posted) {
                  toApply.add(runs.get(i));
                  entryIds.add(posted.entryIds());
                }
              }
              return Applier.applyAll(conn, store, toApply)
                  .compose(replies -> recordEvents(conn, toApply, entryIds, replies).map(replies))
                  .map(
                      replies -> {
                        Iterator<Reply> reply = replies.iterator();
                        List<Finished> finished = new ArrayList<>(runs.size());
                        for (int i = 0; i < runs.size(); i++) {
                          PendingRun run = runs.get(i);
                          if (!current.contains(runIds.get(i))) {
                            finished.add(new Finished.Superseded(run));
                          } else if (outcomes.get(i) instanceof Outcome.Posted posted) {
                            finished.add(
                                new Finished.Applied(run, posted.entryIds(), reply.next()));
                          } else {
                            finished.add(new Finished.Abandoned(run));
                          }
                        }
                        return finished;
                      });
            });
  }
}
