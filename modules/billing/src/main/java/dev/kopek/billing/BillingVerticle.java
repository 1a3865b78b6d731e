package dev.kopek.billing;

import dev.kopek.model.Bus;
import dev.kopek.model.DatabaseFailures;
import dev.kopek.model.billing.BillingAddresses;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recurring billing (docs/BILLING.md): plans, subscriptions, and one timer of record per wallet,
 * stored in the database. A poll every {@code billing.poll_interval_ms} claims the wallets whose
 * timer is due (SKIP LOCKED, so any number of Kopek processes share the work) and runs them.
 * Entries posted to a wallet by anyone else (a top-up, a charge) reschedule its timer, and credits
 * resume suspended subscriptions. It reaches the ledger only through the ledger's event-bus
 * contract.
 */
public final class BillingVerticle extends VerticleBase {

  /** Connections: one per wallet run or chunk in flight, plus the poll. */
  private static final int POOL_SIZE = 8;

  private static final Logger LOG = LoggerFactory.getLogger(BillingVerticle.class);

  private final Clock baseClock;
  private Pool pool;
  private BillingConfig config;
  private BillingClock clock;
  private BillingStore store;
  private PostedWallets posted;
  private DueWallets due;
  private long pollTimer = -1;
  private boolean polling;
  private boolean stopped;

  /** Billing on the system clock (or the shared test clock when configured). */
  public BillingVerticle() {
    this(Clock.systemUTC());
  }

  /** Billing on {@code clock}; tests drive it. */
  public BillingVerticle(Clock clock) {
    this.baseClock = clock;
  }

  @Override
  public Future<?> start() {
    try {
      config = BillingConfig.from(config());
    } catch (IllegalArgumentException invalid) {
      return Future.failedFuture(invalid);
    }
    pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(POOL_SIZE).setName("kopek-billing"))
            .connectingTo(
                PgConnectOptions.fromUri(config.databaseUrl()).setCachePreparedStatements(true))
            .using(vertx)
            .build();
    store = new BillingStore(pool);
    Future<BillingClock> clockReady =
        config.testClock()
            ? BillingClock.shared(baseClock, pool)
            : Future.succeededFuture(BillingClock.of(baseClock));
    return clockReady.compose(
        ready -> {
          clock = ready;
          if (clock.isTest()) {
            LOG.warn(
                "Billing runs on the TEST CLOCK (billing.test_clock: true): administrators can "
                    + "move time forward. Never use this in production.");
          }
          BillingLedger ledger = new BillingLedger(vertx, config.ledgerTimeoutMs());
          BillingSaga saga = new BillingSaga(vertx, store, clock, config, ledger);
          posted =
              new PostedWallets(
                  context, store::walletsWithSubscriptions, saga::resume, saga::timerCoalesced);
          due = new DueWallets(saga, config);
          BillingApi api = new BillingApi(store, clock, ledger, saga);
          List<MessageConsumer<JsonObject>> consumers =
              List.of(
                  serve(BillingAddresses.PLAN_CREATE, api::createPlan),
                  serve(BillingAddresses.PLANS_LIST, api::listPlans),
                  serve(BillingAddresses.PLAN_RETIRE, api::retirePlan),
                  serve(BillingAddresses.SUBSCRIPTION_CREATE, api::subscribe),
                  serve(BillingAddresses.SUBSCRIPTIONS_LIST, api::list),
                  serve(BillingAddresses.SUBSCRIPTION_CHANGE, api::change),
                  serve(BillingAddresses.SUBSCRIPTION_CANCEL, api::cancel),
                  serve(BillingAddresses.SUBSCRIPTIONS_COUNT, body -> countSubscriptions()),
                  serve(BillingAddresses.CLOCK_GET, api::clock),
                  serve(BillingAddresses.CLOCK_SET, api::setClock));
          MessageConsumer<JsonObject> posted =
              vertx
                  .eventBus()
                  .consumer(LedgerAddresses.POSTED, message -> onPosted(message.body()));
          pollTimer = vertx.setPeriodic(config.pollIntervalMs(), id -> poll());
          List<Future<?>> ready2 =
              new ArrayList<>(consumers.stream().map(MessageConsumer::completion).toList());
          ready2.add(posted.completion());
          return Future.all(ready2);
        });
  }

  /** Whether billing has reacted to every entry posted so far (tests wait for it). */
  Future<Boolean> reactedToPosted() {
    Promise<Boolean> idle = Promise.promise();
    context.runOnContext(v -> idle.complete(posted.idle()));
    return idle.future();
  }

  private MessageConsumer<JsonObject> serve(
      String address, Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.serve(vertx, address, handler, LOG);
  }

  /**
   * Another component posted to a wallet: its timer may now fall due earlier (less balance) or a
   * credit may resume it. Billing's own entries are skipped: their run already set the timer.
   */
  private void onPosted(JsonObject entry) {
    if ("billing".equals(entry.getString("kind"))) {
      return;
    }
    posted.posted(
        new WalletKey(entry.getString("user_id"), entry.getString("currency")),
        entry.getLong("amount_minor", 0L) > 0);
  }

  /**
   * Bills due wallets in chunks (see {@link DueWallets}), up to {@code billing.batch_max} per poll;
   * the rest waits for the next poll, where other processes on the database may take some. A poll
   * that stopped at {@code billing.batch_max} is followed at once by the next, not a poll interval
   * later: a backlog (every wallet falling due on the hour) is billed without pauses.
   */
  private void poll() {
    if (polling || stopped) {
      return;
    }
    polling = true;
    runDue()
        .onSuccess(
            more -> {
              if (more) {
                vertx.runOnContext(v -> poll());
              }
            })
        .onFailure(
            error -> {
              // Polled five times a second: an outage is logged once per kind every few seconds.
              if (DatabaseFailures.isTransient(error)) {
                String kind = DatabaseFailures.kind(error).orElseThrow();
                Bus.outageLog(LOG)
                    .warn(
                        kind,
                        "Database unavailable ("
                            + kind
                            + "): billing poll "
                            + "failed: "
                            + error.getMessage());
              } else {
                LOG.warn("Billing poll failed: {}", error.toString());
              }
            })
        .onComplete(done -> polling = false);
  }

  /**
   * One round, logged when it claimed any wallet: how many were billed, and how long it took. True
   * if it stopped at {@code billing.batch_max} (more are likely due).
   */
  private Future<Boolean> runDue() {
    long started = System.nanoTime();
    return clock
        .refresh()
        .compose(due::runDue)
        .map(
            tally -> {
              if (tally.claimed() > 0) {
                LOG.info(
                    "Billed {} due wallets in {} ms{}",
                    tally.claimed() - tally.failed(),
                    (System.nanoTime() - started) / 1_000_000,
                    tally.failed() == 0
                        ? ""
                        : " (" + tally.failed() + " failed, retried when their lease ends)");
              }
              return tally.more();
            });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  /** How many subscriptions are active and how many suspended. */
  private Future<JsonObject> countSubscriptions() {
    return store
        .pool()
        .query(
            "SELECT COUNT(*) FILTER (WHERE status = 'active') AS active,"
                + " COUNT(*) FILTER (WHERE status = 'suspended') AS suspended"
                + " FROM billing_subscriptions")
        .execute()
        .map(
            rows -> {
              var row = rows.iterator().next();
              return new JsonObject()
                  .put("active", row.getLong("active"))
                  .put("suspended", row.getLong("suspended"));
            });
  }
}
