package dev.kopek.events;

import dev.kopek.model.Bus;
import dev.kopek.model.billing.BillingAddresses;
import dev.kopek.model.events.EventsAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events and webhooks: publishes committed events on the event bus, delivers them to the webhook
 * endpoints (Standard Webhooks), and serves the endpoints' administration and the event feed on the
 * {@code kopek.webhooks.*} addresses (docs/EVENT-BUS.md, docs/WEBHOOKS.md). The events themselves
 * are written by the ledger, payments and billing, each in the transaction of its fact ({@link
 * EventLog}).
 */
public final class EventsVerticle extends VerticleBase {

  private static final int POOL_SIZE = 4;

  /**
   * HTTP/1 connections per host. Endpoints on one host share the host's connection pool, while the
   * deliverer bounds each endpoint's requests ({@code webhooks.max_in_flight_per_endpoint}); a
   * request it sends must get a connection at once, or its time waiting for one counts against the
   * attempt's timeout and a healthy endpoint fails.
   */
  private static final int CONNECTIONS_PER_HOST = 1_024;

  private static final Logger LOG = LoggerFactory.getLogger(EventsVerticle.class);

  private final Clock baseClock;
  private volatile Instant testNow;
  private boolean testClock;
  private Pool pool;
  private HttpClient client;
  private Deliverer deliverer;
  private BusRelay relay;
  private long timer = -1;

  /** Events on the system clock (or billing's shared test clock when configured). */
  public EventsVerticle() {
    this(Clock.systemUTC());
  }

  /** Events on {@code clock}: when retries fall due, when a rotated secret stops signing. */
  public EventsVerticle(Clock clock) {
    this.baseClock = clock;
  }

  @Override
  public Future<?> start() {
    EventsConfig config;
    try {
      config = EventsConfig.from(config());
    } catch (IllegalArgumentException invalid) {
      return Future.failedFuture(invalid);
    }
    testClock = config.testClock();
    pool =
        PgBuilder.pool()
            .with(
                new io.vertx.sqlclient.PoolOptions().setMaxSize(POOL_SIZE).setName("kopek-events"))
            .connectingTo(
                PgConnectOptions.fromUri(config.databaseUrl()).setCachePreparedStatements(true))
            .using(vertx)
            .build();
    client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setKeepAlive(true)
                    .setForceSni(true)
                    .setVerifyHost(true)
                    .setConnectTimeout((int) config.timeoutMs()))
            .with(new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_HOST))
            .build();
    TargetGuard guard = new TargetGuard(config.allowPrivateTargets());
    deliverer = new Deliverer(vertx, pool, client, guard, this::now, config);
    relay = config.publishOnBus() ? new BusRelay(vertx, pool) : null;
    Endpoints endpoints = new Endpoints(vertx, pool, guard, this::now, config.secretOverlapMs());
    Feed feed = new Feed(pool, this::now);
    List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
    consumers.add(serve(EventsAddresses.ENDPOINT_CREATE, endpoints::create));
    consumers.add(serve(EventsAddresses.ENDPOINTS_LIST, endpoints::list));
    consumers.add(serve(EventsAddresses.ENDPOINT_GET, endpoints::get));
    consumers.add(serve(EventsAddresses.ENDPOINT_UPDATE, endpoints::update));
    consumers.add(serve(EventsAddresses.ENDPOINT_DELETE, endpoints::delete));
    consumers.add(serve(EventsAddresses.ENDPOINT_ROTATE_SECRET, endpoints::rotateSecret));
    consumers.add(serve(EventsAddresses.ENDPOINT_DELIVERIES, feed::deliveries));
    consumers.add(serve(EventsAddresses.EVENTS_LIST, feed::list));
    consumers.add(serve(EventsAddresses.EVENT_GET, feed::get));
    consumers.add(serve(EventsAddresses.EVENT_REDELIVER, feed::redeliver));
    Future<Void> relayStarted = relay == null ? Future.succeededFuture() : relay.start();
    return Future.all(
            relayStarted,
            refreshClock(),
            Future.all(consumers.stream().map(MessageConsumer::completion).toList()))
        .onSuccess(
            v ->
                timer =
                    vertx.setPeriodic(
                        config.pollMs(),
                        id ->
                            refreshClock()
                                .onComplete(
                                    done -> {
                                      if (relay != null) {
                                        relay.round();
                                      }
                                      deliverer.round();
                                    })));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    if (deliverer != null) {
      deliverer.stop();
    }
    Future<Void> relayStopped = relay == null ? Future.succeededFuture() : relay.stop();
    return relayStopped
        .eventually(() -> client == null ? Future.succeededFuture() : client.close())
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }

  /** The events' clock: the base clock, or billing's shared test clock as last read. */
  Instant now() {
    if (testClock && testNow != null) {
      return testNow;
    }
    return baseClock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** With the test clock, reads billing's time (which administrators move). */
  private Future<Void> refreshClock() {
    if (!testClock) {
      return Future.succeededFuture();
    }
    return Bus.request(vertx, BillingAddresses.CLOCK_GET, new JsonObject(), 5_000)
        .map(
            reply -> {
              testNow = Instant.parse(reply.getString("now"));
              return (Void) null;
            })
        .recover(
            error -> {
              LOG.debug("Reading billing's test clock failed: {}", error.toString());
              return Future.succeededFuture();
            });
  }

  private MessageConsumer<JsonObject> serve(
      String address, Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.serve(vertx, address, handler, LOG);
  }
}
