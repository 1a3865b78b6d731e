package dev.kopek.payments;

import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

  Topups(PaymentsConfig config, GatewayRegistry gateways, GatewayCalls calls, PaymentStore store,
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
    String gatewayId = body.getString("gateway") == null ? config.defaultGateway() : body.getString("gateway");
    Gateway gateway = gateways.find(gatewayId).orElseThrow(() -> Failure.invalid("gateway",
        "gateway must be one of " + gateways.ids() + ", was " + gatewayId).toException());
    String returnUrl = returnUrl(body);
    byte[] requestHash = sha256(userId + "\n" + amountMinor + "\n" + currency + "\n" + gatewayId
        + "\n" + returnUrl);
    return store.byIdempotencyKey(userId, key).compose(existing -> {
      if (existing.isPresent()) {
        return Future.succeededFuture(replay(existing.get(), requestHash));
      }
      return start(userId, key, amountMinor, currency, gateway, returnUrl, requestHash);
    });
  }

  private Future<JsonObject> start(String userId, String key, long amountMinor, String currency,
      Gateway gateway, String returnUrl, byte[] requestHash) {
    String paymentId = "pay_" + base32(sha256("payment\n" + userId + "\n" + key), 26);
    String token = token();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    String finalReturnUrl = returnUrl != null ? returnUrl
        : config.publicUrl() + "/checkout/" + token + "/complete";
    CheckoutRequest request = new CheckoutRequest(paymentId, userId, amountMinor, currency,
        finalReturnUrl, paymentId);
    return calls.call(gateway, "startCheckout", g -> g.startCheckout(request))
        .recover(error -> Future.succeededFuture(new CheckoutResult.Failed(new GatewayFailure(
            GatewayFailure.Kind.TIMEOUT, String.valueOf(error.getMessage())))))
        .compose(result -> {
          if (result instanceof CheckoutResult.Failed failed) {
            return Future.failedFuture(gatewayFailure(failed.failure()).toException());
          }
          CheckoutResult.Started started = (CheckoutResult.Started) result;
          PaymentRow payment = new PaymentRow(paymentId, userId, gateway.id(), amountMinor,
              currency, "pending", null, started.providerReference(), started.clientSecret(),
              started.redirectUrl(), finalReturnUrl, token,
              now.plusMillis(config.checkoutTtlMs()), requestHash, null, 0, 0, now, null);
          return store.insert(payment, key, now.plusMillis(config.pollAfterMs()))
              .compose(inserted -> inserted.isPresent()
                  ? Future.succeededFuture(view(inserted.get()).put("replayed", false))
                  : store.byIdempotencyKey(userId, key)
                      .map(winner -> replay(winner.orElseThrow(), requestHash)));
        });
  }

  static Failure gatewayFailure(GatewayFailure failure) {
    return failure.kind() == GatewayFailure.Kind.TIMEOUT
        ? Failure.of(ErrorCode.TIMEOUT, "the payment provider did not answer in time; retry with "
            + "the same Idempotency-Key")
        : Failure.of(ErrorCode.GATEWAY_ERROR, "the payment provider refused or could not be "
            + "reached (" + failure.kind().name().toLowerCase(Locale.ROOT) + "); retry with the "
            + "same Idempotency-Key");
  }

  private JsonObject replay(PaymentRow payment, byte[] requestHash) {
    if (!Arrays.equals(payment.requestHash(), requestHash)) {
      throw Failure.of(ErrorCode.IDEMPOTENCY_CONFLICT, "the idempotency key was already used with a "
          + "different request; use a new key for a new request").toException();
    }
    return view(payment).put("replayed", true);
  }

  Future<JsonObject> get(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String id = Requests.text(body, "id", 64);
    return store.byId(id).map(found -> found.filter(p -> p.userId().equals(userId))
        .map(this::view)
        .orElseThrow(() -> Failure.of(ErrorCode.NOT_FOUND, "no top-up " + id).toException()));
  }

  Future<JsonObject> list(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    int limit = body.getInteger("limit", 20);
    if (limit < 1 || limit > Limits.PAGE_LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be between 1 and " + Limits.PAGE_LIMIT_MAX).toException();
    }
    return store.page(userId, body.getString("starting_after"), limit + 1).map(rows -> {
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
    if (!(value instanceof String url) || url.length() > RETURN_URL_LENGTH_MAX
        || !url.matches("^https?://[^\\s/]+[^\\s]*$")) {
      throw Failure.invalid("return_url", "return_url must be an absolute http(s) URL of at most "
          + RETURN_URL_LENGTH_MAX + " characters").toException();
    }
    return url;
  }

  private static String token() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
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

  Optional<Gateway> gateway(String id) {
    return gateways.find(id);
  }
}
