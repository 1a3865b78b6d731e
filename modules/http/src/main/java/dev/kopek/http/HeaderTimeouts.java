package dev.kopek.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Closes connections that do not deliver a complete request head in time ({@code
 * http.header_timeout_ms}), which the idle timeout alone cannot do: a client trickling a byte now
 * and then is never idle. A new connection has that long for its first request head; a kept-alive
 * one, once its last reply is sent, has the idle timeout plus that long for the next (left idle,
 * the idle timeout closes it first). While a request is being served there is no deadline here.
 *
 * <p>One instance per HTTP verticle, confined to its event loop. Requests only record the
 * connection's latest request (no timer per request); a periodic sweep does the rest.
 */
final class HeaderTimeouts {

  private static final class Tracked {
    /** When the connection is closed unless a request head arrives; 0 while serving. */
    long deadlineMs;

    /** The latest request on the connection: once its reply is sent, the deadline runs again. */
    HttpServerRequest latest;
  }

  private final long headerTimeoutMs;
  private final long keptAliveMs;
  private final Map<HttpConnection, Tracked> connections = new HashMap<>();

  HeaderTimeouts(long headerTimeoutMs, int idleTimeoutS) {
    this.headerTimeoutMs = headerTimeoutMs;
    this.keptAliveMs = idleTimeoutS * 1000L + headerTimeoutMs;
  }

  /** Starts the sweep on the caller's context; returns its timer id. */
  long start(Vertx vertx) {
    long interval = Math.max(50, Math.min(1_000, headerTimeoutMs / 4));
    return vertx.setPeriodic(interval, id -> sweep());
  }

  /** The server's connection handler: a new connection's first head is due now. */
  void connected(HttpConnection connection) {
    Tracked tracked = new Tracked();
    tracked.deadlineMs = now() + headerTimeoutMs;
    connections.put(connection, tracked);
    connection.closeHandler(closed -> connections.remove(connection));
  }

  /** Wraps the server's request handler: a head arrived, so no deadline until it is answered. */
  Handler<HttpServerRequest> tracking(Handler<HttpServerRequest> requests) {
    return request -> {
      Tracked tracked = connections.get(request.connection());
      if (tracked != null) {
        tracked.deadlineMs = 0;
        tracked.latest = request;
      }
      requests.handle(request);
    };
  }

  private void sweep() {
    long now = now();
    List<HttpConnection> late = null;
    for (Map.Entry<HttpConnection, Tracked> entry : connections.entrySet()) {
      Tracked tracked = entry.getValue();
      if (tracked.deadlineMs == 0) {
        if (tracked.latest == null || !tracked.latest.response().ended()) {
          continue;
        }
        tracked.latest = null;
        tracked.deadlineMs = now + keptAliveMs;
      }
      if (now >= tracked.deadlineMs) {
        if (late == null) {
          late = new ArrayList<>();
        }
        late.add(entry.getKey());
      }
    }
    if (late != null) {
      for (HttpConnection connection : late) {
        connections.remove(connection);
        connection.close();
      }
    }
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
