package dev.kopek.access;

import dev.kopek.model.Bus;
import dev.kopek.model.access.AccessAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys and the audit log, on the {@code kopek.access.*} addresses (docs/EVENT-BUS.md). Owns the
 * {@code api_keys} and {@code audit_log} tables (migrations under {@code db/access}). Keys' expiry
 * and grace periods run on the system clock, never on billing's test clock.
 */
public final class AccessVerticle extends VerticleBase {

  private static final int POOL_SIZE = 4;

  private static final Logger LOG = LoggerFactory.getLogger(AccessVerticle.class);

  private final Clock clock;
  private Pool pool;

  public AccessVerticle() {
    this(Clock.systemUTC());
  }

  /** Access on {@code clock}: when keys expire and grace periods end. */
  public AccessVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject db = config().getJsonObject("db", new JsonObject());
    String url = db.getString("url");
    if (url == null || url.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException("db.url is missing"));
    }
    pool =
        PgBuilder.pool()
            .with(
                new io.vertx.sqlclient.PoolOptions().setMaxSize(POOL_SIZE).setName("kopek-access"))
            .connectingTo(PgConnectOptions.fromUri(url).setCachePreparedStatements(true))
            .using(vertx)
            .build();
    ApiKeys keys = new ApiKeys(vertx, pool, this::now);
    Audit audit = new Audit(pool, this::now);
    WebSessions web = new WebSessions(pool, this::now);
    List<MessageConsumer<JsonObject>> consumers =
        List.of(
            serve(AccessAddresses.KEY_CREATE, keys::create),
            serve(AccessAddresses.KEYS_LIST, keys::list),
            serve(AccessAddresses.KEY_REVOKE, keys::revoke),
            serve(AccessAddresses.KEY_ROLL, keys::roll),
            serve(AccessAddresses.KEY_VERIFY, keys::verify),
            serve(AccessAddresses.WEB_LINK_CREATE, web::createLink),
            serve(AccessAddresses.WEB_LINK_REDEEM, web::redeem),
            serve(AccessAddresses.WEB_SESSION_TOUCH, web::touch),
            serve(AccessAddresses.WEB_SESSION_END, web::end),
            serve(AccessAddresses.AUDIT_RECORD, audit::record),
            serve(AccessAddresses.AUDIT_LIST, audit::list));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private MessageConsumer<JsonObject> serve(
      String address, Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.serve(vertx, address, handler, LOG);
  }
}
