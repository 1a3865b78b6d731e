package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.StatusResult;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Hashes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider webhooks: verified by the provider's gateway from the raw body and headers before
 * anything is read from them; a verified event is applied through {@link Settlement} (idempotent)
 * and then recorded, so a redelivery of a processed event is acknowledged without work, and a crash
 * between the two leads to reprocessing, which changes nothing.
 *
 * <p>An event is matched to a payment by the provider object Kopek stored for it (the
 * PaymentIntent, Checkout Session or transaction id); the Kopek payment id the object carries
 * (metadata, order id) is only a cross-check. An event whose object Kopek did not store is never
 * taken at its word: when it names a Kopek payment, the provider is asked about that payment and
 * the payment is settled from the provider's answer; money the provider reports on an object that
 * no payment accounts for (one Kopek never created, a second paid object for a settled payment) is
 * recorded as an unmatched provider payment and logged at ERROR — never credited, never dropped.
 */
final class Webhooks {

  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

  private final GatewayRegistry gateways;
  private final GatewayCalls calls;
  private final PaymentStore store;
  private final Settlement settlement;
  private final Clock clock;

  Webhooks(
      GatewayRegistry gateways,
      GatewayCalls calls,
      PaymentStore store,
      Settlement settlement,
      Clock clock) {
    this.gateways = gateways;
    this.calls = calls;
    this.store = store;
    this.settlement = settlement;
    this.clock = clock;
  }

  Future<JsonObject> receive(JsonObject body) {
    String gatewayId = body.getString("gateway", "");
    Gateway gateway =
        gateways
            .find(gatewayId)
            .orElseThrow(
                () ->
                    Failure.of(
                            ErrorCode.NOT_FOUND, "no payment provider " + gatewayId + " is enabled")
                        .toException());
    WebhookRequest request =
        new WebhookRequest(
            Base64.getDecoder().decode(body.getString("body_base64", "")),
            headers(body.getJsonObject("headers", new JsonObject())),
            body.getString("content_type"));
    return calls
        .call(
            gateway,
            "parseWebhook",
            null,
            g -> g.parseWebhook(request),
            failure -> {
              GatewayCalls.log(gateway, "parseWebhook", null, failure);
              return (WebhookResult) null;
            })
        .compose(
            result ->
                result != null
                    ? Future.succeededFuture(result)
                    : Future.failedFuture(
                        Failure.of(
                                ErrorCode.UNAVAILABLE,
                                "the webhook could not be "
                                    + "verified right now; the provider will deliver it again")
                            .toException()))
        .compose(result -> handle(gateway, result));
  }

  private Future<JsonObject> handle(Gateway gateway, WebhookResult result) {
    if (result instanceof WebhookResult.Invalid invalid) {
      LOG.warn("Refused a webhook to /webhooks/{}: {}", gateway.id(), invalid.reason());
      return Future.failedFuture(
          Failure.invalid("signature", "the webhook's signature could not be verified")
              .toException());
    }
    if (result instanceof WebhookResult.Verified verified) {
      return process(gateway, verified.event());
    }
    return Future.succeededFuture(outcome("ignored"));
  }

  private Future<JsonObject> process(Gateway gateway, GatewayEvent event) {
    String gatewayId = gateway.id();
    return store
        .eventSeen(gatewayId, event.providerEventId())
        .compose(
            seen -> {
              if (seen) {
                return Future.succeededFuture(outcome("duplicate"));
              }
              Future<Optional<PaymentRow>> stored =
                  event.providerReference() == null
                      ? Future.succeededFuture(Optional.empty())
                      : store.byReference(gatewayId, event.providerReference());
              return stored.compose(
                  byReference -> {
                    if (byReference.isPresent()) {
                      return matched(gatewayId, event, byReference.get());
                    }
                    Future<Optional<PaymentRow>> named =
                        event.paymentId() == null
                            ? Future.succeededFuture(Optional.empty())
                            : store
                                .byId(event.paymentId())
                                .map(found -> found.filter(p -> p.gateway().equals(gatewayId)));
                    return named.compose(
                        payment ->
                            payment.isPresent()
                                ? verifyWithProvider(gateway, event, payment.get())
                                : unknownObject(gatewayId, event));
                  });
            });
  }

  /** The event is about the object Kopek stored for {@code payment}. */
  private Future<JsonObject> matched(String gatewayId, GatewayEvent event, PaymentRow payment) {
    if (event.paymentId() != null && !event.paymentId().equals(payment.id())) {
      String reason =
          event.providerReference()
              + " is the object Kopek stored for payment "
              + payment.id()
              + ", but it names payment "
              + event.paymentId();
      return unmatched(gatewayId, event, reason);
    }
    return settle(
        gatewayId, event, payment, event.outcome(), event.amountMinor(), event.currency());
  }

