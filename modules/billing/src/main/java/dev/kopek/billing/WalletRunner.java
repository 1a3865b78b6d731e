package dev.kopek.billing;

import dev.kopek.model.Bus;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one wallet: its timer, or a subscription command (activation, plan change, cancel), or a
 * resume after a credit. Runs of one wallet never overlap: within a process they queue, across
 * processes the wallet's timer row is locked.
 *
 * <p>A run that charges is a small saga, safe at every step: (1) under the wallet's lock, plan
 * the run from stored state and the balance, and store the plan as the wallet's pending run;
 * (2) post the plan's entries to the ledger as one atomic group (each with its period's unique
 * reference as idempotency key); (3) under the lock again, apply the plan's state changes and
 * clear the pending run. A crash after (1) leaves the pending run, which the next claim reposts
 * (the ledger replays what it has) and applies. If the ledger refuses the group because the
 * balance changed since (1), nothing was charged and the run is planned again.
 */
final class WalletRunner {

  /** What a run does besides charging what is due. */
  enum Action { TIMER, ACTIVATE, CHANGE, CANCEL, RESUME }

  /**
   * Plans refused by the ledger (the balance moved meanwhile), or runs left pending by another
   * attempt, lead to this many new attempts before the run is left to the next timer.
   */
  private static final int ATTEMPTS_MAX = 4;

  /** The default resume threshold: this much of the wallet's total rate. */
  private static final long RESUME_DEFAULT_MS = 60_000;

  private static final Logger LOG = LoggerFactory.getLogger(WalletRunner.class);

  private final Vertx vertx;
  private final BillingStore store;
  private final BillingClock clock;
  private final BillingConfig config;
  private final Map<String, Future<?>> queues = new HashMap<>();
  private final java.util.Set<String> waiting = new java.util.HashSet<>();

