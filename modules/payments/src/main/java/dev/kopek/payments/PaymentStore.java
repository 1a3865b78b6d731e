package dev.kopek.payments;

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

/** The payments tables. Every status change is a conditional update: final states stay final. */
final class PaymentStore {

  private final Pool pool;

  PaymentStore(Pool pool) {
    this.pool = pool;
  }

  /** The new payment, or empty when a concurrent request with the same key inserted first. */
  Future<Optional<PaymentRow>> insert(PaymentRow payment, String idempotencyKey, Instant nextPollAt) {
    return one(PaymentsSql.INSERT_PAYMENT, Tuple.from(java.util.Arrays.asList(
        payment.id(), payment.userId(), payment.gateway(), payment.amountMinor(),
        payment.currency(), nullable(payment.providerReference()), nullable(payment.clientSecret()),
        nullable(payment.redirectUrl()), payment.returnUrl(), payment.checkoutToken(),
        time(payment.checkoutExpiresAt()), idempotencyKey, Buffer.buffer(payment.requestHash()),
        time(nextPollAt), time(payment.createdAt()))));
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
        .execute(Tuple.of(id, reference, time(now))).mapEmpty();
  }

  Future<Optional<PaymentRow>> markSucceeded(String id, long ledgerEntryId, Instant now) {
    return one(PaymentsSql.UPDATE_SUCCEEDED, Tuple.of(id, ledgerEntryId, time(now)));
  }

  Future<Optional<PaymentRow>> markFailed(String id, String declineCode, Instant now) {
    return one(PaymentsSql.UPDATE_FAILED, Tuple.of(id, declineCode, time(now)));
  }

  Future<Optional<PaymentRow>> markExpired(String id, Instant now) {
    return one(PaymentsSql.UPDATE_EXPIRED, Tuple.of(id, time(now)));
  }

  Future<Optional<PaymentRow>> markFlagged(String id, String reason, Instant now) {
    return one(PaymentsSql.UPDATE_FLAGGED, Tuple.of(id, reason, time(now)));
  }

  Future<List<PaymentRow>> claimDueForPoll(Instant now, int limit, long firstWaitMs, long maxWaitMs) {
    return all(PaymentsSql.CLAIM_DUE_FOR_POLL, Tuple.of(time(now), limit, firstWaitMs, maxWaitMs));
  }

  Future<Boolean> eventSeen(String gateway, String eventId) {
    return pool.preparedQuery(PaymentsSql.SELECT_EVENT).execute(Tuple.of(gateway, eventId))
        .map(rows -> rows.size() > 0);
  }

  /** Records a processed event; false when it was already recorded. */
  Future<Boolean> recordEvent(String gateway, String eventId, String type, String paymentId,
      Instant now) {
    return pool.preparedQuery(PaymentsSql.INSERT_EVENT)
        .execute(Tuple.of(gateway, eventId, type, paymentId, time(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<Optional<Row>> refundByKey(String key) {
    return pool.preparedQuery(PaymentsSql.SELECT_REFUND_BY_KEY).execute(Tuple.of(key))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()));
  }

  /** Records a refund and adds it to the payment, in one transaction. */
  Future<Optional<PaymentRow>> recordRefund(String refundId, String paymentId, long amountMinor,
      String key, String providerReference, long ledgerEntryId, String adminId, Instant now) {
    return pool.withTransaction(conn -> conn.preparedQuery(PaymentsSql.INSERT_REFUND)
        .execute(Tuple.from(java.util.Arrays.asList(refundId, paymentId, amountMinor, key, providerReference,
            ledgerEntryId, adminId, time(now))))
        .compose(inserted -> inserted.rowCount() == 0
            ? conn.preparedQuery(PaymentsSql.SELECT_BY_ID).execute(Tuple.of(paymentId))
            : conn.preparedQuery(PaymentsSql.UPDATE_REFUNDED)
                .execute(Tuple.of(paymentId, amountMinor, time(now))))
        .map(PaymentStore::first));
  }

  private Future<Optional<PaymentRow>> one(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(PaymentStore::first);
  }

  private Future<List<PaymentRow>> all(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      List<PaymentRow> payments = new ArrayList<>();
      rows.forEach(row -> payments.add(PaymentRow.from(row)));
      return payments;
    });
  }

  private static Optional<PaymentRow> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(PaymentRow.from(rows.iterator().next()));
  }

  static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
