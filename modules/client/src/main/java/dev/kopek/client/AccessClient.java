package dev.kopek.client;

import dev.kopek.model.access.AccessAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * API keys and the audit log over the event bus ({@code kopek.access.*}, docs/EVENT-BUS.md). The
 * requests and replies are the documented JSON objects, the HTTP API's bodies as they are. Failures
 * as in every client. Immutable and thread-safe; every request waits at most the client's timeout.
 */
public final class AccessClient {

  private final Channel channel;

  private AccessClient(Channel channel) {
    this.channel = channel;
  }

  /** A client of the access verticle on {@code vertx}'s event bus. */
  public static AccessClient create(Vertx vertx, long timeoutMs) {
    return new AccessClient(new Channel(vertx, timeoutMs, false));
  }

  /** The same client, sending to this Vert.x's own access verticle only. */
  public AccessClient localOnly() {
    return new AccessClient(channel.withLocalOnly());
  }

  /**
   * Creates a key: {@code {"name","scopes","expires_at"?,"created_by"}}; the reply carries the
   * whole key ({@code key}) this once.
   */
  public Future<JsonObject> createKey(JsonObject request) {
    return channel.request(AccessAddresses.KEY_CREATE, request);
  }

  /** {@code {"data":[key]}}, without secrets. */
  public Future<JsonObject> keys() {
    return channel.request(AccessAddresses.KEYS_LIST, new JsonObject());
  }

  public Future<JsonObject> revokeKey(String id) {
    return channel.request(AccessAddresses.KEY_REVOKE, new JsonObject().put("id", id));
  }

  /** A new secret (in {@code key}); the current one keeps working for {@code graceMs}. */
  public Future<JsonObject> rollKey(String id, long graceMs) {
    return channel.request(
        AccessAddresses.KEY_ROLL, new JsonObject().put("id", id).put("grace_ms", graceMs));
  }

  /** {@code {"id","scopes","valid_until"}} for a working key, else {@code unauthorized}. */
  public Future<JsonObject> verifyKey(String id, String secret) {
    return channel.request(
        AccessAddresses.KEY_VERIFY, new JsonObject().put("id", id).put("secret", secret));
  }

  /**
   * A one-time sign-in link for the portal or the console: {@code {"kind","user_id",
   * "return_url"?,"created_by","idle_ms","lifetime_ms"}}.
   */
  public Future<JsonObject> createWebLink(JsonObject request) {
    return channel.request(AccessAddresses.WEB_LINK_CREATE, request);
  }

  /** Uses a link (once): the session, with its {@code session_token}. */
  public Future<JsonObject> redeemWebLink(String kind, String linkToken) {
    return channel.request(
        AccessAddresses.WEB_LINK_REDEEM,
        new JsonObject().put("kind", kind).put("link_token", linkToken));
  }

  /** The session of a cookie, its idle time restarted; {@code unauthorized} when it is over. */
  public Future<JsonObject> touchWebSession(String kind, String sessionToken) {
    return channel.request(
        AccessAddresses.WEB_SESSION_TOUCH,
        new JsonObject().put("kind", kind).put("session_token", sessionToken));
  }

  /** Signs a session out. */
  public Future<JsonObject> endWebSession(String sessionToken) {
    return channel.request(
        AccessAddresses.WEB_SESSION_END, new JsonObject().put("session_token", sessionToken));
  }

  /** Appends to the audit log. */
  public Future<JsonObject> record(JsonObject entry) {
    return channel.request(AccessAddresses.AUDIT_RECORD, entry);
  }

  /** A page of the audit log, newest first. */
  public Future<JsonObject> audit(JsonObject query) {
    return channel.request(AccessAddresses.AUDIT_LIST, query);
  }
}
