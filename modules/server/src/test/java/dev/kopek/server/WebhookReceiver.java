package dev.kopek.server;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A merchant's webhook receiver on loopback: records every delivery and checks its signature twice,
 * with the Standard Webhooks Java library and with an HMAC-SHA256 computed here independently.
 */
final class WebhookReceiver implements AutoCloseable {

  /** One delivery as received. */
  record Delivery(String id, long timestamp, String signature, String body, boolean verified) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpServer server;
  private final List<Delivery> deliveries = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private volatile String secret;
  private volatile int status = 200;

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hooks", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
  }

  void secret(String secret) {
    this.secret = secret;
  }

  /** The status the receiver answers with from now on (500: "down"). */
  void answer(int status) {
    this.status = status;
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] raw;
    try (InputStream in = exchange.getRequestBody()) {
      raw = in.readAllBytes();
    }
    String body = new String(raw, StandardCharsets.UTF_8);
    String id = exchange.getRequestHeaders().getFirst("webhook-id");
    String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
    String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
    int answer = status;
    boolean verified = false;
    String problem = null;
    try {
      Map<String, List<String>> headers = new HashMap<>();
      headers.put("webhook-id", List.of(id));
      headers.put("webhook-timestamp", List.of(timestamp));
      headers.put("webhook-signature", List.of(signature));
      new Webhook(secret).verify(body, headers);
      if (!hmacMatches(secret, id, timestamp, body, signature)) {
        problem = "the independent HMAC does not match " + signature;
      } else if (!id.equals(new JsonObject(body).getString("id"))) {
        problem = "webhook-id " + id + " is not the body's id";
      } else {
        verified = true;
      }
    } catch (Exception e) {
      problem = "verification failed for " + id + ": " + e;
    }
    synchronized (this) {
      if (answer >= 200 && answer < 300) {
        deliveries.add(
            new Delivery(
                id, timestamp == null ? 0 : Long.parseLong(timestamp), signature, body, verified));
      }
      if (problem != null) {
        problems.add(problem);
      }
    }
    exchange.sendResponseHeaders(answer, -1);
    exchange.close();
  }

  /**
   * Base64 HMAC-SHA256 of "id.timestamp.body", keyed with the secret's base64 part, in the header.
   */
  static boolean hmacMatches(String secret, String id, String timestamp, String body, String header)
      throws Exception {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] expected =
        mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    for (String signature : header.split(" ")) {
      if (signature.startsWith("v1,")
          && MessageDigest.isEqual(
              expected, Base64.getDecoder().decode(signature.substring("v1,".length())))) {
        return true;
      }
    }
    return false;
  }

  synchronized List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  /** The distinct event ids received (answered 2xx). */
  synchronized Set<String> ids() {
    Set<String> ids = new LinkedHashSet<>();
    deliveries.forEach(d -> ids.add(d.id()));
    return ids;
  }

  /** Deliveries beyond the first of their id. */
  synchronized int duplicates() {
    return deliveries.size() - ids().size();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
