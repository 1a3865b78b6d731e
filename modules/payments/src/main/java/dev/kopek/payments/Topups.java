package dev.kopek.payments;

import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Hashes;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/** Creating and reading top-ups. */
final class Topups {

  /** Checkout tokens: 32 random bytes, as unguessable as a session key. */
  private static final int TOKEN_BYTES = 32;

  /** Longest return URL accepted; browsers handle far more, providers less. */
  private static final int RETURN_URL_LENGTH_MAX = 2000;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final PaymentsConfig config;
  private final GatewayRegistry gateways;
  private final GatewayCalls calls;
  private final PaymentStore store;
  private final Clock clock;

  Topups(
      PaymentsConfig config,
      GatewayRegistry gateways,
      GatewayCalls calls,
      PaymentStore store,
      Clock clock) {
    this.config = config;
    this.gateways = gateways;
    this.calls = calls;
    this.store = store;
    this.clock = clock;
  }

  /**
   * Starts a top-up. The payment id is derived from the user and the idempotency key, so a retry
   * after a provider failure reaches the provider with the same id and key and cannot create a
   * second payment there; only a started checkout is stored.
   */
  Future<JsonObject> create(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String key = Requests.text(body, "idempotency_key", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    long amountMinor = Requests.amountMinor(body, "amount_minor");
    String currency = Requests.currency(body);
    String gatewayId =
        body.getString("gateway") == null ? config.defaultGateway() : body.getString("gateway");
    Gateway gateway =
        gateways
            .find(gatewayId)
            .orElseThrow(
                () ->
                    Failure.invalid(
                            "gateway",
                            "gateway must be one of " + gateways.ids() + ", was " + gatewayId)
                        .toException());
    String returnUrl = returnUrl(body);
    byte[] requestHash =
        Hashes.sha256(
            userId + "\n" + amountMinor + "\n" + currency + "\n" + gatewayId + "\n" + returnUrl);
    return store
        .byIdempotencyKey(userId, key)
        .compose(
            existing -> {
              if (existing.isPresent()) {
                PaymentRow payment = existing.get();
                JsonObject replayed = replay(payment, requestHash);
                return payment.checkoutStarted()
                    ? Future.succeededFuture(replayed)
                    : resume(payment).map(started -> view(started).put("replayed", false));
              }
              return start(userId, key, amountMinor, currency, gateway, returnUrl, requestHash);
            });
  }

  private Future<JsonObject> start(
      String userId,
      String key,
      long amountMinor,
      String currency,
      Gateway gateway,
      String returnUrl,
      byte[] requestHash) {
    String paymentId = "pay_" + base32(Hashes.sha256("payment\n" + userId + "\n" + key), 26);
    String token = token();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    String finalReturnUrl =
        returnUrl != null ? returnUrl : config.publicUrl() + "/checkout/" + token + "/complete";
    CheckoutRequest request =
        new CheckoutRequest(paymentId, userId, amountMinor, currency, finalReturnUrl, paymentId);
    return calls
        .call(
            gateway,
            "startCheckout",
            paymentId,
            g -> g.startCheckout(request),
            CheckoutResult.Failed::new)
        .compose(
            result -> {
              CheckoutResult.Started started =
                  result instanceof CheckoutResult.Started s ? s : null;
              GatewayFailure failure =
                  started == null ? ((CheckoutResult.Failed) result).failure() : null;
              if (failure != null && !failure.outcomeUnknown()) {
                // Refused for certain: nothing exists at the provider, so nothing is stored and a
                // retry with the same key starts afresh.
                return Future.failedFuture(GatewayCalls.toFailure(failure).toException());
              }
              // Started, or an outcome the provider may have acted on: the payment is stored as
              // pending either way; one not started yet is started again with the same key by the
              // retry, the checkout page or the janitor.
              PaymentRow payment =
                  new PaymentRow(
                      paymentId,
                      userId,
                      gateway.id(),
                      amountMinor,
                      currency,
                      "pending",
                      null,
                      started == null ? null : started.providerReference(),
                      started == null ? null : started.clientSecret(),
                      started == null ? null : started.redirectUrl(),
                      finalReturnUrl,
                      token,
                      now.plusMillis(config.checkoutTtlMs()),
                      requestHash,
                      null,
                      0,
                      0,
                      now,
                      null,
                      started != null);
              return store
                  .insert(payment, key, now.plusMillis(config.pollAfterMs()))
                  .compose(
                      inserted -> {
                        if (inserted.isEmpty()) {
                          return store
                              .byIdempotencyKey(userId, key)
                              .map(winner -> replay(winner.orElseThrow(), requestHash));
                        }
                        if (failure != null) {
                          return Future.failedFuture(
                              pendingFailure(failure, paymentId).toException());
                        }
                        return Future.succeededFuture(view(inserted.get()).put("replayed", false));
                      });
            });
  }

  /**
   * Starts again, with the same provider idempotency key, a payment whose start had an unknown
   * outcome: the provider answers the payment it made, or makes it now. A definite refusal ends the
   * payment as failed.
   */
  Future<PaymentRow> resume(PaymentRow payment) {
    if (payment.checkoutStarted() || !payment.isPending()) {
      return Future.succeededFuture(payment);
    }
    Gateway gateway = gateways.find(payment.gateway()).orElse(null);
    if (gateway == null) {
      return Future.failedFuture(
          Failure.of(
                  ErrorCode.UNAVAILABLE,
                  "the payment provider " + payment.gateway() + " is not enabled")
              .toException());
    }
    CheckoutRequest request =
        new CheckoutRequest(
            payment.id(),
            payment.userId(),
            payment.amountMinor(),
            payment.currency(),
            payment.returnUrl(),
            payment.id());
    return calls
        .call(
            gateway,
            "startCheckout",
            payment.id(),
            g -> g.startCheckout(request),
            CheckoutResult.Failed::new)
        .compose(
            result -> {
              if (result instanceof CheckoutResult.Started started) {
                return store
                    .markStarted(
                        payment.id(),
                        started.providerReference(),
                        started.clientSecret(),
                        started.redirectUrl(),
                        clock.instant())
                    .compose(
                        updated ->
                            updated.isPresent()
                                ? Future.succeededFuture(updated.get())
                                : store.byId(payment.id()).map(Optional::orElseThrow));
              }
              GatewayFailure failure = ((CheckoutResult.Failed) result).failure();
              if (failure.outcomeUnknown()) {
                return Future.failedFuture(pendingFailure(failure, payment.id()).toException());
              }
              return store
                  .markFailed(
                      payment.id(),
                      "provider_refused",
                      clock.instant(),
                      PaymentEvents.topupFailed(config.publicUrl(), clock.instant()))
                  .compose(v -> Future.failedFuture(GatewayCalls.toFailure(failure).toException()));
            });
  }

  /** The answer for a payment stored as pending whose start had an unknown outcome. */
  private static Failure pendingFailure(GatewayFailure failure, String paymentId) {
    String detail =
        (failure.kind() == GatewayFailure.Kind.TIMEOUT
                ? "the payment provider did not answer in time"
                : "the payment provider's answer was lost or unreadable (" + kind(failure) + ")")
            + "; top-up "
            + paymentId
            + " is kept pending: retry with the same Idempotency-Key to "
            + "get its checkout";
    return Failure.of(
        failure.kind() == GatewayFailure.Kind.TIMEOUT ? ErrorCode.TIMEOUT : ErrorCode.GATEWAY_ERROR,
        detail);
  }

  private static String kind(GatewayFailure failure) {
    return failure.kind().name().toLowerCase(Locale.ROOT);
  }

  private JsonObject replay(PaymentRow payment, byte[] requestHash) {
    if (!Arrays.equals(payment.requestHash(), requestHash)) {
      throw Failure.of(
              ErrorCode.IDEMPOTENCY_CONFLICT,
              "the idempotency key was already used with a "
                  + "different request; use a new key for a new request")
          .toException();
    }
    return view(payment).put("replayed", true);
  }

  Future<JsonObject> get(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String id = Requests.text(body, "id", 64);
    return store
        .byId(id)
        .map(
            found ->
                found
                    .filter(p -> p.userId().equals(userId))
                    .map(this::view)
                    .orElseThrow(
                        () -> Failure.of(ErrorCode.NOT_FOUND, "no top-up " + id).toException()));
  }

  Future<JsonObject> list(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    int limit = body.getInteger("limit", Limits.PAGE_LIMIT_DEFAULT);
    if (limit < 1 || limit > Limits.PAGE_LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be between 1 and " + Limits.PAGE_LIMIT_MAX)
          .toException();
    }
    return store
        .page(userId, body.getString("starting_after"), limit + 1)
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              rows.stream().limit(limit).forEach(row -> data.add(view(row)));
              return new JsonObject().put("data", data).put("has_more", rows.size() > limit);
            });
  }

  JsonObject view(PaymentRow payment) {
    return payment.toTopup(config.publicUrl()).toJson();
  }

  private static String returnUrl(JsonObject body) {
    Object value = body.getValue("return_url");
    if (value == null) {
      return null;
    }
    if (!(value instanceof String url)
        || url.length() > RETURN_URL_LENGTH_MAX
        || !url.matches("^https?://[^\\s/]+[^\\s]*$")) {
      throw Failure.invalid(
              "return_url",
              "return_url must be an absolute http(s) URL of at most "
                  + RETURN_URL_LENGTH_MAX
                  + " characters")
          .toException();
    }
    return url;
  }

  private static String token() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Lower-case base32 (RFC 4648 alphabet), for ids that read well in URLs and logs. */
  static String base32(byte[] bytes, int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    StringBuilder out = new StringBuilder(length);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5 && out.length() < length) {
        out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    return out.toString();
  }
}
