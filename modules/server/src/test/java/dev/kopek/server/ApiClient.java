package dev.kopek.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;

/** A blocking HTTP client of one running Kopek, for tests that drive it from the outside. */
final class ApiClient implements AutoCloseable {

  private final Vertx vertx;
  private final WebClient client;

  ApiClient(int port) {
    this(port, new PoolOptions().getHttp1MaxSize());
  }

  /** A client keeping up to {@code connections} connections, for requests in flight at once. */
  ApiClient(int port, int connections) {
    vertx = Vertx.vertx();
    client =
        WebClient.create(
            vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(connections));
  }

  /** The client's Vert.x, for minting tokens. */
  Vertx vertx() {
    return vertx;
  }

  HttpResponse<Buffer> get(String path, String token) throws Exception {
    HttpRequest<Buffer> request = client.get(path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request.send().await(30, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> post(String path, String token, String idempotencyKey, JsonObject body)
      throws Exception {
    return postAsync(path, token, idempotencyKey, body).await(30, TimeUnit.SECONDS);
  }

  /** The same POST without waiting, for tests that keep many requests in flight. */
  Future<HttpResponse<Buffer>> postAsync(
      String path, String token, String idempotencyKey, JsonObject body) {
    return client
        .post(path)
        .bearerTokenAuthentication(token)
        .putHeader("Idempotency-Key", idempotencyKey)
        .sendJsonObject(body);
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
