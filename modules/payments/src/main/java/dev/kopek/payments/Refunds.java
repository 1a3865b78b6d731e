package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.model.Bus;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Hashes;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import dev.kopek.model.events.EventTypes;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refunds of succeeded top-ups, by administrators, as a durable state machine (the states are
 * described in the payments V2 migration). Each step is recorded before the next one starts, so
 * that whatever fails — the ledger, the provider, the process — the refund's row says what to do
 * next, and the request's retry or the janitor does it:
 *
 * <ol>
 *   <li>The refund is opened under the payment's row lock and measured against it: refunds that are
 *       open or done never hold more than was paid.
 *   <li>The wallet is debited under the balance guard (money already spent is never refunded: 402,
 *       nothing sent), under a ledger key of the refund's attempt.
 *   <li>The provider is asked to refund, with the refund's id as its idempotency key (with the
 *       attempt appended after the first). A refund the provider made succeeds; one it refused for
 *       certain is reversed by a credit; an answer Kopek did not get or could not read leaves the
 *       refund {@code unknown}, which is resolved by looking the refund up at the provider or
 *       sending it again with the same key — never by reversing, since the provider may have
 *       refunded.
 * </ol>
 *
 * So for every refund the provider holds there is exactly one net debit, and no reversed debit has
 * a refund at the provider. A retry of a refund whose attempt ended with nothing refunded (refused
 * and reversed, or rejected for insufficient funds) starts a new attempt, with a new debit under a
 * new ledger key. Only one actor drives a refund at a time: a lease on its row, longer than the
 * longest step, taken by the request or by the janitor.
 */
final class Refunds {

  /** Unfinished refunds the janitor takes per round. */
  private static final int RESOLVE_BATCH_MAX = 20;

  private static final Logger LOG = LoggerFactory.getLogger(Refunds.class);

  private final Vertx vertx;
  private final GatewayRegistry gateways;
  private final GatewayCalls calls;
  private final PaymentStore store;
  private final Topups topups;
  private final Clock clock;
  private final long ledgerTimeoutMs;
  private final Duration lease;
  private final long retryAfterMs;
  private final long retryAfterMaxMs;

  Refunds(
      Vertx vertx,
      GatewayRegistry gateways,
      GatewayCalls calls,
      PaymentStore store,
      Topups topups,
      Clock clock,
      PaymentsConfig config) {
    this.vertx = vertx;
    this.gateways = gateways;
    this.calls = calls;
    this.store = store;
    this.topups = topups;
    this.clock = clock;
    this.ledgerTimeoutMs = config.ledgerTimeoutMs();
    // Longer than the longest drive: a debit, a lookup, a refund call and a reversal.
    this.lease =
        Duration.ofMillis(2 * config.gatewayTimeoutMs() + 3 * config.ledgerTimeoutMs() + 5_000);
    this.retryAfterMs = config.pollAfterMs();
    this.retryAfterMaxMs = config.pollIntervalMaxMs();
  }

