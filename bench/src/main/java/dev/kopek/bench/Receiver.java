package dev.kopek.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --webhook}: a merchant's webhook receiver on loopback, subscribed to every event, as cheap
 * as a receiver can be (it reads each delivery and answers 204), so that what the run measures is
 * what delivering costs Kopek.
 */
final class Receiver {

  private final HttpServer server;
  private final AtomicLong received = new AtomicLong();

  private Receiver(HttpServer server) {
    this.server = server;
  }

  static Receiver start(Vertx vertx) throws Exception {
    AtomicLong[] counter = new AtomicLong[1];
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onComplete(
                            body -> {
                              counter[0].incrementAndGet();
                              request.response().setStatusCode(204).end();
                            }))
            .listen(0, "127.0.0.1")
            .await(30, TimeUnit.SECONDS);
    Receiver receiver = new Receiver(server);
    counter[0] = receiver.received;
    return receiver;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/webhooks";
  }

  long received() {
    return received.get();
  }

  /** Creates the endpoint through the admin API, subscribed to every event type. */
  void subscribe(WebClient client, String adminToken) throws Exception {
    var reply =
        client
            .post("/v1/admin/webhook_endpoints")
            .bearerTokenAuthentication(adminToken)
            .sendJsonObject(
                new JsonObject()
                    .put("url", url())
                    .put("enabled_events", new JsonArray().add("*"))
                    .put("description", "bench receiver"))
            .await(30, TimeUnit.SECONDS);
    if (reply.statusCode() != 201) {
      throw new IllegalStateException(
          "creating the webhook endpoint answered "
              + reply.statusCode()
              + ": "
              + reply.bodyAsString());
    }
  }
}
