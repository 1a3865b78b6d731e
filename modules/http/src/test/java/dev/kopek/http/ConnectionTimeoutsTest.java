package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.testkit.Tokens;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow and idle clients cannot hold connections forever: a request head must arrive within {@code
 * http.header_timeout_ms}, and a kept-alive connection left idle is closed after {@code
 * http.idle_timeout_s}. Only the HTTP verticle runs (nothing here reaches the ledger).
 */
@DisplayName("Connection timeouts")
@Timeout(60)
class ConnectionTimeoutsTest {

  private static final int HEADER_TIMEOUT_MS = 600;

  /** The shortest idle timeout the (shortened) waits below allow: 1000 + 2 x 100 + 2000 ms. */
  private static final int IDLE_TIMEOUT_S = 5;

  private static Vertx vertx;
  private static int port;
  private static int lenientPort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    HttpVerticle strict = new HttpVerticle();
    vertx
        .deployVerticle(
            strict, new DeploymentOptions().setConfig(config(HEADER_TIMEOUT_MS, IDLE_TIMEOUT_S)))
        .await(60, TimeUnit.SECONDS);
    port = strict.actualPort();
    // Header timeout far beyond the idle timeout: whatever closes an idle connection here is the
    // idle timeout.
    HttpVerticle idleOnly = new HttpVerticle();
    vertx
        .deployVerticle(idleOnly, new DeploymentOptions().setConfig(config(30_000, IDLE_TIMEOUT_S)))
        .await(60, TimeUnit.SECONDS);
    lenientPort = idleOnly.actualPort();
  }

  private static JsonObject config(int headerTimeoutMs, int idleTimeoutS) {
    return new JsonObject()
        .put(
            "http",
            new JsonObject()
                .put("host", "127.0.0.1")
                .put("port", freePort())
                .put("header_timeout_ms", headerTimeoutMs)
                .put("idle_timeout_s", idleTimeoutS))
        .put("auth", new JsonObject().put("jwt_secret", Tokens.SECRET))
        .put("ledger", new JsonObject().put("send_timeout_ms", 100))
        .put("payments", new JsonObject().put("gateway_timeout_ms", 1000))
        .put("webhooks", new JsonObject().put("timeout_ms", 1000));
  }

  /** A port of its own for each server (port 0 would make them share one). */
  static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(60, TimeUnit.SECONDS);
  }

  /** Milliseconds until the server closes the connection, or -1 if it is open after 5 s. */
  private static long millisUntilClosed(Socket socket, long since) throws IOException {
    // Longer than the longest close this class waits for (the idle timeout), with room to spare.
    socket.setSoTimeout((IDLE_TIMEOUT_S + 3) * 1_000);
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // drain whatever the server answers before closing
      }
      return System.currentTimeMillis() - since;
    } catch (SocketTimeoutException stillOpen) {
      return -1;
    } catch (IOException reset) {
      return System.currentTimeMillis() - since;
    }
  }

  @Test
  @DisplayName("a connection that sends half a request line is closed after http.header_timeout_ms")
  void halfRequestLine() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      long opened = System.currentTimeMillis();
      socket.getOutputStream().write("GET /openapi.ya".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();

      long closedAfter = millisUntilClosed(socket, opened);

      assertThat(closedAfter)
          .as("closed after (ms)")
          .isBetween((long) HEADER_TIMEOUT_MS - 100, (long) HEADER_TIMEOUT_MS + 2_000);
    }
  }

  @Test
  @DisplayName("a connection that never sends anything is closed after http.header_timeout_ms")
  void silentConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      long opened = System.currentTimeMillis();
      assertThat(millisUntilClosed(socket, opened))
          .isBetween((long) HEADER_TIMEOUT_MS - 100, (long) HEADER_TIMEOUT_MS + 2_000);
    }
  }

  @Test
  @DisplayName(
      "a head trickled a byte at a time (never idle) is closed after http.header_timeout_ms")
  void trickledHead() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      long opened = System.currentTimeMillis();
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /openapi.yaml HTTP/1.1\r\nHost: kopek\r\n".getBytes(StandardCharsets.US_ASCII));
      boolean closed = false;
      for (int i = 0; i < 40 && !closed; i++) {
        Thread.sleep(100);
        try {
          out.write('X');
          out.flush();
        } catch (IOException reset) {
          closed = true;
        }
      }
      long closedAfter =
          closed ? System.currentTimeMillis() - opened : millisUntilClosed(socket, opened);
      assertThat(closedAfter)
          .as("closed after (ms)")
          .isPositive()
          .isLessThan(HEADER_TIMEOUT_MS + 2_000L);
    }
  }

  @Test
  @DisplayName("a kept-alive connection is served, then closed after http.idle_timeout_s idle")
  void idleKeepAlive() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", lenientPort)) {
      OutputStream out = socket.getOutputStream();
      for (int request = 0; request < 2; request++) {
        out.write(
            "GET /nothing HTTP/1.1\r\nHost: kopek\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readResponse(socket)).startsWith("HTTP/1.1 404");
      }
      long served = System.currentTimeMillis();

      long closedAfter = millisUntilClosed(socket, served);

      assertThat(closedAfter)
          .as("closed after (ms)")
          .isBetween(IDLE_TIMEOUT_S * 1000L - 100, IDLE_TIMEOUT_S * 1000L + 2_000);
    }
  }

  @Test
  @DisplayName("a request sent in time on the strict server is answered")
  void promptRequestServed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket
          .getOutputStream()
          .write(
              "GET /nothing HTTP/1.1\r\nHost: kopek\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(socket)).startsWith("HTTP/1.1 404");
    }
  }

  @Test
  @DisplayName("timeouts out of bounds stop start-up, naming the key")
  void bounds() {
    JsonObject base = config(HEADER_TIMEOUT_MS, IDLE_TIMEOUT_S);
    base.getJsonObject("http").put("idle_timeout_s", 0);
    assertThatThrownBy(() -> HttpConfig.from(base))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("http.idle_timeout_s must be between 1 and 3600, was 0");
    base.getJsonObject("http").put("idle_timeout_s", 3);
    assertThatThrownBy(() -> HttpConfig.from(base))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "http.idle_timeout_s (3 s) must be longer than the longest a request waits "
                + "for its reply (2 x payments.gateway_timeout_ms 1000 + 2 x ledger.send_timeout_ms 100 "
                + "+ 2000 = 4200 ms), or the connection is closed while it waits; raise it or lower "
                + "those");
    // Creating a webhook endpoint waits for its URL's host, then for its write.
    base.getJsonObject("http").put("idle_timeout_s", 20);
    base.put("webhooks", new JsonObject().put("timeout_ms", 20_000));
    assertThatThrownBy(() -> HttpConfig.from(base))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "http.idle_timeout_s (20 s) must be longer than the longest a request waits "
                + "for its reply (webhooks.timeout_ms 20000 + ledger.send_timeout_ms 100 = 20100 ms), "
                + "or the connection is closed while it waits; raise it or lower those");
    base.put("webhooks", new JsonObject().put("timeout_ms", 500));
    assertThatThrownBy(() -> HttpConfig.from(base))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhooks.timeout_ms must be between 1000 and 60000");
    base.put("webhooks", new JsonObject().put("timeout_ms", 1000));
    base.getJsonObject("http").put("idle_timeout_s", 60).put("header_timeout_ms", 50);
    assertThatThrownBy(() -> HttpConfig.from(base))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("http.header_timeout_ms must be between 100 and 300000, was 50");
    JsonObject defaults =
        new JsonObject().put("auth", new JsonObject().put("jwt_secret", Tokens.SECRET));
    assertThat(HttpConfig.from(defaults).idleTimeoutS()).isEqualTo(60);
    assertThat(HttpConfig.from(defaults).headerTimeoutMs()).isEqualTo(10_000);
    assertThat(HttpConfig.from(defaults).webhookTargetTimeoutMs()).isEqualTo(15_000 + 5_000);
  }

  /** Reads one response (head and a Content-Length body) and returns its head. */
  private static String readResponse(Socket socket) throws IOException {
    socket.setSoTimeout(5_000);
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed in the head: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return text;
  }
}
