package dev.kopek.client;

import dev.kopek.model.payments.PaymentsAddresses;
import dev.kopek.model.payments.Topup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Payments over the event bus ({@code kopek.payments.*}, docs/EVENT-BUS.md): top-ups, refunds,
 * unmatched provider payments, and the hosted checkout and webhooks Kopek's HTTP verticle serves. A
 * failed future carries a {@link dev.kopek.model.Failure.FailureException} with one of the
 * documented codes ({@code validation_failed}, {@code not_found}, {@code gateway_error}, {@code
 * not_refundable}, {@code insufficient_funds}, {@code idempotency_conflict}, {@code unavailable},
 * {@code timeout}, ...).
 *
 * <p>Requests that make Kopek call a payment provider take as long as the provider does (up to
 * {@code payments.gateway_timeout_ms} per call): give such requests a client {@link #withTimeout
 * with a timeout} longer than that.
 *
 * <p>Immutable and thread-safe; every request waits at most the client's one timeout.
 */
public final class PaymentsClient {

  private final Channel channel;

  private PaymentsClient(Channel channel) {
    this.channel = channel;
  }

  /**
   * A client of payments on {@code vertx}'s event bus.
   *
   * @param timeoutMs how long each request waits for its reply, 1 ms to 10 minutes
   */
  public static PaymentsClient create(Vertx vertx, long timeoutMs) {
    return new PaymentsClient(new Channel(vertx, timeoutMs, false));
  }

  /** The same client with another timeout. */
  public PaymentsClient withTimeout(long timeoutMs) {
    return new PaymentsClient(channel.withTimeout(timeoutMs));
  }

  /** The same client, sending to this Vert.x's own payments only (see LedgerClient#localOnly). */
  public PaymentsClient localOnly() {
    return new PaymentsClient(channel.withLocalOnly());
  }

  /** The timeout of every request, in milliseconds. */
  public long timeoutMs() {
    return channel.timeoutMs();
  }

  /**
   * Starts a top-up with a provider ({@code kopek.payments.topup.create}); the payer pays at the
   * returned top-up's {@code checkoutUrl}.
   *
   * @param gateway the provider's id, or null for {@code payments.default_gateway}
   * @param returnUrl where the payer's browser goes afterwards, or null
   */
  public Future<Replayable<Topup>> createTopup(
      String userId,
      String idempotencyKey,
      long amountMinor,
      String currency,
      String gateway,
      String returnUrl) {
    JsonObject request =
        new JsonObject()
            .put("user_id", userId)
            .put("idempotency_key", idempotencyKey)
            .put("amount_minor", amountMinor)
            .put("currency", currency)
            .put("gateway", gateway)
            .put("return_url", returnUrl);
    return channel
        .request(PaymentsAddresses.TOPUP_CREATE, request)
        .map(reply -> Replayable.fromJson(reply, PaymentsClient::topup));
  }

  /** One of a user's top-ups ({@code kopek.payments.topup.get}); another user's is not found. */
  public Future<Topup> topup(String userId, String id) {
    return channel
        .request(PaymentsAddresses.TOPUP_GET, new JsonObject().put("user_id", userId).put("id", id))
        .map(PaymentsClient::topup);
  }

  /** A user's top-ups, newest first ({@code kopek.payments.topups.list}). */
  public Future<Page<Topup>> topups(String userId, int limit, String startingAfter) {
    JsonObject request =
        new JsonObject()
            .put("user_id", userId)
            .put("limit", limit)
            .put("starting_after", startingAfter);
    return channel
        .request(PaymentsAddresses.TOPUPS_LIST, request)
        .map(reply -> Page.fromJson(reply, PaymentsClient::topup));
  }

  /**
   * Refunds a succeeded top-up ({@code kopek.payments.refund}).
   *
   * @param amountMinor how much, or null for all that is left
   * @param adminId the administrator asking, kept with the refund
   */
  public Future<Replayable<Refund>> refund(
      String topupId, Long amountMinor, String idempotencyKey, String adminId) {
    JsonObject request =
        new JsonObject()
            .put("id", topupId)
            .put("amount_minor", amountMinor)
            .put("idempotency_key", idempotencyKey)
            .put("admin_id", adminId);
    return channel
        .request(PaymentsAddresses.REFUND, request)
        .map(reply -> Replayable.fromJson(reply, Refund::fromJson));
  }

