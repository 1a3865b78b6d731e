package dev.kopek.payments;

import dev.kopek.events.EventLog;
import dev.kopek.model.events.Event;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The payments tables. Every status change is a conditional update: final states stay final. */
final class PaymentStore {

  private final Pool pool;

  PaymentStore(Pool pool) {
    this.pool = pool;
  }

  /** The new payment, or empty when a concurrent request with the same key inserted first. */
  Future<Optional<PaymentRow>> insert(
      PaymentRow payment, String idempotencyKey, Instant nextPollAt) {
    return one(
        PaymentsSql.INSERT_PAYMENT,
        Tuple.from(
            java.util.Arrays.asList(
                payment.id(),
                payment.userId(),
                payment.gateway(),
                payment.amountMinor(),
                payment.currency(),
                nullable(payment.providerReference()),
                nullable(payment.clientSecret()),
                nullable(payment.redirectUrl()),
                payment.returnUrl(),
                payment.checkoutToken(),
                time(payment.checkoutExpiresAt()),
                idempotencyKey,
                Buffer.buffer(payment.requestHash()),
                time(nextPollAt),
                time(payment.createdAt()),
                payment.checkoutStarted())));
  }

  private static Object nullable(String value) {
    return value == null ? (Object) null : value;
  }

  Future<Optional<PaymentRow>> byIdempotencyKey(String userId, String key) {
    return one(PaymentsSql.SELECT_BY_IDEMPOTENCY_KEY, Tuple.of(userId, key));
  }

  Future<Optional<PaymentRow>> byId(String id) {
    return one(PaymentsSql.SELECT_BY_ID, Tuple.of(id));
  }

  Future<Optional<PaymentRow>> byToken(String token) {
    return one(PaymentsSql.SELECT_BY_TOKEN, Tuple.of(token));
  }

  Future<Optional<PaymentRow>> byReference(String gateway, String reference) {
    return one(PaymentsSql.SELECT_BY_REFERENCE, Tuple.of(gateway, reference));
  }

  Future<List<PaymentRow>> page(String userId, String startingAfter, int limit) {
    return all(PaymentsSql.SELECT_PAGE, Tuple.of(userId, startingAfter, limit));
  }

  Future<Void> setReference(String id, String reference, Instant now) {
    return pool.preparedQuery(PaymentsSql.UPDATE_REFERENCE)
        .execute(Tuple.of(id, reference, time(now)))
        .mapEmpty();
  }

  /** Binds the payment to the provider object the provider reported for it. */
  Future<Void> bindReference(String id, String reference, Instant now) {
    return pool.preparedQuery(PaymentsSql.UPDATE_BOUND_REFERENCE)
        .execute(Tuple.of(id, reference, time(now)))
        .mapEmpty();
  }

  /*
   * The status changes below record their event ({@code eventOf} the updated payment) in the same
   * transaction, and only when the statement changed the payment.
   */

  Future<Optional<PaymentRow>> markSucceeded(
      String id, long ledgerEntryId, Instant now, Function<PaymentRow, Event> eventOf) {
    return oneWithEvent(
        PaymentsSql.UPDATE_SUCCEEDED, Tuple.of(id, ledgerEntryId, time(now)), eventOf);
  }

  Future<Optional<PaymentRow>> markFailed(
      String id, String declineCode, Instant now, Function<PaymentRow, Event> eventOf) {
    return oneWithEvent(PaymentsSql.UPDATE_FAILED, Tuple.of(id, declineCode, time(now)), eventOf);
  }

  Future<Optional<PaymentRow>> markExpired(
      String id, Instant now, Function<PaymentRow, Event> eventOf) {
    return oneWithEvent(PaymentsSql.UPDATE_EXPIRED, Tuple.of(id, time(now)), eventOf);
  }

  Future<Optional<PaymentRow>> markFlagged(
      String id, String reason, Instant now, Function<PaymentRow, Event> eventOf) {
    return oneWithEvent(PaymentsSql.UPDATE_FLAGGED, Tuple.of(id, reason, time(now)), eventOf);
  }

