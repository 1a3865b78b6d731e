package dev.kopek.example.sibling;

import dev.kopek.client.LedgerClient;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.server.KopekCluster;
import dev.kopek.server.KopekConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sibling verticle in a JVM of its own, joined to Kopek's cluster with Kopek's own settings
 * ({@code KOPEK_CLUSTER_MEMBERS}, {@code KOPEK_CLUSTER_HOST}, ... or {@code --config FILE}):
 *
 * <pre>
 * java -cp kopek.jar:sibling-verticle.jar dev.kopek.example.sibling.SiblingMain [--config FILE]
 * </pre>
 *
 * <p>With {@code SIBLING_CHARGES=N} it also charges {@code SIBLING_USER}'s wallet N times through
 * the typed ledger client ({@code SIBLING_AMOUNT_MINOR} of {@code SIBLING_CURRENCY} each, up to
 * {@code SIBLING_IN_FLIGHT} at once, each lane pausing {@code SIBLING_PAUSE_MS} between two),
 * resending a charge whose outcome is unknown (timeout, no node serving the ledger) with its
 * idempotency key until it is answered: each lands once.
 */
public final class SiblingMain {

  /** Outcomes after which the charge may or may not have been posted: send it again. */
  private static final Set<ErrorCode> RESEND =
      Set.of(ErrorCode.TIMEOUT, ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL);

  private SiblingMain() {}

  public static void main(String[] args) throws Exception {
    JsonObject config =
        args.length == 2 && "--config".equals(args[0])
            ? KopekConfig.load(java.nio.file.Path.of(args[1]))
            : KopekConfig.load();
    Logger log = LoggerFactory.getLogger(SiblingMain.class);
    Vertx vertx = KopekCluster.join(config).await(120, TimeUnit.SECONDS);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> vertx.close().await(), "sibling-verticle-shutdown"));
    long timeoutMs = config.getJsonObject("ledger").getLong("send_timeout_ms", 5_000L);
    LedgerClient ledger = LedgerClient.create(vertx, timeoutMs);
    vertx.deployVerticle(new SiblingVerticle(ledger)).await(60, TimeUnit.SECONDS);
    log.info(
        "sibling-verticle is running in the cluster (its address: {})", SiblingVerticle.CHARGE);

    Map<String, String> env = System.getenv();
    int charges = Integer.parseInt(env.getOrDefault("SIBLING_CHARGES", "0"));
    if (charges > 0) {
      Load load =
          new Load(
              vertx,
              ledger,
              log,
              env.getOrDefault("SIBLING_USER", "sibling-user"),
              env.getOrDefault("SIBLING_CURRENCY", "USD"),
              Long.parseLong(env.getOrDefault("SIBLING_AMOUNT_MINOR", "1")),
              Long.parseLong(env.getOrDefault("SIBLING_RETRY_FOR_MS", "180000")),
              Long.parseLong(env.getOrDefault("SIBLING_PAUSE_MS", "0")));
      int inFlight = Integer.parseInt(env.getOrDefault("SIBLING_IN_FLIGHT", "4"));
      load.run(charges, inFlight).await();
      log.info(
          "sibling-verticle charged all {} ({} replayed, {} resent)",
          charges,
          load.replayed.get(),
          load.resent.get());
    }
  }

  /** Charges one after another on {@code inFlight} lanes, resending what is not answered. */
  private static final class Load {
    private final Vertx vertx;
    private final LedgerClient ledger;
    private final Logger log;
    private final String user;
    private final String currency;
    private final long amountMinor;
    private final long retryForMs;
    private final long pauseMs;
    private final AtomicInteger next = new AtomicInteger();
    final AtomicInteger replayed = new AtomicInteger();
    final AtomicInteger resent = new AtomicInteger();

    Load(
        Vertx vertx,
        LedgerClient ledger,
        Logger log,
        String user,
        String currency,
        long amountMinor,
        long retryForMs,
        long pauseMs) {
      this.vertx = vertx;
      this.ledger = ledger;
      this.log = log;
      this.user = user;
      this.currency = currency;
      this.amountMinor = amountMinor;
      this.retryForMs = retryForMs;
      this.pauseMs = pauseMs;
    }

    Future<Void> run(int charges, int inFlight) {
      Future<?>[] lanes = new Future<?>[inFlight];
      for (int i = 0; i < inFlight; i++) {
        lanes[i] = lane(charges);
      }
      return Future.all(java.util.List.of(lanes)).mapEmpty();
    }

    private Future<Void> lane(int charges) {
      int order = next.getAndIncrement();
      if (order >= charges) {
        return Future.succeededFuture();
      }
      return charge("load-" + order, System.currentTimeMillis() + retryForMs)
          .compose(
              v ->
                  pauseMs > 0
                      ? vertx.timer(pauseMs).<Void>mapEmpty()
                      : Future.<Void>succeededFuture())
          .compose(v -> lane(charges));
    }

    private Future<Void> charge(String order, long deadline) {
      JsonObject request =
          new JsonObject()
              .put("order_id", order)
              .put("user_id", user)
              .put("amount_minor", amountMinor)
              .put("currency", currency);
      return ledger
          .post(SiblingVerticle.posting(request))
          .compose(
              posted -> {
                if (posted.replayed()) {
                  replayed.incrementAndGet();
                }
                log.info(
                    "sibling-verticle charged {} entry {}{}",
                    order,
                    posted.value().id(),
                    posted.replayed() ? " (replayed)" : "");
                return Future.<Void>succeededFuture();
              },
              error -> {
                Failure failure = Failure.from(error);
                if (!RESEND.contains(failure.code()) || System.currentTimeMillis() > deadline) {
                  log.error("sibling-verticle could not charge {}: {}", order, failure.detail());
                  return Future.failedFuture(error);
                }
                resent.incrementAndGet();
                log.info(
                    "sibling-verticle resending {} after {}", order, failure.code().wireName());
                Promise<Void> later = Promise.promise();
                vertx.setTimer(200, t -> charge(order, deadline).onComplete(later));
                return later.future();
              });
    }
  }
}
