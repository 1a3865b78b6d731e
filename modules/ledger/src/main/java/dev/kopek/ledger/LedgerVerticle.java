package dev.kopek.ledger;

import dev.kopek.model.Bus;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.Wallet;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
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
 * The ledger: wallets, postings under the balance guard, and the transaction log, served on the
 * {@code kopek.ledger.*} addresses (see {@link LedgerAddresses} and docs/EVENT-BUS.md). Deploy one
 * instance per process: its writer group-commits everything the process posts.
 */
public final class LedgerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LedgerVerticle.class);

  private final Clock clock;
  private Pool pool;
  private LedgerWriter writer;
  private LedgerQueries queries;
  private LedgerVerifier verifier;

  /** A ledger stamping entries with the system clock. */
  public LedgerVerticle() {
    this(Clock.systemUTC());
  }

  /** A ledger stamping entries with {@code clock}. */
  public LedgerVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    LedgerConfig config;
    PgConnectOptions connectOptions;
    try {
      config = LedgerConfig.from(config());
      connectOptions = config.connectOptions();
    } catch (IllegalArgumentException invalid) {
      return Future.failedFuture(invalid);
    }
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize()).setName("kopek-ledger"))
        .connectingTo(connectOptions
            .setCachePreparedStatements(true)
            .setPipeliningLimit(256))
        .using(vertx)
        .build();
    writer = new LedgerWriter(pool, clock, config.batchMax(),
        entry -> vertx.eventBus().publish(LedgerAddresses.POSTED, entry.toJson()));
    queries = new LedgerQueries(pool);
    verifier = new LedgerVerifier(pool);
    List<MessageConsumer<JsonObject>> consumers = List.of(
        serve(LedgerAddresses.POST, this::post),
        serve(LedgerAddresses.POST_BATCH, this::postBatch),
        serve(LedgerAddresses.WALLETS_LIST, this::wallets),
        serve(LedgerAddresses.WALLET_GET, this::wallet),
        serve(LedgerAddresses.ENTRIES_LIST, this::entries),
        serve(LedgerAddresses.VERIFY, body -> verifier.verify().map(r -> r.toJson())),
        serve(LedgerAddresses.HEALTH, body -> queries.ping()
            .map(v -> new JsonObject().put("status", "UP"))));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private MessageConsumer<JsonObject> serve(String address,
      Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.serve(vertx, address, handler, LOG);
  }

  private Future<JsonObject> post(JsonObject body) {
    return writer.submit(PostingRequest.fromJson(body)).compose(outcome -> {
      if (outcome instanceof Outcome.Posted posted) {
        return Future.succeededFuture(posted.entry().toJson().put("replayed", posted.replayed()));
      }
      return Future.failedFuture(((Outcome.Rejected) outcome).failure().toException());
    });
  }

  /**
   * Each posting is validated alone, so one malformed posting cannot fail the others; with
   * {@code "atomic": true} the postings are posted all or none (one refusal refuses them all).
   */
  private Future<JsonObject> postBatch(JsonObject body) {
    JsonArray postings = body.getJsonArray("postings");
    if (postings == null || postings.isEmpty() || postings.size() > 10_000) {
      throw Failure.invalid("postings", "postings must be a list of 1 to 10000 postings")
          .toException();
    }
    if (body.getBoolean("atomic", false)) {
      List<PostingRequest> requests = new ArrayList<>(postings.size());
      for (Object posting : postings) {
        if (!(posting instanceof JsonObject json)) {
          throw Failure.invalid("postings", "each posting must be an object").toException();
        }
        requests.add(PostingRequest.fromJson(json));
      }
      return writer.submitAtomic(requests).map(results -> new JsonObject().put("results",
          new JsonArray(results.stream().map(r -> (Object) r.toJson()).toList())));
    }
    List<Future<Outcome>> outcomes = new ArrayList<>(postings.size());
    for (Object posting : postings) {
      outcomes.add(submitValidated(posting));
    }
    return Future.join(outcomes).map(all -> new JsonObject().put("results",
        new JsonArray(outcomes.stream().map(f -> (Object) f.result().toJson()).toList())));
  }

  private Future<Outcome> submitValidated(Object posting) {
    try {
      if (!(posting instanceof JsonObject json)) {
        throw Failure.invalid("postings", "each posting must be an object").toException();
      }
      return writer.submit(PostingRequest.fromJson(json));
    } catch (Failure.FailureException invalid) {
      return Future.succeededFuture(new Outcome.Rejected(invalid.failure()));
    }
  }

  private Future<JsonObject> wallets(JsonObject body) {
    String userId = requireUser(body);
    return queries.wallets(userId).map(list -> new JsonObject().put("data",
        new JsonArray(list.stream().map(w -> (Object) w.toJson()).toList())));
  }

  private Future<JsonObject> wallet(JsonObject body) {
    String userId = requireUser(body);
    String currency = body.getString("currency");
    if (dev.kopek.model.Currencies.find(currency).isEmpty()) {
      throw Failure.invalid("currency", "currency must be an ISO 4217 code such as USD")
          .toException();
    }
    return queries.wallet(userId, currency).map(Wallet::toJson);
  }

  private Future<JsonObject> entries(JsonObject body) {
    return queries.entries(EntryQuery.fromJson(body)).map(EntryPage::toJson);
  }

  private static String requireUser(JsonObject body) {
    Object userId = body.getValue("user_id");
    if (!(userId instanceof String id) || id.isBlank()) {
      throw Failure.invalid("user_id", "user_id is required").toException();
    }
    return id;
  }
}