  /** Money on provider objects no top-up accounts for ({@code kopek.payments.unmatched.list}). */
  public Future<Page<UnmatchedPayment>> unmatched(int limit, String startingAfter) {
    return channel
        .request(
            PaymentsAddresses.UNMATCHED_LIST,
            new JsonObject().put("limit", limit).put("starting_after", startingAfter))
        .map(reply -> Page.fromJson(reply, UnmatchedPayment::fromJson));
  }

  /**
   * Succeeded top-ups per UTC day and currency, {@code from} inclusive to {@code to} exclusive (at
   * most 366 days): {@code {"data":[{"day","currency","count","amount_minor"}]}} ({@code
   * kopek.payments.topups.daily}).
   */
  public Future<JsonObject> dailyTopups(java.time.Instant from, java.time.Instant to) {
    return channel.request(
        PaymentsAddresses.TOPUPS_DAILY,
        new JsonObject().put("from", from.toString()).put("to", to.toString()));
  }

  /**
   * Every user's top-ups in {@code status} ({@code flagged}, {@code pending} or {@code failed};
   * created before {@code createdBefore}, when given), newest first, and their number: {@code
   * {"data":[Topup...],"count"}} ({@code kopek.payments.topups.attention}).
   */
  public Future<JsonObject> topupsNeedingAttention(
      String status, java.time.Instant createdBefore, int limit) {
    return topupsNeedingAttention(status, createdBefore, null, limit);
  }

  /** The same, only top-ups created from {@code createdAfter} on (when given). */
  public Future<JsonObject> topupsNeedingAttention(
      String status, java.time.Instant createdBefore, java.time.Instant createdAfter, int limit) {
    return channel.request(
        PaymentsAddresses.TOPUPS_ATTENTION,
        new JsonObject()
            .put("status", status)
            .put("created_before", createdBefore == null ? null : createdBefore.toString())
            .put("created_after", createdAfter == null ? null : createdAfter.toString())
            .put("limit", limit));
  }

  /**
   * What the hosted checkout page of {@code token} shows ({@code kopek.payments.checkout.get}): the
   * payment's fields, {@code expired}, and the provider's {@code page} or {@code redirect_url}. Its
   * shape is the page's, rendered by Kopek's HTTP verticle.
   */
  public Future<JsonObject> checkout(String token) {
    return channel.request(PaymentsAddresses.CHECKOUT_GET, new JsonObject().put("token", token));
  }

  /**
   * Submits the checkout page's form ({@code kopek.payments.checkout.submit}); replies {@code
   * {"status","message","field"?,"decline_code"?}} for the page's script.
   */
  public Future<JsonObject> submitCheckout(String token, JsonObject form) {
    return channel.request(
        PaymentsAddresses.CHECKOUT_SUBMIT, new JsonObject().put("token", token).put("form", form));
  }

  /**
   * Hands a provider's webhook to its gateway exactly as it arrived ({@code
   * kopek.payments.webhook.receive}); replies the result: {@code processed}, {@code duplicate},
   * {@code ignored} or {@code unmatched}.
   *
   * @param body the raw bytes (the signature covers them)
   * @param headers every header, by name
   */
  public Future<String> receiveWebhook(
      String gateway, byte[] body, Map<String, List<String>> headers, String contentType) {
    JsonObject headerJson = new JsonObject();
    headers.forEach((name, values) -> headerJson.put(name, new JsonArray(List.copyOf(values))));
    JsonObject request =
        new JsonObject()
            .put("gateway", gateway)
            .put("body_base64", Base64.getEncoder().encodeToString(body))
            .put("headers", headerJson)
            .put("content_type", contentType);
    return channel
        .request(PaymentsAddresses.WEBHOOK_RECEIVE, request)
        .map(reply -> reply.getString("result"));
  }

  /** Reads a {@link Topup}'s JSON form (replies, {@code kopek.payments.*} facts). */
  public static Topup topup(JsonObject json) {
    return new Topup(
        json.getString("id"),
        json.getString("user_id"),
        json.getString("gateway"),
        json.getLong("amount_minor"),
        json.getString("currency"),
        json.getString("status"),
        json.getString("decline_code"),
        json.getString("checkout_url"),
        Json.instant(json, "checkout_expires_at"),
        json.getLong("refunded_minor", 0L),
        json.getLong("ledger_entry_id"),
        Json.instant(json, "created_at"),
        Json.instant(json, "completed_at"),
        json.getString("gateway_reference"));
  }
}
