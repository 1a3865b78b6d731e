package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.StatusResult;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles payments that stay pending (a lost or late webhook, a provider that timed out): asks
 * the provider, with exponential backoff per payment, and settles what it says; starts again the
 * payments whose start had an unknown outcome; then resolves unfinished refunds ({@link
 * Refunds#resolveDue()}). A payment still unpaid a day after its checkout expired is marked
 * expired. Several Kopek processes may run it at once: claiming due payments uses SKIP LOCKED and
 * pushes their next poll out in the same update.
 */
final class Janitor {

  /** Payments claimed per round; the rest wait for the next round. */
  private static final int BATCH_MAX = 50;

  /** How long after its checkout expired an unpaid payment is still polled. */
  private static final Duration EXPIRY_GRACE = Duration.ofDays(1);

  private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);

  private final PaymentsConfig config;
  private final GatewayRegistry gateways;
  private final GatewayCalls calls;
  private final PaymentStore store;
  private final Settlement settlement;
  private final Topups topups;
  private final Refunds refunds;
  private final Clock clock;
  private boolean running;

  Janitor(
      PaymentsConfig config,
      GatewayRegistry gateways,
      GatewayCalls calls,
      PaymentStore store,
      Settlement settlement,
      Topups topups,
      Refunds refunds,
      Clock clock) {
    this.config = config;
    this.gateways = gateways;
    this.calls = calls;
    this.store = store;
    this.settlement = settlement;
    this.topups = topups;
    this.refunds = refunds;
    this.clock = clock;
  }

  /** One round; a round still running when the timer fires again is not overlapped. */
  void tick() {
    if (running) {
      return;
    }
    running = true;
    store
        .claimDueForPoll(
            clock.instant(), BATCH_MAX, config.pollAfterMs(), config.pollIntervalMaxMs())
        .compose(this::pollAll)
        .onFailure(error -> LOG.warn("Reconciling pending payments failed: {}", error.toString()))
        .transform(polled -> refunds.resolveDue())
        .onFailure(error -> LOG.warn("Resolving unfinished refunds failed: {}", error.toString()))
        .onComplete(done -> running = false);
  }

  private Future<Void> pollAll(List<PaymentRow> due) {
    Future<Void> chain = Future.succeededFuture();
    for (PaymentRow payment : due) {
      chain =
          chain.compose(
              v ->
                  poll(payment)
                      .recover(
                          error -> {
                            LOG.warn(
                                "Polling payment {} failed: {}", payment.id(), error.toString());
                            return Future.succeededFuture();
                          }));
    }
    return chain;
  }

  private Future<Void> poll(PaymentRow payment) {
    Gateway gateway = gateways.find(payment.gateway()).orElse(null);
    if (gateway == null) {
      return Future.succeededFuture();
    }
    if (!payment.checkoutStarted()) {
      // Its start had an unknown outcome: start it again with the same key, or expire it.
      return topups
          .resume(payment)
          .<Void>mapEmpty()
          .recover(error -> expireIfAbandoned(payment, PaymentOutcome.UNKNOWN));
    }
    return calls
        .call(
            gateway,
            "fetchStatus",
            payment.id(),
            g -> g.fetchStatus(payment.id(), payment.providerReference()),
            StatusResult.Failed::new)
        .compose(
            result -> {
              if (result instanceof StatusResult.Known known) {
                LOG.info(
                    "Polled payment {}: {}",
                    payment.id(),
                    known.outcome().getClass().getSimpleName());
                return settlement
                    .apply(payment, known.outcome(), known.amountMinor(), known.currency(), "poll")
                    .compose(settled -> expireIfAbandoned(settled, known.outcome()));
              }
              return expireIfAbandoned(payment, PaymentOutcome.UNKNOWN);
            });
  }

  private Future<Void> expireIfAbandoned(PaymentRow payment, PaymentOutcome outcome) {
    Instant giveUp = payment.checkoutExpiresAt().plus(EXPIRY_GRACE);
    if (payment.isPending() && !outcome.isFinal() && clock.instant().isAfter(giveUp)) {
      return settlement.expire(payment).mapEmpty();
    }
    return Future.succeededFuture();
  }
}
