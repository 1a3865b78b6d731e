package dev.kopek.ledger;

import dev.kopek.model.Bus;
import dev.kopek.model.Currencies;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.LocalObjects;
import dev.kopek.model.Requests;
import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostedEntry;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.UserPage;
import dev.kopek.model.ledger.UserQuery;
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
import io.vertx.sqlclient.Tuple;
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

  /**
   * The writer holds one connection at a time (one batch in flight); a second one stands by for
   * when the first is being replaced.
   */
  private static final int WRITER_CONNECTIONS = 2;

  private Pool pool;
  private Pool writerPool;
  private LedgerWriter writer;
  private LedgerQueries queries;
  private LedgerVerifier verifier;
  private BalanceAlerts alerts;

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
      alerts = BalanceAlerts.from(config());
    } catch (IllegalArgumentException invalid) {
      return Future.failedFuture(invalid);
    }
    pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(config.poolSize()).setName("kopek-ledger"))
            .connectingTo(readerOptions(new PgConnectOptions(connectOptions)))
            .using(vertx)
            .build();
    writerPool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(WRITER_CONNECTIONS).setName("kopek-ledger-writer"))
            .connectingTo(writerOptions(new PgConnectOptions(connectOptions)))
            .using(vertx)
            .build();
    writer =
        new LedgerWriter(
            writerPool,
            clock,
            config.batchMax(),
            config.queueMax(),
            alerts,
            entry -> vertx.eventBus().publish(LedgerAddresses.POSTED, entry.toJson()));
    queries = new LedgerQueries(pool);
    verifier = new LedgerVerifier(pool);
    LedgerStats stats = new LedgerStats(pool);
    LocalObjects.register(vertx);
    List<MessageConsumer<?>> consumers =
        List.of(
            Bus.serve(
                vertx,
                LedgerAddresses.POST,
                this::post,
                PostingRequest.class,
                this::postLocal,
                LOG),
            serve(LedgerAddresses.POST_BATCH, this::postBatch),
            serve(LedgerAddresses.WALLETS_LIST, this::wallets),
            serve(LedgerAddresses.WALLET_GET, this::wallet),
            serve(LedgerAddresses.WALLETS_GET, this::walletsGet),
            serve(LedgerAddresses.ENTRIES_LIST, this::entries),
            serve(
                LedgerAddresses.USERS_LIST,
                body -> queries.users(UserQuery.fromJson(body)).map(UserPage::toJson)),
            serve(LedgerAddresses.WALLET_ALERTS_GET, this::walletAlerts),
            serve(LedgerAddresses.WALLET_ALERTS_SET, this::setWalletAlerts),
            serve(
                LedgerAddresses.VERIFY,
                body -> verifier.verify().compose(r -> stats.recorded(r, clock.instant()))),
            serve(LedgerAddresses.VERIFY_LAST, stats::lastVerify),
            serve(LedgerAddresses.DAILY_SUMS, stats::dailySums),
            serve(
                LedgerAddresses.HEALTH,
                body -> queries.ping().map(v -> new JsonObject().put("status", "UP"))));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  /** A wallet's balance threshold: its own (or null) and its currency's default. */
  private Future<JsonObject> walletAlerts(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String currency = Requests.currency(body);
    return pool.preparedQuery(LedgerSql.SELECT_WALLET_ALERTS)
        .execute(Tuple.of(userId, currency))
        .map(
            rows ->
                alertsView(
                    userId,
                    currency,
                    rows.size() == 0 ? null : rows.iterator().next().getLong("balance_low_minor")));
  }

  /** Sets a wallet's own balance threshold ({@code balance_low_minor}: null clears it). */
  private Future<JsonObject> setWalletAlerts(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String currency = Requests.currency(body);
    if (!body.containsKey("balance_low_minor")) {
      throw Failure.invalid(
              "balance_low_minor",
              "balance_low_minor is required: minor units, or null for the currency's default")
          .toException();
    }
    Object value = body.getValue("balance_low_minor");
    Long threshold = null;
    if (value != null) {
      if (!(value instanceof Integer || value instanceof Long)
          || ((Number) value).longValue() < 0
          || ((Number) value).longValue() > Limits.AMOUNT_MINOR_MAX) {
        throw Failure.invalid(
                "balance_low_minor",
                "balance_low_minor must be an integer from 0 to "
                    + Limits.AMOUNT_MINOR_MAX
                    + ", or null")
            .toException();
      }
      threshold = ((Number) value).longValue();
    }
    return pool.preparedQuery(LedgerSql.UPSERT_WALLET_ALERTS)
        .execute(Tuple.of(userId, currency, threshold))
        .map(
            rows ->
                alertsView(userId, currency, rows.iterator().next().getLong("balance_low_minor")));
  }

  private JsonObject alertsView(String userId, String currency, Long own) {
    return new JsonObject()
        .put("user_id", userId)
        .put("currency", currency)
        .put("balance_low_minor", own)
        .put("default_balance_low_minor", alerts.defaultFor(currency));
  }

  /**
   * The reads' connections (balances, the log, the verifier) plan every execution for the tables as
   * they are now. A cached generic plan made while a table was small (a new installation, a bulk
   * load) keeps its sequential scan after the table has grown, until autovacuum next analyzes it:
   * measured, a billing run slowed from 5,000 to 1,700 wallets/s and debits by half.
   */
  static PgConnectOptions readerOptions(PgConnectOptions options) {
    return options
        .setCachePreparedStatements(true)
        .addProperty("plan_cache_mode", "force_custom_plan")
        .setPipeliningLimit(256);
  }

  /**
   * The writer's connections plan each of its statements once (generic plans), and may only look
   * rows up by index: every writer statement reaches its rows through a unique index (accounts by
   * key or id, entries by idempotency key). With sequential scans, hash joins and merge joins off,
   * the planner takes those index lookups whatever the statistics say, and a plan made while the
   * tables were tiny (where scanning all of a table, or all of an index for a hash join, is the
   * cheapest) stays right as they grow (LedgerPlansTest). Measured with pg_stat_statements,
   * planning was a quarter of the writer's database time per batch under custom plans.
   */
  static PgConnectOptions writerOptions(PgConnectOptions options) {
    return options
        .setCachePreparedStatements(true)
        .addProperty("plan_cache_mode", "force_generic_plan")
        .addProperty("enable_seqscan", "off")
        .addProperty("enable_hashjoin", "off")
        .addProperty("enable_mergejoin", "off")
        .setPipeliningLimit(256);
  }

  @Override
  public Future<?> stop() {
    return Future.all(
        pool == null ? Future.succeededFuture() : pool.close(),
        writerPool == null ? Future.succeededFuture() : writerPool.close());
  }

  private MessageConsumer<JsonObject> serve(
      String address, Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.serve(vertx, address, handler, LOG);
  }

  private Future<JsonObject> post(JsonObject body) {
    return postLocal(PostingRequest.fromJson(body))
        .map(posted -> posted.entry().toJson().put("replayed", posted.replayed()));
  }

  /**
   * A posting sent as the record by a verticle of this process (the HTTP API): no JSON either way.
   * The record was validated when it was made, as {@link PostingRequest#fromJson} validates.
   */
  private Future<PostedEntry> postLocal(PostingRequest request) {
    return writer
        .submit(request)
        .compose(
            outcome -> {
              if (outcome instanceof Outcome.Posted posted) {
                return Future.succeededFuture(new PostedEntry(posted.entry(), posted.replayed()));
              }
              return Future.failedFuture(((Outcome.Rejected) outcome).failure().toException());
            });
  }

  /**
   * Each posting is validated alone, so one malformed posting cannot fail the others; with {@code
   * "atomic": true} the postings are posted all or none (one refusal refuses them all).
   */
  private Future<JsonObject> postBatch(JsonObject body) {
    if (body.containsKey("groups")) {
      return postGroups(body);
    }
    JsonArray postings = body.getJsonArray("postings");
    if (postings == null
        || postings.isEmpty()
        || postings.size() > Limits.POSTINGS_PER_REQUEST_MAX) {
      throw Failure.invalid(
              "postings",
              "postings must be a list of 1 to " + Limits.POSTINGS_PER_REQUEST_MAX + " postings")
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
      return writer
          .submitAtomic(requests)
          .map(
              results ->
                  new JsonObject()
                      .put(
                          "results",
                          new JsonArray(results.stream().map(r -> (Object) r.toJson()).toList())));
    }
    List<Future<Outcome>> outcomes =
        writer.together(
            () -> {
              List<Future<Outcome>> queued = new ArrayList<>(postings.size());
              for (Object posting : postings) {
                queued.add(submitValidated(posting));
              }
              return queued;
            });
    return Future.join(outcomes)
        .map(
            all ->
                new JsonObject()
                    .put(
                        "results",
                        new JsonArray(
                            outcomes.stream().map(f -> (Object) f.result().toJson()).toList())));
  }

  /**
   * Independent atomic groups in one request: each group is posted all or none on its own, so a
   * group refused (or malformed) leaves the others untouched. They are queued together, so the
   * writer commits them in as few batches as its cap allows.
   */
  private Future<JsonObject> postGroups(JsonObject body) {
    if (body.containsKey("postings")) {
      throw Failure.invalid("groups", "send either postings or groups, not both").toException();
    }
    if (!(body.getValue("groups") instanceof JsonArray groups) || groups.isEmpty()) {
      throw Failure.invalid(
              "groups",
              "groups must be a list of 1 to "
                  + Limits.POSTINGS_PER_REQUEST_MAX
                  + " postings in total, in non-empty lists")
          .toException();
    }
    int total = 0;
    for (Object group : groups) {
      if (!(group instanceof JsonArray postings) || postings.isEmpty()) {
        throw Failure.invalid("groups", "each group must be a non-empty list of postings")
            .toException();
      }
      total += postings.size();
    }
    if (total > Limits.POSTINGS_PER_REQUEST_MAX) {
      throw Failure.invalid(
              "groups",
              "groups must hold at most " + Limits.POSTINGS_PER_REQUEST_MAX + " postings in total")
          .toException();
    }
    List<Future<JsonArray>> replies =
        writer.together(
            () -> {
              List<Future<JsonArray>> queued = new ArrayList<>(groups.size());
              for (Object group : groups) {
                queued.add(submitGroup((JsonArray) group));
              }
              return queued;
            });
    return Future.all(replies)
        .map(
            all ->
                new JsonObject()
                    .put(
                        "groups",
                        new JsonArray(replies.stream().map(f -> (Object) f.result()).toList())));
  }

  /** One group of {@link #postGroups}: all or none; a malformed posting refuses its group alone. */
  private Future<JsonArray> submitGroup(JsonArray postings) {
    List<PostingRequest> requests = new ArrayList<>(postings.size());
    try {
      for (Object posting : postings) {
        if (!(posting instanceof JsonObject json)) {
          throw Failure.invalid("groups", "each posting must be an object").toException();
        }
        requests.add(PostingRequest.fromJson(json));
      }
    } catch (Failure.FailureException invalid) {
      JsonObject refused = new Outcome.Rejected(invalid.failure()).toJson();
      JsonArray results = new JsonArray();
      postings.forEach(p -> results.add(refused.copy()));
      return Future.succeededFuture(results);
    }
    return writer
        .submitAtomic(requests)
        .map(results -> new JsonArray(results.stream().map(r -> (Object) r.toJson()).toList()));
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
    return queries
        .wallets(userId)
        .map(
            list ->
                new JsonObject()
                    .put(
                        "data",
                        new JsonArray(list.stream().map(w -> (Object) w.toJson()).toList())));
  }

  private Future<JsonObject> wallet(JsonObject body) {
    String userId = requireUser(body);
    String currency =
        Currencies.checked(
            "currency", body.getValue("currency") instanceof String code ? code : null);
    return queries.wallet(userId, currency).map(Wallet::toJson);
  }

  /** Several wallets' balances in one read: {@code {"wallets":[{"user_id","currency"}...]}}. */
  private Future<JsonObject> walletsGet(JsonObject body) {
    if (!(body.getValue("wallets") instanceof JsonArray wallets)
        || wallets.isEmpty()
        || wallets.size() > Limits.POSTINGS_PER_REQUEST_MAX) {
      throw Failure.invalid(
              "wallets",
              "wallets must be a list of 1 to "
                  + Limits.POSTINGS_PER_REQUEST_MAX
                  + " {\"user_id\", \"currency\"} objects")
          .toException();
    }
    List<String> userIds = new ArrayList<>(wallets.size());
    List<String> currencies = new ArrayList<>(wallets.size());
    for (Object item : wallets) {
      if (!(item instanceof JsonObject wallet)) {
        throw Failure.invalid("wallets", "each wallet must be an object").toException();
      }
      userIds.add(requireUser(wallet));
      currencies.add(
          Currencies.checked(
              "currency", wallet.getValue("currency") instanceof String code ? code : null));
    }
    return queries
        .wallets(userIds, currencies)
        .map(
            list ->
                new JsonObject()
                    .put(
                        "data",
                        new JsonArray(list.stream().map(w -> (Object) w.toJson()).toList())));
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
