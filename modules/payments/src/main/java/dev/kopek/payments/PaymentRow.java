package dev.kopek.payments;

import dev.kopek.model.payments.Topup;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;

/** A row of {@code payments}, as the verticle works with it. */
record PaymentRow(
    String id,
    String userId,
    String gateway,
    long amountMinor,
    String currency,
    String status,
    String declineCode,
    String providerReference,
    String clientSecret,
    String redirectUrl,
    String returnUrl,
    String checkoutToken,
    Instant checkoutExpiresAt,
    byte[] requestHash,
    Long ledgerEntryId,
    long refundedMinor,
    int pollAttempts,
    Instant createdAt,
    Instant completedAt,
    boolean checkoutStarted) {

  static final String COLUMNS =
      """
      id, user_id, gateway, amount_minor, currency, status, decline_code, provider_reference,
      client_secret, redirect_url, return_url, checkout_token, checkout_expires_at, request_hash,
      ledger_entry_id, refunded_minor, poll_attempts, created_at, completed_at, checkout_started
      """;

  static PaymentRow from(Row row) {
    return new PaymentRow(
        row.getString("id"),
        row.getString("user_id"),
        row.getString("gateway"),
        row.getLong("amount_minor"),
        row.getString("currency"),
        row.getString("status"),
        row.getString("decline_code"),
        row.getString("provider_reference"),
        row.getString("client_secret"),
        row.getString("redirect_url"),
        row.getString("return_url"),
        row.getString("checkout_token"),
        instant(row.getOffsetDateTime("checkout_expires_at")),
        row.getBuffer("request_hash").getBytes(),
        row.getLong("ledger_entry_id"),
        row.getLong("refunded_minor"),
        row.getInteger("poll_attempts"),
        instant(row.getOffsetDateTime("created_at")),
        instant(row.getOffsetDateTime("completed_at")),
        row.getBoolean("checkout_started"));
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  boolean isPending() {
    return "pending".equals(status);
  }

  /** The public view; the checkout URL is absolute so that clients can send browsers to it. */
  Topup toTopup(String publicUrl) {
    return new Topup(
        id,
        userId,
        gateway,
        amountMinor,
        currency,
        status,
        declineCode,
        publicUrl + "/checkout/" + checkoutToken,
        checkoutExpiresAt,
        refundedMinor,
        ledgerEntryId,
        createdAt,
        completedAt,
        providerReference);
  }
}
