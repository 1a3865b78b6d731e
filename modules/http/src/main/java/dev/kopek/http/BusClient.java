package dev.kopek.http;

import dev.kopek.model.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Request/reply to the capability verticles, with the configured, explicit timeouts. */
final class BusClient {

  private final Vertx vertx;
  private final long timeoutMs;

  BusClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** Sends {@code body} to {@code address}; a failure arrives as a Failure exception. */
  Future<JsonObject> request(String address, JsonObject body) {
    return Bus.request(vertx, address, body, timeoutMs);
  }

  /**
   * Sends {@code body} to {@code address}, waiting {@code timeoutMs}: for work that waits on more
   * than one ledger request (a payment provider, several ledger requests in a row).
   */
  Future<JsonObject> request(String address, JsonObject body, long timeoutMs) {
    return Bus.request(vertx, address, body, timeoutMs);
  }
}
