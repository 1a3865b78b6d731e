package dev.kopek.payments;

import dev.kopek.model.Bus;
import dev.kopek.model.payments.PaymentsAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Payments: the gateway registry, top-ups, the hosted checkout's back end, provider webhooks,
 * reconciliation of pending payments, and refunds, on the {@code kopek.payments.*} addresses
 * (docs/EVENT-BUS.md). It reaches the ledger only through the ledger's event-bus contract.
 */
public final class PaymentsVerticle extends VerticleBase {

  /** Connections: payments are few compared with ledger entries. */
  private static final int POOL_SIZE = 4;

  private static final Logger LOG = LoggerFactory.getLogger(PaymentsVerticle.class);

  private final Clock clock;
  private Pool pool;
  private GatewayRegistry gateways;
  private GatewayCalls calls;
  private long janitorTimer = -1;

  /** Payments on the system clock. */
  public PaymentsVerticle() {
    this(Clock.systemUTC());
  }

  /** Payments on {@code clock} (checkout expiry, polling schedule). */
  public PaymentsVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    PaymentsConfig config;
    try {
      config = PaymentsConfig.from(config());
      gateways =
          GatewayRegistry.load(
              config.gateways(), clock, Thread.currentThread().getContextClassLoader());
    } catch (IllegalArgumentException invalid) {
      return Future.failedFuture(invalid);
    }
    pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(POOL_SIZE).setName("kopek-payments"))
            .connectingTo(
                PgConnectOptions.fromUri(config.databaseUrl()).setCachePreparedStatements(true))
            .using(vertx)
            .build();
    calls = new GatewayCalls(vertx, config.gatewayTimeoutMs());
    PaymentStore store = new PaymentStore(pool);
    Settlement settlement =
        new Settlement(vertx, store, clock, config.publicUrl(), config.ledgerTimeoutMs());
    Topups topups = new Topups(config, gateways, calls, store, clock);
    Checkouts checkouts = new Checkouts(config, gateways, calls, store, settlement, topups, clock);
    Webhooks webhooks = new Webhooks(gateways, calls, store, settlement, clock);
    Refunds refunds = new Refunds(vertx, gateways, calls, store, topups, clock, config);
    Unmatched unmatched = new Unmatched(store);
    PaymentStats stats = new PaymentStats(pool, topups);
    Janitor janitor =
        new Janitor(config, gateways, calls, store, settlement, topups, refunds, clock);
    janitorTimer = vertx.setPeriodic(config.janitorIntervalMs(), id -> janitor.tick());
    List<MessageConsumer<JsonObject>> consumers =
        List.of(
            serve(PaymentsAddresses.TOPUP_CREATE, topups::create),
            serve(PaymentsAddresses.TOPUP_GET, topups::get),
            serve(PaymentsAddresses.TOPUPS_LIST, topups::list),
            serve(PaymentsAddresses.CHECKOUT_GET, checkouts::get),
            serve(PaymentsAddresses.CHECKOUT_SUBMIT, checkouts::submit),
            serve(PaymentsAddresses.WEBHOOK_RECEIVE, webhooks::receive),
            serve(PaymentsAddresses.REFUND, refunds::refund),
            serve(PaymentsAddresses.UNMATCHED_LIST, unmatched::list),
            serve(PaymentsAddresses.TOPUPS_DAILY, stats::daily),
            serve(PaymentsAddresses.TOPUPS_ATTENTION, stats::attention));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  private MessageConsumer<JsonObject> serve(
      String address, Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.serve(vertx, address, handler, LOG);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(janitorTimer);
    if (calls != null) {
      calls.close();
    }
    if (gateways != null) {
      gateways.close();
    }
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