  /**
   * The event names {@code payment} but not the object Kopek stored for it (none stored yet, a
   * payer's second attempt, or an object Kopek never made): the provider is asked about the
   * payment, and the payment is settled from its answer. The event's object is accepted only when
   * the provider's answer is that object.
   */
  private Future<JsonObject> verifyWithProvider(
      Gateway gateway, GatewayEvent event, PaymentRow payment) {
    return calls
        .call(
            gateway,
            "fetchStatus",
            payment.id(),
            g -> g.fetchStatus(payment.id(), payment.providerReference()),
            StatusResult.Failed::new)
        .compose(
            status -> {
              if (!(status instanceof StatusResult.Known known)) {
                // Not acknowledged: the provider delivers the event again later.
                return Future.failedFuture(
                    Failure.of(
                            ErrorCode.UNAVAILABLE,
                            "the payment provider "
                                + "could not confirm event "
                                + event.providerEventId()
                                + " right now")
                        .toException());
              }
              boolean same =
                  event.providerReference() == null
                      || event.providerReference().equals(known.providerReference());
              Future<Void> bound =
                  same
                          && known.providerReference() != null
                          && !known.providerReference().equals(payment.providerReference())
                      ? store.bindReference(
                          payment.id(), known.providerReference(), clock.instant())
                      : Future.succeededFuture();
              Future<PaymentRow> settled =
                  bound.compose(
                      v ->
                          settlement.apply(
                              payment,
                              known.outcome(),
                              known.amountMinor(),
                              known.currency(),
                              "webhook "
                                  + event.providerEventId()
                                  + ", confirmed with the provider"));
              if (same) {
                return settled.compose(p -> record(gateway.id(), event, p.id(), "processed"));
              }
              String reason =
                  payment.id()
                      + " is paid through "
                      + known.providerReference()
                      + " as the provider reports it; "
                      + event.providerReference()
                      + " is another object naming it";
              return settled.compose(p -> unmatched(gateway.id(), event, reason));
            });
  }

  /** The event names no payment Kopek knows. */
  private Future<JsonObject> unknownObject(String gatewayId, GatewayEvent event) {
    if (event.providerReference() != null) {
      return unmatched(
          gatewayId,
          event,
          "no Kopek payment has "
              + event.providerReference()
              + (event.paymentId() == null ? "" : " or is " + event.paymentId()));
    }
    LOG.warn(
        "Webhook {} from {} names no known payment (payment id {}, reference {})",
        event.providerEventId(),
        gatewayId,
        event.paymentId(),
        event.providerReference());
    return record(gatewayId, event, null, "ignored");
  }

  /**
   * Money on an object no payment accounts for is recorded (once per object) and logged at ERROR;
   * other events about such objects are only noted.
   */
  private Future<JsonObject> unmatched(String gatewayId, GatewayEvent event, String reason) {
    if (!(event.outcome() instanceof PaymentOutcome.Succeeded)) {
      LOG.warn(
          "Webhook {} from {} ({}) is about an object no payment accounts for: {}; "
              + "nothing to do",
          event.providerEventId(),
          gatewayId,
          event.type(),
          reason);
      return record(gatewayId, event, null, "ignored");
    }
    String id =
        "upp_" + Topups.base32(Hashes.sha256(gatewayId + "\n" + event.providerReference()), 26);
    return store
        .recordUnmatched(
            id,
            gatewayId,
            event.providerReference(),
            event.paymentId(),
            event.amountMinor(),
            event.currency(),
            reason,
            "webhook " + event.type(),
            event.providerEventId(),
            clock.instant())
        .compose(
            first -> {
              if (first) {
                LOG.error(
                    "UNMATCHED PROVIDER PAYMENT, NOT CREDITED: {} reports {} {} received on {} "
                        + "(event {}): {}. Recorded as {}; refund it at the provider or credit the user "
                        + "by an adjustment.",
                    gatewayId,
                    event.amountMinor(),
                    event.currency(),
                    event.providerReference(),
                    event.providerEventId(),
                    reason,
                    id);
              }
              return record(gatewayId, event, null, "unmatched");
            });
  }

  private Future<JsonObject> settle(
      String gatewayId,
      GatewayEvent event,
      PaymentRow payment,
      PaymentOutcome outcome,
      long amountMinor,
      String currency) {
    return settlement
        .apply(payment, outcome, amountMinor, currency, "webhook " + event.providerEventId())
        .compose(settled -> record(gatewayId, event, settled.id(), "processed"));
  }

  private Future<JsonObject> record(
      String gatewayId, GatewayEvent event, String paymentId, String result) {
    return store
        .recordEvent(gatewayId, event.providerEventId(), event.type(), paymentId, clock.instant())
        .map(recorded -> outcome(recorded ? result : "duplicate"));
  }

  private static JsonObject outcome(String result) {
    return new JsonObject().put("result", result);
  }

  private static Map<String, List<String>> headers(JsonObject json) {
    Map<String, List<String>> headers = new HashMap<>();
    json.forEach(
        header -> {
          if (header.getValue() instanceof JsonArray values) {
            headers.put(header.getKey(), values.stream().map(String::valueOf).toList());
          } else if (header.getValue() != null) {
            headers.put(header.getKey(), List.of(String.valueOf(header.getValue())));
          }
        });
    return headers;
  }
}