  /**
   * The request: opens the refund (or continues or restarts it) and drives it as far as it goes.
   */
  Future<JsonObject> refund(JsonObject body) {
    String id = Requests.text(body, "id", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    String key = Requests.text(body, "idempotency_key", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    String adminId = Requests.text(body, "admin_id", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    Long requested = requestedAmount(body.getValue("amount_minor"));
    String refundKey = "refund:" + adminId + ":" + key;
    String refundId = "re_" + Topups.base32(Hashes.sha256(refundKey), 26);
    return store
        .refundByKey(refundKey)
        .compose(
            existing -> {
              if (existing.isEmpty()) {
                return open(refundId, id, refundKey, requested, adminId, null);
              }
              RefundRow refund = existing.get();
              if (!sameRequest(refund, id, requested)) {
                return Future.failedFuture(
                    Failure.of(
                            ErrorCode.IDEMPOTENCY_CONFLICT,
                            "the idempotency "
                                + "key was already used for another refund; use a new key for a new refund")
                        .toException());
              }
              if (RefundRow.SUCCEEDED.equals(refund.status())) {
                return reply(refund, true);
              }
              if (refund.endedWithoutRefund()) {
                return open(refundId, id, refundKey, requested, adminId, refund);
              }
              Instant now = clock.instant();
              return store
                  .leaseRefund(refund.id(), now.plus(lease), now)
                  .compose(
                      leased ->
                          leased
                              .map(this::driveAndReply)
                              .orElseGet(
                                  () ->
                                      Future.failedFuture(
                                          Failure.of(
                                                  ErrorCode.IDEMPOTENCY_IN_PROGRESS,
                                                  "refund "
                                                      + refund.id()
                                                      + " is being processed right now; retry with the same "
                                                      + "Idempotency-Key in a few seconds")
                                              .toException())));
            });
  }

  private static Long requestedAmount(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1) {
      throw Failure.invalid("amount_minor", "amount_minor must be a positive integer")
          .toException();
    }
    return ((Number) value).longValue();
  }

  /** Whether a repeat names the same top-up and amount as the refund the key opened. */
  private static boolean sameRequest(RefundRow refund, String paymentId, Long requested) {
    if (!refund.paymentId().equals(paymentId)) {
      return false;
    }
    if (refund.requestedMinor() != null) {
      return refund.requestedMinor().equals(requested);
    }
    // "Everything refundable", or a refund recorded before requests were kept: its amount.
    return requested == null || requested == refund.amountMinor();
  }

  private Future<JsonObject> open(
      String refundId,
      String paymentId,
      String refundKey,
      Long requested,
      String adminId,
      RefundRow restart) {
    Instant now = clock.instant();
    return store
        .openRefund(
            refundId,
            paymentId,
            refundKey,
            requested,
            adminId,
            restart,
            now.plus(lease),
            now,
            (payment, held) -> measure(payment, held, requested))
        .compose(
            opened ->
                opened
                    .map(this::driveAndReply)
                    // A concurrent request with the same key opened it first: answer what it holds.
                    .orElseGet(
                        () ->
                            store
                                .refundByKey(refundKey)
                                .compose(
                                    found -> {
                                      RefundRow refund = found.orElseThrow();
                                      return RefundRow.SUCCEEDED.equals(refund.status())
                                          ? reply(refund, true)
                                          : Future.failedFuture(
                                              Failure.of(
                                                      ErrorCode.IDEMPOTENCY_IN_PROGRESS,
                                                      "refund "
                                                          + refund.id()
                                                          + " is being processed right now; retry with the same "
                                                          + "Idempotency-Key in a few seconds")
                                                  .toException());
                                    })));
  }

  /** The amount to refund: what was asked, within what the payment still holds. */
  private static long measure(PaymentRow payment, long held, Long requested) {
    if ("refunded".equals(payment.status())) {
      throw Failure.of(ErrorCode.NOT_REFUNDABLE, "top-up " + payment.id() + " is refunded in full")
          .toException();
    }
    if (!"succeeded".equals(payment.status())) {
      throw Failure.of(
              ErrorCode.NOT_REFUNDABLE,
              "only succeeded top-ups can be refunded; " + payment.id() + " is " + payment.status())
          .toException();
    }
    long refundable = payment.amountMinor() - held;
    if (refundable <= 0) {
      throw Failure.of(
              ErrorCode.NOT_REFUNDABLE,
              "nothing of top-up "
                  + payment.id()
                  + " is left to refund: "
                  + held
                  + " of "
                  + payment.amountMinor()
                  + " "
                  + payment.currency()
                  + " is refunded or being refunded")
          .toException();
    }
    if (requested == null) {
      return refundable;
    }
    if (requested > refundable) {
      throw Failure.invalid(
              "amount_minor",
              "amount_minor must be from 1 to the refundable "
                  + refundable
                  + " ("
                  + held
                  + " of "
                  + payment.amountMinor()
                  + " "
                  + payment.currency()
                  + " is refunded or being refunded)")
          .toException();
    }
    return requested;
  }

  private Future<JsonObject> driveAndReply(RefundRow refund) {
    return payment(refund)
        .compose(payment -> drive(refund, payment, clock.instant().plus(lease)))
        .compose(driven -> reply(driven, false));
  }

  /**
   * Resolves the unfinished refunds that are due: those whose answer was lost, and those whose
   * driver stopped (a crash, a ledger that did not answer) and whose lease has run out.
   */
  Future<Void> resolveDue() {
    Instant now = clock.instant();
    Instant leaseUntil = now.plus(lease);
    return store
        .claimRefundsDue(now, leaseUntil, RESOLVE_BATCH_MAX, retryAfterMs, retryAfterMaxMs)
        .compose(
            due -> {
              Future<Void> chain = Future.succeededFuture();
              for (RefundRow refund : due) {
                chain =
                    chain.compose(
                        v ->
                            payment(refund)
                                .compose(payment -> drive(refund, payment, leaseUntil))
                                .<Void>mapEmpty()
                                .recover(
                                    error -> {
                                      LOG.warn(
                                          "Resolving refund {} ({}) failed for now: {}",
                                          refund.id(),
                                          refund.status(),
                                          Failure.from(error).detail());
                                      return Future.succeededFuture();
                                    }));
              }
              return chain;
            });
  }

  private Future<PaymentRow> payment(RefundRow refund) {
    return store
        .byId(refund.paymentId())
        .map(
            found ->
                found.orElseThrow(
                    () ->
                        new IllegalStateException(
                            "refund " + refund.id() + " names no payment " + refund.paymentId())));
  }

  /**
   * Takes the refund step by step until it is settled or waits on the provider; returns where it
   * stands. Each step is a conditional move from the state it started in.
   */
  private Future<RefundRow> drive(RefundRow refund, PaymentRow payment, Instant leaseUntil) {
    return switch (refund.status()) {
      case RefundRow.REQUESTED ->
          debit(refund, payment, leaseUntil).compose(next -> drive(next, payment, leaseUntil));
      case RefundRow.DEBITED ->
          move(refund, RefundRow.DEBITED, RefundRow.SENT, RefundStep.keep(leaseUntil, leaseUntil))
              .compose(
                  sent ->
                      RefundRow.SENT.equals(sent.status())
                          ? send(sent, payment, leaseUntil)
                          : Future.succeededFuture(sent));
      case RefundRow.SENT, RefundRow.UNKNOWN -> resolve(refund, payment, leaseUntil);
      case RefundRow.REFUSED -> reverse(refund, payment);
      default -> Future.succeededFuture(refund);
    };
  }

  private Future<RefundRow> debit(RefundRow refund, PaymentRow payment, Instant leaseUntil) {
    PostingRequest debit =
        new PostingRequest(
            refund.debitKey(),
            payment.userId(),
            payment.currency(),
            -refund.amountMinor(),
            EntryKind.REFUND,
            "Refund " + refund.id() + " of top-up " + payment.id() + " via " + payment.gateway(),
            payment.id(),
            "gateway:" + payment.gateway());
    return Bus.request(vertx, LedgerAddresses.POST, debit.toJson(), ledgerTimeoutMs)
        .compose(
            entry ->
                move(
                    refund,
                    RefundRow.REQUESTED,
                    RefundRow.DEBITED,
                    new RefundStep(
                        entry.getLong("id"), null, null, null, null, leaseUntil, leaseUntil)),
            error -> {
              Failure failure = Failure.from(error);
              if (failure.code() == ErrorCode.INSUFFICIENT_FUNDS) {
                return move(
                    refund,
                    RefundRow.REQUESTED,
                    RefundRow.REJECTED,
                    new RefundStep(
                        null, null, null, "insufficient_funds", failure.detail(), null, null));
              }
              // The debit may or may not have been written: posting it again under the same
              // ledger key is what the retry or the janitor does.
              return release(refund, RefundRow.REQUESTED).compose(v -> Future.failedFuture(error));
            });
  }

  /** Asks the provider to refund: the refund is {@code sent} (or {@code unknown}, resending). */
  private Future<RefundRow> send(RefundRow refund, PaymentRow payment, Instant leaseUntil) {
    Optional<Gateway> gateway = gateways.find(payment.gateway());
    if (gateway.isEmpty()) {
      return stayOpen(refund, "the payment provider " + payment.gateway() + " is not enabled");
    }
    RefundRequest request = request(refund, payment);
    return calls
        .call(
            gateway.get(), "refund", payment.id(), g -> g.refund(request), RefundResult.Failed::new)
        .compose(
            result -> {
              if (result instanceof RefundResult.Refunded refunded) {
                return succeed(refund, payment, refunded.refundReference());
              }
              if (result instanceof RefundResult.Declined declined) {
                return refuse(refund, payment, declined.code(), declined.message(), leaseUntil);
              }
              GatewayFailure failure = ((RefundResult.Failed) result).failure();
              if (failure.outcomeUnknown()) {
                return stayOpen(refund, failure.message());
              }
              return refuse(refund, payment, refusalCode(failure), failure.message(), leaseUntil);
            });
  }

  /** Finds out what became of a refund whose answer was lost, and acts on it. */
  private Future<RefundRow> resolve(RefundRow refund, PaymentRow payment, Instant leaseUntil) {
    Optional<Gateway> gateway = gateways.find(payment.gateway());
    if (gateway.isEmpty()) {
      return stayOpen(refund, "the payment provider " + payment.gateway() + " is not enabled");
    }
    RefundRequest request = request(refund, payment);
    return calls
        .call(
            gateway.get(),
            "fetchRefund",
            payment.id(),
            g -> g.fetchRefund(request),
            RefundLookup.Failed::new)
        .compose(
            found -> {
              if (found instanceof RefundLookup.Refunded refunded) {
                return succeed(refund, payment, refunded.refundReference());
              }
              if (found instanceof RefundLookup.Declined declined) {
                return refuse(refund, payment, declined.code(), declined.message(), leaseUntil);
              }
              GatewayFailure failure =
                  found instanceof RefundLookup.Failed failed ? failed.failure() : null;
              if (failure == null || failure.kind() == GatewayFailure.Kind.UNSUPPORTED) {
                // Absent, or a provider that cannot look refunds up: sending the refund again with
                // the same idempotency key makes it, or answers the one already made.
                LOG.info(
                    "Refund {} of {}: {}; sending it again with the same key",
                    refund.id(),
                    payment.id(),
                    failure == null
                        ? "the provider holds no such refund"
                        : "the provider cannot look refunds up");
                return send(refund, payment, leaseUntil);
              }
              return stayOpen(refund, failure.message());
            });
  }

  private static RefundRequest request(RefundRow refund, PaymentRow payment) {
    return new RefundRequest(
        payment.id(),
        payment.providerReference(),
        refund.amountMinor(),
        payment.currency(),
        refund.providerKey());
  }

  private static String refusalCode(GatewayFailure failure) {
    if (failure.kind() == GatewayFailure.Kind.INPUT_NOT_ACCEPTED) {
      return "input_not_accepted:" + failure.field();
    }
    return failure.kind().name().toLowerCase(Locale.ROOT);
  }

  private Future<RefundRow> succeed(RefundRow refund, PaymentRow payment, String reference) {
    return store
        .succeedRefund(
            refund,
            refund.status(),
            new RefundStep(null, null, reference, null, null, null, null),
            clock.instant(),
            PaymentEvents.refund(EventTypes.REFUND_SUCCEEDED, payment, clock.instant()))
        .compose(
            moved -> {
              if (moved.isPresent()) {
                LOG.info(
                    "Refund {} of {} succeeded at {} ({}): {} {} returned to the payer",
                    refund.id(),
                    payment.id(),
                    payment.gateway(),
                    reference,
                    refund.amountMinor(),
                    payment.currency());
                return Future.succeededFuture(moved.get());
              }
              return current(refund);
            });
  }

  /** The provider refused for certain: the refusal is recorded, then the debit reversed. */
  private Future<RefundRow> refuse(
      RefundRow refund, PaymentRow payment, String code, String message, Instant leaseUntil) {
    LOG.warn(
        "{} refused refund {} of {} ({}: {}); reversing its debit (entry {})",
        payment.gateway(),
        refund.id(),
        payment.id(),
        code,
        message,
        refund.debitEntryId());
    return move(
            refund,
            refund.status(),
            RefundRow.REFUSED,
            new RefundStep(null, null, null, code, message, leaseUntil, leaseUntil))
        .compose(
            refused ->
                RefundRow.REFUSED.equals(refused.status())
                    ? reverse(refused, payment)
                    : Future.succeededFuture(refused));
  }

  private Future<RefundRow> reverse(RefundRow refund, PaymentRow payment) {
    PostingRequest credit =
        new PostingRequest(
            refund.reversalKey(),
            payment.userId(),
            payment.currency(),
            refund.amountMinor(),
            EntryKind.REFUND,
            "Reversal of refund "
                + refund.id()
                + " of top-up "
                + payment.id()
                + ": "
                + payment.gateway()
                + " refused it ("
                + refund.failureCode()
                + ")",
            payment.id(),
            "gateway:" + payment.gateway());
    return Bus.request(vertx, LedgerAddresses.POST, credit.toJson(), ledgerTimeoutMs)
        .compose(
            entry ->
                store
                    .moveRefund(
                        refund,
                        RefundRow.REFUSED,
                        RefundRow.REVERSED,
                        new RefundStep(null, entry.getLong("id"), null, null, null, null, null),
                        clock.instant(),
                        PaymentEvents.refund(EventTypes.REFUND_FAILED, payment, clock.instant()))
                    .compose(
                        moved ->
                            moved.isPresent()
                                ? Future.succeededFuture(moved.get())
                                : current(refund)),
            error -> release(refund, RefundRow.REFUSED).compose(v -> Future.failedFuture(error)));
  }

  /** The provider's answer is not known yet: the janitor asks again, with backoff. */
  private Future<RefundRow> stayOpen(RefundRow refund, String why) {
    LOG.warn(
        "Refund {} of {} is unresolved ({}); its debit stays until the provider's answer "
            + "is known",
        refund.id(),
        refund.paymentId(),
        why);
    return move(
        refund,
        refund.status(),
        RefundRow.UNKNOWN,
        RefundStep.keep(null, clock.instant().plusMillis(retryAfterMs)));
  }

  /** Gives the lease up, keeping the state, so that the janitor continues soon. */
  private Future<Void> release(RefundRow refund, String state) {
    return store
        .moveRefund(
            refund,
            state,
            state,
            RefundStep.keep(null, clock.instant().plusMillis(retryAfterMs)),
            clock.instant())
        .<Void>mapEmpty()
        .recover(error -> Future.succeededFuture());
  }

  private Future<RefundRow> move(RefundRow refund, String from, String to, RefundStep step) {
    return store
        .moveRefund(refund, from, to, step, clock.instant())
        .compose(
            moved -> moved.isPresent() ? Future.succeededFuture(moved.get()) : current(refund));
  }

  /** The refund as stored, after another actor moved it. */
  private Future<RefundRow> current(RefundRow refund) {
    return store.refundById(refund.id()).map(Optional::orElseThrow);
  }

  /** Where the refund stands, as the request's reply or failure. */
  private Future<JsonObject> reply(RefundRow refund, boolean replayed) {
    return switch (refund.status()) {
      case RefundRow.REJECTED ->
          Future.failedFuture(
              Failure.of(
                      ErrorCode.INSUFFICIENT_FUNDS,
                      "the wallet holds less than the "
                          + refund.amountMinor()
                          + " to refund (money already "
                          + "spent is not refunded); nothing was debited or sent to the provider")
                  .toException());
      case RefundRow.REVERSED -> Future.failedFuture(refusal(refund).toException());
      default ->
          store
              .byId(refund.paymentId())
              .map(payment -> view(refund, payment.orElseThrow()).put("replayed", replayed));
    };
  }

  private static Failure refusal(RefundRow refund) {
    String code = Objects.requireNonNullElse(refund.failureCode(), "refused");
    String entries =
        "its debit (entry "
            + refund.debitEntryId()
            + ") was reversed (entry "
            + refund.reversalEntryId()
            + "), so the wallet holds the money again";
    if (code.startsWith("input_not_accepted:")) {
      String field = code.substring("input_not_accepted:".length());
      return Failure.invalid(field, refund.failureMessage() + "; nothing was refunded: " + entries);
    }
    return Failure.of(
        ErrorCode.GATEWAY_ERROR,
        "the payment provider refused the refund ("
            + code
            + ": "
            + refund.failureMessage()
            + "); "
            + entries
            + ". Retrying with the same "
            + "Idempotency-Key makes a new attempt");
  }

  private JsonObject view(RefundRow refund, PaymentRow payment) {
    boolean done = RefundRow.SUCCEEDED.equals(refund.status());
    return new JsonObject()
        .put("id", refund.id())
        .put("status", done ? "succeeded" : "pending")
        .put("amount_minor", refund.amountMinor())
        .put("currency", payment.currency())
        .put("gateway_reference", refund.providerReference())
        .put("debit_entry_id", refund.debitEntryId())
        .put("attempt", refund.attempt())
        .put("topup", topups.view(payment));
  }
}
