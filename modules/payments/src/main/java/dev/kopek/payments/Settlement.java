package dev.kopek.payments;

import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.model.Bus;
import dev.kopek.model.events.EventTypes;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.payments.PaymentsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what a provider says about a payment, from whichever source (webhook, form post, poll),
 * in any order and any number of times, with the same result: a succeeded payment is credited
 * exactly once, because the ledger command's idempotency key is derived from the payment id, and
 * the status only moves forward (succeeded is final).
 */
final class Settlement {

  private static final Logger LOG = LoggerFactory.getLogger(Settlement.class);

  private final Vertx vertx;
  private final PaymentStore store;
  private final Clock clock;
  private final String publicUrl;
  private final long ledgerTimeoutMs;

  Settlement(Vertx vertx, PaymentStore store, Clock clock, String publicUrl, long ledgerTimeoutMs) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.publicUrl = publicUrl;
    this.ledgerTimeoutMs = ledgerTimeoutMs;
  }

  /**
   * Applies {@code outcome}, reported with {@code amountMinor} and {@code currency}, to the
   * payment; returns the payment as it stands afterwards.
   */
  Future<PaymentRow> apply(
      PaymentRow payment,
      PaymentOutcome outcome,
      long amountMinor,
      String currency,
      String source) {
    if (outcome instanceof PaymentOutcome.Succeeded) {
      if (amountMinor != payment.amountMinor() || !payment.currency().equalsIgnoreCase(currency)) {
        return flag(
            payment,
            "the provider reports "
                + amountMinor
                + " "
                + currency
                + " for a payment of "
                + payment.amountMinor()
                + " "
                + payment.currency()
                + " ("
                + source
                + ")");
      }
      return succeed(payment, source);
    }
    if (outcome instanceof PaymentOutcome.Declined declined) {
      return store
          .markFailed(
              payment.id(),
              declined.code(),
              clock.instant(),
              PaymentEvents.topupFailed(publicUrl, clock.instant()))
          .map(updated -> publishIfChanged(updated, PaymentsAddresses.FAILED).orElse(payment));
    }
    return Future.succeededFuture(payment);
  }

  private Future<PaymentRow> succeed(PaymentRow payment, String source) {
    if (!payment.isPending()
        && !"failed".equals(payment.status())
        && !"expired".equals(payment.status())) {
      return Future.succeededFuture(payment);
    }
    PostingRequest credit =
        new PostingRequest(
            "topup:" + payment.id(),
            payment.userId(),
            payment.currency(),
            payment.amountMinor(),
            EntryKind.TOPUP,
            "Top-up via "
                + payment.gateway()
                + (payment.providerReference() == null
                    ? ""
                    : " (" + payment.providerReference() + ")"),
            payment.id(),
            "gateway:" + payment.gateway());
    return Bus.request(vertx, LedgerAddresses.POST, credit.toJson(), ledgerTimeoutMs)
        .compose(
            entry ->
                store.markSucceeded(
                    payment.id(),
                    entry.getLong("id"),
                    clock.instant(),
                    PaymentEvents.topup(EventTypes.TOPUP_SUCCEEDED, publicUrl, clock.instant())))
        .compose(
            updated -> {
              if (updated.isPresent()) {
                LOG.info(
                    "Payment {} succeeded ({}): credited {} {} to {}",
                    payment.id(),
                    source,
                    payment.amountMinor(),
                    payment.currency(),
                    payment.userId());
                return Future.succeededFuture(
                    publishIfChanged(updated, PaymentsAddresses.SUCCEEDED).orElseThrow());
              }
              return store.byId(payment.id()).map(Optional::orElseThrow);
            });
  }

  private Future<PaymentRow> flag(PaymentRow payment, String reason) {
    LOG.error(
        "PAYMENT FLAGGED, NOT CREDITED: {} of user {}: {}. Investigate with the provider "
            + "before crediting by hand.",
        payment.id(),
        payment.userId(),
        reason);
    return store
        .markFlagged(
            payment.id(),
            reason,
            clock.instant(),
            PaymentEvents.topup(EventTypes.TOPUP_FLAGGED, publicUrl, clock.instant()))
        .map(updated -> publishIfChanged(updated, PaymentsAddresses.FAILED).orElse(payment));
  }

  /** Marks a payment nobody paid as expired. */
  Future<PaymentRow> expire(PaymentRow payment) {
    return store
        .markExpired(
            payment.id(), clock.instant(), PaymentEvents.topupFailed(publicUrl, clock.instant()))
        .map(updated -> publishIfChanged(updated, PaymentsAddresses.FAILED).orElse(payment));
  }

  private Optional<PaymentRow> publishIfChanged(Optional<PaymentRow> updated, String address) {
    updated.ifPresent(row -> vertx.eventBus().publish(address, row.toTopup(publicUrl).toJson()));
    return updated;
  }
}