  WalletRunner(Vertx vertx, BillingStore store, BillingClock clock, BillingConfig config) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.config = config;
  }

  /**
   * Queues {@code work} behind every earlier run of the same wallet in this process.
   */
  <T> Future<T> serialized(String userId, String currency, Function<Void, Future<T>> work) {
    String key = userId + "\n" + currency;
    Future<?> previous = queues.getOrDefault(key, Future.succeededFuture());
    Future<T> next = previous.transform(ignored -> work.apply(null));
    queues.put(key, next);
    next.onComplete(done -> queues.remove(key, next));
    return next;
  }

  /**
   * Reserves the wallet's queue for work that completes with {@code until}, if nothing of the
   * wallet runs or waits in this process; false otherwise. Runs asked for meanwhile queue behind.
   */
  boolean hold(String userId, String currency, Future<?> until) {
    String key = userId + "\n" + currency;
    if (queues.containsKey(key)) {
      return false;
    }
    queues.put(key, until);
    until.onComplete(done -> queues.remove(key, until));
    return true;
  }

  /**
   * Runs the wallet's timer unless a run of it is already waiting in this process: entries posted
   * in bursts (a busy wallet) then cost one run, not one each.
   */
  Future<Void> timerCoalesced(String userId, String currency) {
    String key = userId + "\n" + currency;
    if (!waiting.add(key)) {
      return Future.succeededFuture();
    }
    return serialized(userId, currency, v -> {
      waiting.remove(key);
      return run(new Request(userId, currency, Action.TIMER, null, null, null), 0).mapEmpty();
    });
  }

  /** Runs the wallet's timer: charges what is due, or suspends. */
  Future<Void> timer(String userId, String currency) {
    return serialized(userId, currency, v -> run(new Request(userId, currency, Action.TIMER,
        null, null, null), 0).mapEmpty());
  }

  /**
   * Runs the wallet for a command; returns the subscription as it stands afterwards, or the stored
   * reply of an earlier command with the same idempotency key.
   */
  Future<JsonObject> command(Request request) {
    return serialized(request.userId(), request.currency(), v -> run(request, 0))
        .compose(reply -> reply.containsKey("error")
            ? Future.failedFuture(Failure.of(ErrorCode.INSUFFICIENT_FUNDS, "the wallet's balance "
                + "ran out; top up before subscribing").toException())
            : Future.succeededFuture(reply));
  }

  /** Resumes the wallet's suspended subscriptions if a credit brought enough balance. */
  Future<Void> resume(String userId, String currency) {
    return serialized(userId, currency, v -> run(new Request(userId, currency, Action.RESUME,
        null, null, null), 0).mapEmpty());
  }

  /** A run's request; {@code subscriptionId}, {@code newPlan} and {@code command} as needed. */
  record Request(String userId, String currency, Action action, String subscriptionId,
      JsonObject newPlan, JsonObject command) {}

  private Future<JsonObject> run(Request request, int attempt) {
    return store.pool().withTransaction(conn -> store.lockWallet(conn, request.userId(),
            request.currency(), clock.instant())
        .compose(wallet -> {
          if (wallet.pendingRun() != null) {
            return Future.succeededFuture(wallet.pendingRun());
          }
          return storedReply(conn, request).compose(stored -> stored != null
              ? Future.succeededFuture(new JsonObject().put("reply", stored))
              : plan(conn, request));
        }))
        .compose(outcome -> {
          if (outcome.containsKey("reply")) {
            if (outcome.containsKey("facts")) {
              Facts.publish(vertx, outcome.getJsonObject("facts"), List.of());
            }
            return Future.succeededFuture(outcome.getJsonObject("reply"));
          }
          boolean ours = outcome.getString("request_id", "").equals(requestId(request));
          return post(outcome)
              .compose(posted -> posted
                  ? apply(request.userId(), request.currency(), outcome)
                  : abandon(request.userId(), request.currency(), outcome))
              .compose(reply -> {
                boolean done = ours && reply != null
                    && (request.command() == null || !reply.isEmpty());
                if (!done && attempt + 1 < ATTEMPTS_MAX) {
                  return run(request, attempt + 1);
                }
                return Future.succeededFuture(reply == null ? new JsonObject() : reply);
              });
        });
  }

  /** What {@link #RESUME_DEFAULT_MS} of a plan costs, rounded up. */
  static long minuteOf(long priceMinor, long periodMs) {
    long exact = Proration.owed(priceMinor, periodMs, 0, RESUME_DEFAULT_MS);
    return Math.multiplyExact(exact, periodMs) == Math.multiplyExact(priceMinor, RESUME_DEFAULT_MS)
        ? exact : exact + 1;
  }

  private String requestId(Request request) {
    return request.action() + ":" + request.subscriptionId() + ":"
        + (request.command() == null ? "" : request.command().getString("key"));
  }

  private Future<JsonObject> storedReply(SqlConnection conn, Request request) {
    if (request.command() == null) {
      return Future.succeededFuture(null);
    }
    JsonObject command = request.command();
    return store.command(conn, request.userId(), command.getString("key")).map(found -> {
      if (found.isEmpty()) {
        return null;
      }
      byte[] stored = found.get().getBuffer("request_hash").getBytes();
      byte[] asked = java.util.Base64.getDecoder().decode(command.getString("hash"));
      if (!java.util.Arrays.equals(stored, asked)) {
        throw Failure.of(ErrorCode.IDEMPOTENCY_CONFLICT, "the idempotency key was already used "
            + "with a different request; use a new key for a new request").toException();
      }
      Object reply = found.get().getValue("reply");
      return reply instanceof JsonObject json ? json.copy().put("replayed", true) : null;
    });
  }

  /**
   * Plans the run under the wallet's lock. A run without entries is applied at once; one with
   * entries is stored as the wallet's pending run and returned to be posted.
   */
  private Future<JsonObject> plan(SqlConnection conn, Request request) {
    Instant now = clock.instant();
    long at = now.toEpochMilli();
    return store.walletSubscriptions(conn, request.userId(), request.currency())
        .compose(subscriptions -> balance(request.userId(), request.currency()).compose(balance -> {
          if (request.action() == Action.ACTIVATE && balance <= 0) {
            return Future.failedFuture(Failure.of(ErrorCode.INSUFFICIENT_FUNDS, "the "
                + request.currency() + " wallet is empty: top it up before subscribing")
                .toException());
          }
          JsonObject run = planRun(request, subscriptions, balance, at);
          if (run.getJsonArray("charges").isEmpty()) {
            return Applier.apply(conn, store, config, clock, run)
                .compose(reply -> store.setWallet(conn, request.userId(), request.currency(),
                        Applier.nextChargeAt(run), null, config.leaseMs(), now)
                    .map(v -> new JsonObject().put("reply", reply).put("facts", run)));
          }
          return store.setWallet(conn, request.userId(), request.currency(), null, run,
              config.leaseMs(), now).map(v -> run);
        }));
  }

  JsonObject planRun(Request request, List<SubscriptionRow> subscriptions, long balance,
      long at) {
    List<Segment> active = subscriptions.stream().filter(SubscriptionRow::isActive)
        .map(SubscriptionRow::segmentState).toList();
    SubscriptionRow target = subscriptions.stream()
        .filter(s -> s.id().equals(request.subscriptionId())).findFirst().orElse(null);
    boolean ending = target != null && target.isActive()
        && (request.action() == Action.CHANGE || request.action() == Action.CANCEL);
    WalletPlan plan = ending
        ? WalletPlanner.runAndEnd(active, balance, at, target.id())
        : WalletPlanner.run(active, balance, at);
    JsonArray resumed = new JsonArray();
    List<Segment> activeAfter = new ArrayList<>();
    if (plan.suspendedAtMs() == null) {
      plan.after().stream().filter(s -> !(ending && s.subscriptionId().equals(target.id())))
          .forEach(activeAfter::add);
      JsonObject newPlan = request.newPlan();
      if (ending && request.action() == Action.CHANGE) {
        activeAfter.add(new Segment(target.id(), newPlan.getString("code"), target.segment() + 1,
            at, newPlan.getLong("price_minor"), newPlan.getLong("period_ms"), 0, 0));
      }
      if (request.action() == Action.ACTIVATE) {
        activeAfter.add(new Segment(request.subscriptionId(), newPlan.getString("code"), 1, at,
            newPlan.getLong("price_minor"), newPlan.getLong("period_ms"), 0, 0));
      }
      if (request.action() == Action.RESUME) {
        resume(subscriptions, balance - plan.totalMinor(), at, resumed, activeAfter);
      }
    }
    return RunJson.write(plan, request, requestId(request), at, balance, activeAfter, resumed);
  }

  /**
   * Resumes every suspended subscription of the wallet when the balance reaches the threshold
   * ({@code billing.resume_min_minor}, or one minute of the suspended subscriptions' total rate):
   * each gets a new segment anchored now, so the suspended gap is never charged.
   */
  private void resume(List<SubscriptionRow> subscriptions, long balance, long at, JsonArray resumed,
      List<Segment> activeAfter) {
    List<SubscriptionRow> suspended = subscriptions.stream()
        .filter(s -> "suspended".equals(s.status())).toList();
    if (suspended.isEmpty()) {
      return;
    }
    long threshold = config.resumeMinMinor();
    if (threshold == 0) {
      for (SubscriptionRow subscription : suspended) {
        threshold = Math.addExact(threshold, minuteOf(subscription.priceMinor(),
            subscription.periodMs()));
      }
      threshold = Math.max(1, threshold);
    }
    if (balance < threshold) {
      return;
    }
    for (SubscriptionRow subscription : suspended) {
      resumed.add(new JsonObject().put("id", subscription.id())
          .put("segment", subscription.segment())
          .put("plan", new JsonObject().put("code", subscription.planCode())
              .put("price_minor", subscription.priceMinor())
              .put("period_ms", subscription.periodMs())));
      activeAfter.add(new Segment(subscription.id(), subscription.planCode(),
          subscription.segment() + 1, at, subscription.priceMinor(), subscription.periodMs(), 0, 0));
    }
  }

  private Future<Long> balance(String userId, String currency) {
    return Bus.request(vertx, LedgerAddresses.WALLET_GET, new JsonObject().put("user_id", userId)
        .put("currency", currency), config.ledgerTimeoutMs())
        .map(wallet -> wallet.getLong("balance_minor"));
  }

  /** Posts the run's entries as one atomic group; false when the ledger refused them. */
  private Future<Boolean> post(JsonObject run) {
    return Bus.request(vertx, LedgerAddresses.POST_BATCH, new JsonObject()
            .put("postings", postings(run)).put("atomic", true), config.ledgerTimeoutMs())
        .map(reply -> recordResults(run, reply.getJsonArray("results")));
  }

  /** The run's entries as ledger postings, each keyed by its period's unique reference. */
  static JsonArray postings(JsonObject run) {
    JsonArray postings = new JsonArray();
    for (Object charge : run.getJsonArray("charges")) {
      JsonObject c = (JsonObject) charge;
      postings.add(new PostingRequest(c.getString("reference"), run.getString("user_id"),
          run.getString("currency"), -c.getLong("amount_minor"), EntryKind.BILLING,
          "Plan " + c.getString("plan") + ", " + Instant.ofEpochMilli(c.getLong("from_ms"))
              + " to " + Instant.ofEpochMilli(c.getLong("to_ms"))
              + (c.getBoolean("partial") ? " (prorated)" : ""),
          c.getString("reference"), "revenue").toJson());
    }
    return postings;
  }

  /**
   * Reads the ledger's results for the run's group: true when posted (each charge then carries
   * its entry's id), false when the ledger refused the group.
   */
  static boolean recordResults(JsonObject run, JsonArray results) {
    for (int i = 0; i < results.size(); i++) {
      JsonObject result = results.getJsonObject(i);
      if (result.containsKey("error")) {
        LOG.info("Billing run for {} {} refused by the ledger ({}); planning again",
            run.getString("user_id"), run.getString("currency"),
            result.getJsonObject("error").getString("code"));
        return false;
      }
      run.getJsonArray("charges").getJsonObject(i)
          .put("entry_id", result.getJsonObject("entry").getLong("id"));
    }
    return true;
  }

  private Future<JsonObject> apply(String userId, String currency, JsonObject run) {
    Instant now = clock.instant();
    return store.pool().withTransaction(conn -> store.lockWallet(conn, userId, currency, now)
        .compose(wallet -> {
          if (wallet.pendingRun() == null
              || !wallet.pendingRun().getString("run_id").equals(run.getString("run_id"))) {
            // Another process completed it meanwhile.
            return Future.succeededFuture(new JsonObject());
          }
          return Applier.apply(conn, store, config, clock, run)
              .compose(reply -> store.setWallet(conn, userId, currency, Applier.nextChargeAt(run),
                  null, config.leaseMs(), now).map(v -> reply.put("applied", true)));
        }))
        .onSuccess(reply -> {
          if (reply.getBoolean("applied", false)) {
            reply.remove("applied");
            Facts.publish(vertx, run, run.getJsonArray("charges").getList());
          }
        });
  }

  private Future<JsonObject> abandon(String userId, String currency, JsonObject run) {
    return store.pool().withTransaction(conn -> store.lockWallet(conn, userId, currency,
            clock.instant())
        .compose(wallet -> wallet.pendingRun() != null
            && wallet.pendingRun().getString("run_id").equals(run.getString("run_id"))
            ? store.setWallet(conn, userId, currency, clock.instant(), null, config.leaseMs(),
                clock.instant())
            : Future.succeededFuture()))
        .map(v -> null);
  }

  static String newRunId() {
    return UUID.randomUUID().toString();
  }
}
