package dev.kopek.payments;

import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A row of {@code payment_refunds}: one refund and where it stands (see the V2 migration for the
 * states and what each means).
 */
record RefundRow(
    String id,
    String paymentId,
    long amountMinor,
    String idempotencyKey,
    Long requestedMinor,
    String status,
    int attempt,
    Long debitEntryId,
    Long reversalEntryId,
    String providerReference,
    String failureCode,
    String failureMessage,
    String createdBy,
    Instant createdAt,
    Instant updatedAt) {

  static final String COLUMNS =
      """
      id, payment_id, amount_minor, idempotency_key, requested_minor, status, attempt,
      ledger_entry_id, reversal_entry_id, provider_reference, failure_code, failure_message,
      created_by, created_at, updated_at
      """;

  /** The states, as stored. */
  static final String REQUESTED = "requested";

  static final String DEBITED = "debited";
  static final String SENT = "sent";
  static final String UNKNOWN = "unknown";
  static final String SUCCEEDED = "succeeded";
  static final String REFUSED = "refused";
  static final String REVERSED = "reversed";
  static final String REJECTED = "rejected";

  static RefundRow from(Row row) {
    return new RefundRow(
        row.getString("id"),
        row.getString("payment_id"),
        row.getLong("amount_minor"),
        row.getString("idempotency_key"),
        row.getLong("requested_minor"),
        row.getString("status"),
        row.getInteger("attempt"),
        row.getLong("ledger_entry_id"),
        row.getLong("reversal_entry_id"),
        row.getString("provider_reference"),
        row.getString("failure_code"),
        row.getString("failure_message"),
        row.getString("created_by"),
        instant(row.getOffsetDateTime("created_at")),
        instant(row.getOffsetDateTime("updated_at")));
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  /** Whether this attempt ended with nothing refunded (a retry starts another attempt). */
  boolean endedWithoutRefund() {
    return REVERSED.equals(status) || REJECTED.equals(status);
  }

  /** Whether the refund is done, one way or the other, for this attempt. */
  boolean settled() {
    return SUCCEEDED.equals(status) || endedWithoutRefund();
  }

  /**
   * The idempotency key this attempt sends to the provider: the refund's id, with the attempt after
   * the first. An attempt starts only after the one before was refused for certain, and a provider
   * may keep answering a key it refused (Stripe replays a failed refund's answer for a day), so
   * each attempt has a key of its own.
   */
  String providerKey() {
    return attempt == 1 ? id : id + "_a" + attempt;
  }

  /** The ledger key of this attempt's debit. */
  String debitKey() {
    return idempotencyKey + ":debit:" + attempt;
  }

  /** The ledger key of this attempt's reversal. */
  String reversalKey() {
    return idempotencyKey + ":reversal:" + attempt;
  }
}
