package dev.kopek.billing;

import dev.kopek.model.Bus;
import dev.kopek.model.billing.BillingAddresses;
import dev.kopek.model.ledger.LedgerAddresses;
import io.vertx.core.Future;
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

  /** Connections: one per wallet run in flight, plus the poll. */
  private static final int POOL_SIZE = 8;

  /** Wallet runs in flight at once per process. */
  private static final int RUNS_IN_FLIGHT_MAX = 8;

  private static final Logger LOG = LoggerFactory.getLogger(BillingVerticle.class);

  private final Clock baseClock;
  private Pool pool;
  private BillingConfig config;
  private BillingClock clock;
  private BillingStore store;
  private WalletRunner runner;
  private PostedWallets posted;
  private long pollTimer = -1;
  private boolean polling;

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
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(POOL_SIZE).setName("kopek-billing"))
        .connectingTo(PgConnectOptions.fromUri(config.databaseUrl()).setCachePreparedStatements(true))
        .using(vertx)
        .build();
    store = new BillingStore(pool);
    Future<BillingClock> clockReady = config.testClock()
        ? BillingClock.shared(baseClock, pool)
        : Future.succeededFuture(BillingClock.of(baseClock));
    return clockReady.compose(ready -> {
      clock = ready;
      if (clock.isTest()) {
        LOG.warn("Billing runs on the TEST CLOCK (billing.test_clock: true): administrators can "
            + "move time forward. Never use this in production.");
      }
      runner = new WalletRunner(vertx, store, clock, config);
      posted = new PostedWallets(store, runner);
      BillingApi api = new BillingApi(vertx, store, clock, config, runner);
      List<MessageConsumer<JsonObject>> consumers = List.of(
          serve(BillingAddresses.PLAN_CREATE, api::createPlan),
          serve(BillingAddresses.PLANS_LIST, api::listPlans),
          serve(BillingAddresses.PLAN_RETIRE, api::retirePlan),
          serve(BillingAddresses.SUBSCRIPTION_CREATE, api::subscribe),
          serve(BillingAddresses.SUBSCRIPTIONS_LIST, api::list),
          serve(BillingAddresses.SUBSCRIPTION_CHANGE, api::change),
          serve(BillingAddresses.SUBSCRIPTION_CANCEL, api::cancel),
          serve(BillingAddresses.CLOCK_GET, api::clock),
          serve(BillingAddresses.CLOCK_SET, api::setClock));
      MessageConsumer<JsonObject> posted = vertx.eventBus().consumer(LedgerAddresses.POSTED,
          message -> onPosted(message.body()));
      pollTimer = vertx.setPeriodic(config.pollIntervalMs(), id -> poll());
      List<Future<?>> ready2 = new ArrayList<>(consumers.stream().map(MessageConsumer::completion).toList());
      ready2.add(posted.completion());
      return Future.all(ready2);
    });
  }

  private MessageConsumer<JsonObject> serve(String address,
      Function<JsonObject, Future<JsonObject>> handler) {
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
    posted.posted(entry.getString("user_id"), entry.getString("currency"),
        entry.getLong("amount_minor", 0L) > 0);
  }

  /** Claims due wallets and runs them, a few at a time. */
  private void poll() {
    if (polling) {
      return;
    }
    polling = true;
    clock.refresh()
        .compose(now -> store.claimDue(now, config.batchMax(), config.leaseMs()))
        .compose(this::runAll)
        .onFailure(error -> LOG.warn("Billing poll failed: {}", error.toString()))
        .onComplete(done -> polling = false);
  }

  /**
   * Runs the claimed wallets, {@link #RUNS_IN_FLIGHT_MAX} at a time, and logs one line for the
   * poll when it had any: how many timers ran, and how long they took.
   */
  private Future<Void> runAll(List<String[]> wallets) {
    if (wallets.isEmpty()) {
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    int[] failed = {0};
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < RUNS_IN_FLIGHT_MAX; lane++) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = lane; i < wallets.size(); i += RUNS_IN_FLIGHT_MAX) {
        String[] wallet = wallets.get(i);
        chain = chain.compose(v -> runner.timer(wallet[0], wallet[1]).recover(error -> {
          LOG.warn("Billing run of {} {} failed: {}", wallet[0], wallet[1], error.toString());
          failed[0]++;
          return Future.succeededFuture();
        }));
      }
      lanes.add(chain);
    }
    return Future.all(lanes).onSuccess(done -> LOG.info("Billed {} due wallets in {} ms{}",
            wallets.size() - failed[0], (System.nanoTime() - started) / 1_000_000,
            failed[0] == 0 ? "" : " (" + failed[0] + " failed, retried when their lease ends)"))
        .mapEmpty();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
