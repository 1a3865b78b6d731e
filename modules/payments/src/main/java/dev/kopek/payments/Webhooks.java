package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
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
 * and then recorded, so a redelivery of a processed event is acknowledged without work, and a
 * crash between the two leads to reprocessing, which changes nothing.
 */
final class Webhooks {

  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

  private final GatewayRegistry gateways;
  private final GatewayCalls calls;
  private final PaymentStore store;
  private final Settlement settlement;
  private final Clock clock;

  Webhooks(GatewayRegistry gateways, GatewayCalls calls, PaymentStore store, Settlement settlement,
      Clock clock) {
    this.gateways = gateways;
    this.calls = calls;
    this.store = store;
    this.settlement = settlement;
    this.clock = clock;
  }

  Future<JsonObject> receive(JsonObject body) {
    String gatewayId = body.getString("gateway", "");
    Gateway gateway = gateways.find(gatewayId).orElseThrow(() -> Failure.of(ErrorCode.NOT_FOUND,
        "no payment provider " + gatewayId + " is enabled").toException());
    WebhookRequest request = new WebhookRequest(
        Base64.getDecoder().decode(body.getString("body_base64", "")),
        headers(body.getJsonObject("headers", new JsonObject())),
        body.getString("content_type"));
    return calls.call(gateway, "parseWebhook", g -> g.parseWebhook(request))
        .compose(result -> handle(gatewayId, result));
  }

  private Future<JsonObject> handle(String gatewayId, WebhookResult result) {
    if (result instanceof WebhookResult.Invalid invalid) {
      LOG.warn("Refused a webhook to /webhooks/{}: {}", gatewayId, invalid.reason());
      return Future.failedFuture(Failure.invalid("signature",
          "the webhook's signature could not be verified").toException());
    }
    if (result instanceof WebhookResult.Verified verified) {
      return process(gatewayId, verified.event());
    }
    return Future.succeededFuture(outcome("ignored"));
  }

  private Future<JsonObject> process(String gatewayId, GatewayEvent event) {
    return store.eventSeen(gatewayId, event.providerEventId()).compose(seen -> {
      if (seen) {
        return Future.succeededFuture(outcome("duplicate"));
      }
      return payment(gatewayId, event).compose(payment -> {
        if (payment.isEmpty()) {
          LOG.warn("Webhook {} from {} names no known payment (payment id {}, reference {})",
              event.providerEventId(), gatewayId, event.paymentId(), event.providerReference());
          return store.recordEvent(gatewayId, event.providerEventId(), event.type(), null,
              clock.instant()).map(v -> outcome("ignored"));
        }
        return settlement.apply(payment.get(), event.outcome(), event.amountMinor(),
                event.currency(), "webhook " + event.providerEventId())
            .compose(settled -> store.recordEvent(gatewayId, event.providerEventId(), event.type(),
                settled.id(), clock.instant()))
            .map(recorded -> outcome(recorded ? "processed" : "duplicate"));
      });
    });
  }

  private Future<Optional<PaymentRow>> payment(String gatewayId, GatewayEvent event) {
    Future<Optional<PaymentRow>> byId = event.paymentId() == null
        ? Future.succeededFuture(Optional.empty())
        : store.byId(event.paymentId()).map(found -> found.filter(p -> p.gateway().equals(gatewayId)));
    return byId.compose(found -> found.isPresent() || event.providerReference() == null
        ? Future.succeededFuture(found)
        : store.byReference(gatewayId, event.providerReference()));
  }

  private static JsonObject outcome(String result) {
    return new JsonObject().put("result", result);
  }

  private static Map<String, List<String>> headers(JsonObject json) {
    Map<String, List<String>> headers = new HashMap<>();
    json.forEach(header -> {
      if (header.getValue() instanceof JsonArray values) {
        headers.put(header.getKey(), values.stream().map(String::valueOf).toList());
      } else if (header.getValue() != null) {
        headers.put(header.getKey(), List.of(String.valueOf(header.getValue())));
      }
    });
    return headers;
  }
}
