package dev.kopek.gateway.sandbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** An HTTP server on a free loopback port that records webhooks and answers as told. */
final class WebhookReceiver implements AutoCloseable {

  /** One request as it arrived. */
  record Received(String method, byte[] body, Map<String, List<String>> headers) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();

  private final int otherwise;

  /** Starts a receiver that answers the given statuses in turn, then 200. */
  WebhookReceiver(Integer... statuses) throws IOException {
    this(200, statuses);
  }

  /** Starts a receiver that answers every request with the status. */
  static WebhookReceiver alwaysAnswering(int status) throws IOException {
    return new WebhookReceiver(status, new Integer[0]);
  }

  private WebhookReceiver(int otherwise, Integer... statuses) throws IOException {
    this.otherwise = otherwise;
    answers.addAll(List.of(statuses));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/webhooks/sandbox",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            synchronized (received) {
              received.add(
                  new Received(
                      exchange.getRequestMethod(), body, Map.copyOf(exchange.getRequestHeaders())));
              received.notifyAll();
            }
            Integer status = answers.poll();
            exchange.sendResponseHeaders(status == null ? this.otherwise : status, -1);
          } finally {
            exchange.close();
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  /** Kopek's webhook URL as the sandbox is told it. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/sandbox";
  }

  /** Waits until at least {@code count} requests have arrived; false when the time ran out. */
  boolean await(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(received, left);
      }
      return true;
    }
  }

  List<Received> received() {
    return new ArrayList<>(received);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
