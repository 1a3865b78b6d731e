package dev.kopek.events;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A merchant's webhook endpoint on loopback, on a Vert.x of its own: records every request (headers
 * and the raw body) and answers as scripted: a status, after a delay if asked. It can also stop
 * listening (connection refused) and listen again on the same port.
 */
final class Receiver implements AutoCloseable {

  /** One request as it arrived. */
  record Delivery(Map<String, List<String>> headers, byte[] body, long arrivedNanos) {

    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    String id() {
      return header("webhook-id");
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonObject json() {
      return new JsonObject(text());
    }
  }

  /** How to answer a request: a status after a delay. */
  record Answer(int status, long delayMs) {
    static Answer of(int status) {
      return new Answer(status, 0);
    }
  }

  private final Vertx vertx;
  private final List<Delivery> deliveries = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Function<Delivery, Answer> script = d -> Answer.of(200);
  private HttpServer server;
  private int port;

  private Receiver(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A receiver answering 200 to everything, listening on a free loopback port. */
  static Receiver start() {
    Receiver receiver = new Receiver(Vertx.vertx());
    receiver.listen(0);
    return receiver;
  }

  String url() {
    return "http://127.0.0.1:" + port + "/hooks";
  }

  /** From now on, answers {@code status} to every request. */
  void answer(int status) {
    script = d -> Answer.of(status);
  }

  /** From now on, answers as {@code script} decides per request. */
  void answer(Function<Delivery, Answer> script) {
    this.script = script;
  }

  /** Every request so far, in arrival order. */
  synchronized List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  synchronized int count() {
    return deliveries.size();
  }

  /** The requests carrying {@code webhook-id: id}. */
  synchronized List<Delivery> of(String id) {
    return deliveries.stream().filter(d -> id.equals(d.id())).toList();
  }

  /** The most requests that were ever under way at once (arrived, not yet answered). */
  int maxInFlight() {
    return maxInFlight.get();
  }

  /** Stops listening: new connections are refused. */
  void down() {
    if (server != null) {
      EventsFixture.await(server.close());
      server = null;
    }
  }

  /** Listens again on the same port. */
  void up() {
    listen(port);
  }

  private void listen(int onPort) {
    server =
        EventsFixture.await(
            vertx.createHttpServer().requestHandler(this::handle).listen(onPort, "127.0.0.1"));
    port = server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    long arrived = System.nanoTime();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    AtomicBoolean finished = new AtomicBoolean();
    Runnable finish =
        () -> {
          if (finished.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
          }
        };
    request.connection().closeHandler(v -> finish.run());
    request
        .body()
        .onFailure(e -> finish.run())
        .onSuccess(
            body -> {
              Map<String, List<String>> headers = new LinkedHashMap<>();
              request
                  .headers()
                  .forEach(
                      h ->
                          headers
                              .computeIfAbsent(
                                  h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                              .add(h.getValue()));
              Delivery delivery = new Delivery(headers, body.getBytes(), arrived);
              synchronized (this) {
                deliveries.add(delivery);
              }
              Answer answer = script.apply(delivery);
              Runnable respond =
                  () -> {
                    if (!request.response().closed()) {
                      request
                          .response()
                          .setStatusCode(answer.status())
                          .end("{\"received\":true}")
                          .onComplete(done -> finish.run());
                    } else {
                      finish.run();
                    }
                  };
              if (answer.delayMs() > 0) {
                vertx.setTimer(answer.delayMs(), t -> respond.run());
              } else {
                respond.run();
              }
            });
  }

  @Override
  public void close() {
    EventsFixture.await(vertx.close());
  }
}
