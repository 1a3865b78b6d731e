package dev.kopek.billing;

import static dev.kopek.billing.BillingStore.instant;

import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/** A row of {@code billing_subscriptions}. */
record SubscriptionRow(
    String id,
    String userId,
    String currency,
    String planCode,
    String status,
    int segment,
    Instant anchor,
    long priceMinor,
    long periodMs,
    long periodsCharged,
    long segmentChargedMinor,
    Instant billedThrough,
    Instant suspendedAt,
    Instant cancelledAt,
    Instant createdAt) {

  static final String COLUMNS =
      """
      id, user_id, currency, plan_code, status, segment, anchor, price_minor, period_ms,
      periods_charged, segment_charged_minor, billed_through, suspended_at, cancelled_at, created_at
      """;

  static SubscriptionRow from(Row row) {
    return new SubscriptionRow(
        row.getString("id"),
        row.getString("user_id"),
        row.getString("currency"),
        row.getString("plan_code"),
        row.getString("status"),
        row.getInteger("segment"),
        instant(row.getOffsetDateTime("anchor")),
        row.getLong("price_minor"),
        row.getLong("period_ms"),
        row.getLong("periods_charged"),
        row.getLong("segment_charged_minor"),
        instant(row.getOffsetDateTime("billed_through")),
        instant(row.getOffsetDateTime("suspended_at")),
        instant(row.getOffsetDateTime("cancelled_at")),
        instant(row.getOffsetDateTime("created_at")));
  }

  WalletKey wallet() {
    return new WalletKey(userId, currency);
  }

  boolean isActive() {
    return "active".equals(status);
  }

  Segment segmentState() {
    return new Segment(
        id,
        planCode,
        segment,
        anchor.toEpochMilli(),
        priceMinor,
        periodMs,
        periodsCharged,
        segmentChargedMinor);
  }

  /** The public view; the wallet-level timer and runway are added by the caller. */
  JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("user_id", userId)
        .put("plan", planCode)
        .put("currency", currency)
        .put("status", status)
        .put("price_minor", priceMinor)
        .put("period_ms", periodMs)
        .put("segment", segment)
        .put("segment_started_at", anchor.toString())
        .put("billed_through", billedThrough.toString())
        .put("suspended_at", suspendedAt == null ? null : suspendedAt.toString())
        .put("cancelled_at", cancelledAt == null ? null : cancelledAt.toString())
        .put("created_at", createdAt.toString());
  }
}
