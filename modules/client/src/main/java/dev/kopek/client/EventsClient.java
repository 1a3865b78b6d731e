package dev.kopek.client;

import dev.kopek.model.events.EventsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Webhook endpoints and the event feed over the event bus ({@code kopek.webhooks.*},
 * docs/EVENT-BUS.md and docs/WEBHOOKS.md). The requests and replies are the documented JSON
 * objects, which are the HTTP API's bodies as they are: an endpoint, a page of attempts, a page of
 * event envelopes. Failures as in every client ({@code validation_failed} naming the field, {@code
 * not_found}, ...). Immutable and thread-safe; every request waits at most the client's timeout.
 */
public final class EventsClient {

  private final Channel channel;

  private EventsClient(Channel channel) {
    this.channel = channel;
  }

  /** A client of the events verticle on {@code vertx}'s event bus. */
  public static EventsClient create(Vertx vertx, long timeoutMs) {
    return new EventsClient(new Channel(vertx, timeoutMs, false));
  }

  /** The same client with another timeout. */
  public EventsClient withTimeout(long timeoutMs) {
    return new EventsClient(channel.withTimeout(timeoutMs));
  }

  /** The same client, sending to this Vert.x's own events verticle only. */
  public EventsClient localOnly() {
    return new EventsClient(channel.withLocalOnly());
  }

  /**
   * Creates an endpoint: {@code {"url","enabled_events","description"?}}; the reply carries its
   * {@code secret} this once. The URL's host is looked up: allow {@code webhooks.timeout_ms}.
   */
  public Future<JsonObject> createEndpoint(JsonObject endpoint) {
    return channel.request(EventsAddresses.ENDPOINT_CREATE, endpoint);
  }

  /** {@code {"data":[endpoint]}}. */
  public Future<JsonObject> endpoints() {
    return channel.request(EventsAddresses.ENDPOINTS_LIST, new JsonObject());
  }

  public Future<JsonObject> endpoint(String id) {
    return channel.request(EventsAddresses.ENDPOINT_GET, new JsonObject().put("id", id));
  }

  /** Changes what {@code changes} names ({@code url}, {@code enabled_events}, ...). */
  public Future<JsonObject> updateEndpoint(String id, JsonObject changes) {
    return channel.request(EventsAddresses.ENDPOINT_UPDATE, changes.copy().put("id", id));
  }

  public Future<JsonObject> deleteEndpoint(String id) {
    return channel.request(EventsAddresses.ENDPOINT_DELETE, new JsonObject().put("id", id));
  }

  /** A new secret; the previous one signs beside it for {@code webhooks.secret_overlap_ms}. */
  public Future<JsonObject> rotateSecret(String id) {
    return channel.request(EventsAddresses.ENDPOINT_ROTATE_SECRET, new JsonObject().put("id", id));
  }

  /** A page of attempts: {@code {"endpoint_id","event_id"?,"before"?,"limit"?}}. */
  public Future<JsonObject> deliveries(JsonObject query) {
    return channel.request(EventsAddresses.ENDPOINT_DELIVERIES, query);
  }

  /** A page of the feed, oldest first: {@code {"after"?,"types"?,"user_id"?,"limit"?}}. */
  public Future<JsonObject> events(JsonObject query) {
    return channel.request(EventsAddresses.EVENTS_LIST, query);
  }

  public Future<JsonObject> event(String id) {
    return channel.request(EventsAddresses.EVENT_GET, new JsonObject().put("id", id));
  }

  /** Queues the event again, to one endpoint or (null) every enabled one that takes its type. */
  public Future<JsonObject> redeliver(String id, String endpointId) {
    return channel.request(
        EventsAddresses.EVENT_REDELIVER,
        new JsonObject().put("id", id).put("endpoint_id", endpointId));
  }
}
