package dev.kopek.http;

import dev.kopek.client.EventsClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * Webhook endpoints, their delivery attempts, the event feed and redelivery, for administrators:
 * each operation is one request to the events verticle ({@code kopek.webhooks.*}), which checks
 * what the contract cannot (event types, the target's addresses, cursors) and answers with a typed
 * failure naming the field. Creating an endpoint or changing its URL looks the URL's host up first,
 * so it waits longer ({@link HttpConfig#webhookTargetTimeoutMs}) than the other operations.
 */
final class WebhooksApi {

  private final EventsClient events;
  private final EventsClient lookingUp;

  WebhooksApi(EventsClient events, HttpConfig config) {
    this.events = events;
    this.lookingUp = events.withTimeout(config.webhookTargetTimeoutMs());
  }

  void createWebhookEndpoint(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request =
        new JsonObject()
            .put("url", body.getString("url"))
            .put("enabled_events", body.getJsonArray("enabled_events"))
            .put("description", body.getString("description"));
    reply(ctx, 201, lookingUp.createEndpoint(request));
  }

  void listWebhookEndpoints(RoutingContext ctx) {
    reply(ctx, 200, events.endpoints());
  }

  void getWebhookEndpoint(RoutingContext ctx) {
    reply(ctx, 200, events.endpoint(pathId(ctx)));
  }

  /** Changes only what the body names; a new URL is looked up, so that waits longer. */
  void updateWebhookEndpoint(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request = withId(ctx);
    for (String field : new String[] {"url", "enabled_events", "description", "status"}) {
      if (body.getValue(field) != null) {
        request.put(field, body.getValue(field));
      }
    }
    reply(
        ctx,
        200,
        request.containsKey("url")
            ? lookingUp.updateEndpoint(pathId(ctx), request)
            : events.updateEndpoint(pathId(ctx), request));
  }

  void deleteWebhookEndpoint(RoutingContext ctx) {
    reply(ctx, 200, events.deleteEndpoint(pathId(ctx)));
  }

  void rotateWebhookSecret(RoutingContext ctx) {
    reply(ctx, 200, events.rotateSecret(pathId(ctx)));
  }

  void listWebhookDeliveries(RoutingContext ctx) {
    ValidatedRequest validated = Replies.validated(ctx);
    RequestParameter before = validated.getQuery().get("before");
    JsonObject request =
        new JsonObject()
            .put("endpoint_id", pathId(ctx))
            .put("event_id", Replies.string(validated, "event_id"))
            .put("before", before == null || before.isNull() ? null : before.getLong())
            .put("limit", Replies.limit(ctx));
    reply(ctx, 200, events.deliveries(request));
  }

  /** The feed; {@code type} may be repeated, or carry types separated by commas, or both. */
  void listEvents(RoutingContext ctx) {
    ValidatedRequest validated = Replies.validated(ctx);
    JsonObject request =
        new JsonObject()
            .put("after", Replies.string(validated, "after"))
            .put("types", types(validated.getQuery().get("type")))
            .put("user_id", Replies.string(validated, "user_id"))
            .put("limit", Replies.limit(ctx));
    reply(ctx, 200, events.events(request));
  }

  void getEvent(RoutingContext ctx) {
    reply(ctx, 200, events.event(pathId(ctx)));
  }

  /** Queues the event again: 202, the deliveries happen after the reply. */
  void redeliverEvent(RoutingContext ctx) {
    RequestParameter body = Replies.validated(ctx).getBody();
    JsonObject request = withId(ctx);
    if (body != null && !body.isNull() && body.getJsonObject() != null) {
      request.put("endpoint_id", body.getJsonObject().getString("endpoint_id"));
    }
    reply(ctx, 202, events.redeliver(pathId(ctx), request.getString("endpoint_id")));
  }

  private static JsonArray types(RequestParameter parameter) {
    if (parameter == null || parameter.isNull()) {
      return null;
    }
    JsonArray types = new JsonArray();
    for (Object value : parameter.getJsonArray()) {
      for (String type : String.valueOf(value).split(",")) {
        if (!types.contains(type)) {
          types.add(type);
        }
      }
    }
    return types;
  }

  private static String pathId(RoutingContext ctx) {
    return Replies.validated(ctx).getPathParameters().get("id").getString();
  }

  private static JsonObject withId(RoutingContext ctx) {
    return new JsonObject().put("id", pathId(ctx));
  }

  private static void reply(RoutingContext ctx, int status, Future<JsonObject> reply) {
    reply
        .onSuccess(body -> Replies.json(ctx, status, body))
        .onFailure(error -> Replies.failed(ctx, error));
  }
}
