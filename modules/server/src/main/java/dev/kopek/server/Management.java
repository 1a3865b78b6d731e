package dev.kopek.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The management listener ({@code management}): Prometheus metrics at {@code /metrics} on an
 * address of their own, by default {@code 127.0.0.1:9090}, apart from the public API. With it on,
 * the public listener answers {@code /metrics} with 404.
 *
 * @param enabled whether the listener runs
 * @param host the interface it listens on
 * @param port its TCP port; 0 picks a free one (logged)
 */
record Management(boolean enabled, String host, int port) {

  /** Checks the settings; the message names the key. */
  Management {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(
          "management.host (KOPEK_MANAGEMENT_HOST) must be an interface address such as "
              + "127.0.0.1");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "management.port (KOPEK_MANAGEMENT_PORT) must be 0..65535, was " + port);
    }
  }

  static Management from(JsonObject config) {
    JsonObject management = config.getJsonObject("management", new JsonObject());
    return new Management(
        management.getBoolean("enabled", false),
        management.getString("host", "127.0.0.1"),
        management.getInteger("port", 9090));
  }

  /** Starts the listener on {@code vertx}; a port in use fails naming {@code management.port}. */
  Future<HttpServer> start(Vertx vertx) {
    Router router = Router.router(vertx);
    if (vertx.isMetricsEnabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create());
    } else {
      router
          .get("/metrics")
          .handler(
              ctx ->
                  ctx.response()
                      .setStatusCode(503)
                      .putHeader("Content-Type", "text/plain; charset=utf-8")
                      .end("metrics are disabled (metrics.enabled: false)\n"));
    }
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(router)
        .listen()
        .recover(
            failure ->
                Future.failedFuture(
                    new IllegalStateException(
                        "management.port "
                            + port
                            + " on "
                            + host
                            + " cannot be bound ("
                            + failure.getMessage()
                            + "): stop what listens there, or set another port "
                            + "(management.port, KOPEK_MANAGEMENT_PORT)",
                        failure)));
  }
}