  private Future<Optional<PaymentRow>> oneWithEvent(
      String sql, Tuple params, Function<PaymentRow, Event> eventOf) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(sql)
                .execute(params)
                .map(PaymentStore::first)
                .compose(
                    updated ->
                        updated.isEmpty()
                            ? Future.succeededFuture(updated)
                            : EventLog.append(conn, List.of(eventOf.apply(updated.get())))
                                .map(updated)));
  }

  Future<List<PaymentRow>> claimDueForPoll(
      Instant now, int limit, long firstWaitMs, long maxWaitMs) {
    return all(PaymentsSql.CLAIM_DUE_FOR_POLL, Tuple.of(time(now), limit, firstWaitMs, maxWaitMs));
  }

  Future<Boolean> eventSeen(String gateway, String eventId) {
    return pool.preparedQuery(PaymentsSql.SELECT_EVENT)
        .execute(Tuple.of(gateway, eventId))
        .map(rows -> rows.size() > 0);
  }

  /** Records a processed event; false when it was already recorded. */
  Future<Boolean> recordEvent(
      String gateway, String eventId, String type, String paymentId, Instant now) {
    return pool.preparedQuery(PaymentsSql.INSERT_EVENT)
        .execute(Tuple.of(gateway, eventId, type, paymentId, time(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<Optional<RefundRow>> refundByKey(String key) {
    return pool.preparedQuery(PaymentsSql.SELECT_REFUND_BY_KEY)
        .execute(Tuple.of(key))
        .map(PaymentStore::firstRefund);
  }

  Future<Optional<RefundRow>> refundById(String id) {
    return pool.preparedQuery(PaymentsSql.SELECT_REFUND_BY_ID)
        .execute(Tuple.of(id))
        .map(PaymentStore::firstRefund);
  }

  /**
   * Opens a refund, or another attempt of one that ended with nothing refunded, measured against
   * the payment under its row lock so that concurrent refunds never hold more than was paid. {@code
   * measure} gets the locked payment and what other refunds hold, and returns the amount (or throws
   * the request's failure). Empty when a concurrent request opened it first.
   */
  Future<Optional<RefundRow>> openRefund(
      String refundId,
      String paymentId,
      String key,
      Long requestedMinor,
      String adminId,
      RefundRow restart,
      Instant leaseUntil,
      Instant now,
      java.util.function.BiFunction<PaymentRow, Long, Long> measure) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(PaymentsSql.LOCK_PAYMENT)
                .execute(Tuple.of(paymentId))
                .compose(
                    locked -> {
                      Optional<PaymentRow> payment = first(locked);
                      if (payment.isEmpty()) {
                        return Future.failedFuture(
                            dev.kopek.model.Failure.of(
                                    dev.kopek.model.ErrorCode.NOT_FOUND, "no top-up " + paymentId)
                                .toException());
                      }
                      return conn.preparedQuery(PaymentsSql.SELECT_REFUNDS_HELD)
                          .execute(Tuple.of(paymentId, refundId))
                          .compose(
                              held -> {
                                long amount =
                                    measure.apply(
                                        payment.get(), held.iterator().next().getLong("held"));
                                if (restart != null) {
                                  return conn.preparedQuery(PaymentsSql.RESTART_REFUND)
                                      .execute(
                                          Tuple.of(refundId, amount, time(leaseUntil), time(now)));
                                }
                                return conn.preparedQuery(PaymentsSql.INSERT_REFUND)
                                    .execute(
                                        Tuple.from(
                                            java.util.Arrays.asList(
                                                refundId,
                                                paymentId,
                                                amount,
                                                key,
                                                requestedMinor,
                                                adminId,
                                                time(now),
                                                time(leaseUntil))));
                              });
                    })
                .map(PaymentStore::firstRefund));
  }

  /** Takes the refund's lease until {@code leaseUntil}; empty when somebody else holds it. */
  Future<Optional<RefundRow>> leaseRefund(String id, Instant leaseUntil, Instant now) {
    return pool.preparedQuery(PaymentsSql.LEASE_REFUND)
        .execute(Tuple.of(id, time(leaseUntil), time(now)))
        .map(PaymentStore::firstRefund);
  }

  /** One step of a refund; empty when it was no longer in {@code from}. */
  Future<Optional<RefundRow>> moveRefund(
      RefundRow refund, String from, String to, RefundStep step, Instant now) {
    return pool.preparedQuery(PaymentsSql.MOVE_REFUND)
        .execute(moveTuple(refund, from, to, step, now))
        .map(PaymentStore::firstRefund);
  }

  /** {@link #moveRefund}, recording {@code eventOf} the moved refund in the same transaction. */
  Future<Optional<RefundRow>> moveRefund(
      RefundRow refund,
      String from,
      String to,
      RefundStep step,
      Instant now,
      Function<RefundRow, Event> eventOf) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(PaymentsSql.MOVE_REFUND)
                .execute(moveTuple(refund, from, to, step, now))
                .map(PaymentStore::firstRefund)
                .compose(
                    moved ->
                        moved.isEmpty()
                            ? Future.succeededFuture(moved)
                            : EventLog.append(conn, List.of(eventOf.apply(moved.get())))
                                .map(moved)));
  }

  /**
   * The provider refunded: the refund succeeds and the payment's refunded amount grows, in one
   * transaction. Empty when the refund was no longer in {@code from}.
   */
  Future<Optional<RefundRow>> succeedRefund(
      RefundRow refund,
      String from,
      RefundStep step,
      Instant now,
      Function<RefundRow, Event> eventOf) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(PaymentsSql.MOVE_REFUND)
                .execute(moveTuple(refund, from, RefundRow.SUCCEEDED, step, now))
                .compose(
                    moved -> {
                      Optional<RefundRow> succeeded = firstRefund(moved);
                      if (succeeded.isEmpty()) {
                        return Future.succeededFuture(succeeded);
                      }
                      return Future.all(
                              conn.preparedQuery(PaymentsSql.UPDATE_REFUNDED)
                                  .execute(
                                      Tuple.of(
                                          refund.paymentId(), refund.amountMinor(), time(now))),
                              EventLog.append(conn, List.of(eventOf.apply(succeeded.get()))))
                          .map(succeeded);
                    }));
  }

  private static Tuple moveTuple(
      RefundRow refund, String from, String to, RefundStep step, Instant now) {
    return Tuple.from(
        java.util.Arrays.asList(
            refund.id(),
            from,
            to,
            step.debitEntryId(),
            step.reversalEntryId(),
            step.providerReference(),
            step.failureCode(),
            time(step.leaseUntil()),
            time(step.nextAttemptAt()),
            step.failureMessage(),
            time(now)));
  }

  /** Claims unfinished refunds due for the janitor. */
  Future<List<RefundRow>> claimRefundsDue(
      Instant now, Instant leaseUntil, int limit, long firstWaitMs, long maxWaitMs) {
    return pool.preparedQuery(PaymentsSql.CLAIM_REFUNDS_DUE)
        .execute(Tuple.of(time(now), time(leaseUntil), limit, firstWaitMs, maxWaitMs))
        .map(
            rows -> {
              List<RefundRow> refunds = new ArrayList<>();
              rows.forEach(row -> refunds.add(RefundRow.from(row)));
              return refunds;
            });
  }

  /** Records money the provider received that no payment accounts for; false if known already. */
  Future<Boolean> recordUnmatched(
      String id,
      String gateway,
      String reference,
      String claimedPaymentId,
      long amountMinor,
      String currency,
      String reason,
      String source,
      String eventId,
      Instant now) {
    return pool.preparedQuery(PaymentsSql.INSERT_UNMATCHED)
        .execute(
            Tuple.from(
                java.util.Arrays.asList(
                    id,
                    gateway,
                    reference,
                    claimedPaymentId,
                    amountMinor,
                    currency,
                    reason,
                    source,
                    eventId,
                    time(now))))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<List<Row>> unmatchedPage(String startingAfter, int limit) {
    return pool.preparedQuery(PaymentsSql.SELECT_UNMATCHED_PAGE)
        .execute(Tuple.of(startingAfter, limit))
        .map(
            rows -> {
              List<Row> page = new ArrayList<>();
              rows.forEach(page::add);
              return page;
            });
  }

  /** Stores what the provider answered for a payment whose start had an unknown outcome. */
  Future<Optional<PaymentRow>> markStarted(
      String id, String reference, String clientSecret, String redirectUrl, Instant now) {
    return one(
        PaymentsSql.UPDATE_STARTED,
        Tuple.from(java.util.Arrays.asList(id, reference, clientSecret, redirectUrl, time(now))));
  }

  private static Optional<RefundRow> firstRefund(RowSet<Row> rows) {
    return rows.size() == 0
        ? Optional.empty()
        : Optional.of(RefundRow.from(rows.iterator().next()));
  }

  private Future<Optional<PaymentRow>> one(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(PaymentStore::first);
  }

  private Future<List<PaymentRow>> all(String sql, Tuple params) {
    return pool.preparedQuery(sql)
        .execute(params)
        .map(
            rows -> {
              List<PaymentRow> payments = new ArrayList<>();
              rows.forEach(row -> payments.add(PaymentRow.from(row)));
              return payments;
            });
  }

  private static Optional<PaymentRow> first(RowSet<Row> rows) {
    return rows.size() == 0
        ? Optional.empty()
        : Optional.of(PaymentRow.from(rows.iterator().next()));
  }

  static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
