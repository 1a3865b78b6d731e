package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.model.Bus;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refunds of succeeded top-ups, by administrators. The wallet is debited first, under the balance
 * guard, so money the user already spent is never refunded (402, nothing sent to the provider).
 * Then the provider refunds. If the provider declines, the debit is reversed by a credit; if it
 * does not answer, nothing is reversed (it may have refunded) and the administrator retries with
 * the same key, which neither debits twice (ledger idempotency) nor refunds twice (the provider's
 * idempotency key is the refund id, derived from the same key).
 */
final class Refunds {

  private static final Logger LOG = LoggerFactory.getLogger(Refunds.class);

  private final Vertx vertx;
  private final GatewayRegistry gateways;
  private final GatewayCalls calls;
  private final PaymentStore store;
  private final Topups topups;
  private final Clock clock;
  private final long ledgerTimeoutMs;

  Refunds(Vertx vertx, GatewayRegistry gateways, GatewayCalls calls, PaymentStore store,
      Topups topups, Clock clock, long ledgerTimeoutMs) {
    this.vertx = vertx;
    this.gateways = gateways;
    this.calls = calls;
    this.store = store;
    this.topups = topups;
    this.clock = clock;
    this.ledgerTimeoutMs = ledgerTimeoutMs;
  }

  Future<JsonObject> refund(JsonObject body) {
    String id = Requests.text(body, "id", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    String key = Requests.text(body, "idempotency_key", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    String adminId = Requests.text(body, "admin_id", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    Object requested = body.getValue("amount_minor");
    String refundKey = "refund:" + adminId + ":" + key;
    String refundId = "re_" + Topups.base32(Topups.sha256(refundKey), 26);
    return store.refundByKey(refundKey).compose(existing -> existing.isPresent()
        ? store.byId(id).map(p -> reply(refundId, existing.get().getLong("amount_minor"), p.orElseThrow(), true))
        : store.byId(id).compose(found -> {
          PaymentRow payment = found.orElseThrow(
              () -> Failure.of(ErrorCode.NOT_FOUND, "no top-up " + id).toException());
          long amount = amount(requested, payment);
          return debit(payment, amount, refundKey)
              .compose(entryId -> providerRefund(payment, amount, refundId, refundKey, entryId)
                  .compose(reference -> store.recordRefund(refundId, payment.id(), amount,
                      refundKey, reference, entryId, adminId, clock.instant())))
              .map(updated -> reply(refundId, amount, updated.orElseThrow(), false));
        }));
  }

  private long amount(Object requested, PaymentRow payment) {
    if (!"succeeded".equals(payment.status())) {
      throw Failure.of(ErrorCode.NOT_REFUNDABLE, "only succeeded top-ups can be refunded; this one is "
          + payment.status()).toException();
    }
    long refundable = payment.amountMinor() - payment.refundedMinor();
    if (requested == null) {
      return refundable;
    }
    if (!(requested instanceof Integer || requested instanceof Long)
        || ((Number) requested).longValue() < 1 || ((Number) requested).longValue() > refundable) {
      throw Failure.invalid("amount_minor", "amount_minor must be from 1 to the refundable "
          + refundable).toException();
    }
    return ((Number) requested).longValue();
  }

  private Future<Long> debit(PaymentRow payment, long amount, String refundKey) {
    PostingRequest debit = new PostingRequest(refundKey + ":debit", payment.userId(),
        payment.currency(), -amount, EntryKind.REFUND,
        "Refund of top-up " + payment.id() + " via " + payment.gateway(), payment.id(),
        "gateway:" + payment.gateway());
    return Bus.request(vertx, LedgerAddresses.POST, debit.toJson(), ledgerTimeoutMs)
        .map(entry -> entry.getLong("id"));
  }

  private Future<String> providerRefund(PaymentRow payment, long amount, String refundId,
      String refundKey, long debitEntryId) {
    Gateway gateway = gateways.find(payment.gateway()).orElseThrow(() -> Failure.of(
        ErrorCode.UNAVAILABLE, "the payment provider " + payment.gateway() + " is not enabled")
        .toException());
    RefundRequest request = new RefundRequest(payment.id(), payment.providerReference(), amount,
        payment.currency(), refundId);
    return calls.call(gateway, "refund", g -> g.refund(request))
        .recover(error -> Future.succeededFuture(new RefundResult.Failed(
            new GatewayFailure(GatewayFailure.Kind.TIMEOUT, String.valueOf(error.getMessage())))))
        .compose(result -> {
          if (result instanceof RefundResult.Refunded refunded) {
            return Future.succeededFuture(refunded.refundReference());
          }
          if (result instanceof RefundResult.Failed failed && failed.failure().retryable()) {
            return Future.failedFuture(Topups.gatewayFailure(failed.failure()).toException());
          }
          String reason = result instanceof RefundResult.Declined declined
              ? declined.code() + ": " + declined.message()
              : ((RefundResult.Failed) result).failure().message();
          LOG.warn("Provider refused refund {} of {}: {}; reversing the debit (entry {})",
              refundId, payment.id(), reason, debitEntryId);
          return reverse(payment, amount, refundKey).compose(v -> Future.failedFuture(
              Failure.of(ErrorCode.GATEWAY_ERROR, "the payment provider refused the refund ("
                  + reason + "); the wallet was not debited").toException()));
        });
  }

  private Future<Void> reverse(PaymentRow payment, long amount, String refundKey) {
    PostingRequest credit = new PostingRequest(refundKey + ":reversal", payment.userId(),
        payment.currency(), amount, EntryKind.REFUND,
        "Refund of top-up " + payment.id() + " refused by " + payment.gateway() + "; reversed",
        payment.id(), "gateway:" + payment.gateway());
    return Bus.request(vertx, LedgerAddresses.POST, credit.toJson(), ledgerTimeoutMs).mapEmpty();
  }

  private JsonObject reply(String refundId, long amount, PaymentRow payment, boolean replayed) {
    return new JsonObject()
        .put("id", refundId)
        .put("amount_minor", amount)
        .put("currency", payment.currency())
        .put("topup", topups.view(payment))
        .put("replayed", replayed);
  }

}
