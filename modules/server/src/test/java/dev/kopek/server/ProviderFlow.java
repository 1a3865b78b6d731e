package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Kopek configured by a YAML file alone to take payments through a provider stood in for by
 * WireMock, and the clients the provider flow tests drive it with.
 */
final class ProviderFlow implements AutoCloseable {

  static final String JWT_SECRET = "provider-flow-secret-of-at-least-32-bytes";

  /**
   * The payments settings every flow runs with: pending payments polled a second after they start,
   * then at most every two seconds, looked at five times a second, and provider calls given three
   * seconds (the providers' own timeout is one second).
   */
  static final String PAYMENTS =
      """
      payments:
        poll_after_ms: 1000
        poll_interval_max_ms: 2000
        janitor_interval_ms: 200
        gateway_timeout_ms: 3000
      """;

  final Kopek kopek;
  final ApiClient api;
  final WebClient raw;

  private ProviderFlow(Kopek kopek) {
    this.kopek = kopek;
    this.api = new ApiClient(kopek.httpPort(), 16);
    this.raw =
        WebClient.create(
            api.vertx(),
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(kopek.httpPort()));
  }

  /**
   * WireMock on a free loopback port, warmed up: its first answers (request matching, response
   * templates) take far longer than later ones, which a provider's one-second timeout would count
   * against Kopek.
   */
  static WireMockServer wiremock() throws Exception {
    WireMockServer server =
        new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    server.stubFor(
        WireMock.post(WireMock.urlEqualTo("/warm-up"))
            .willReturn(
                WireMock.aResponse()
                    .withBody("{{request.body}}")
                    .withTransformers("response-template")));
    HttpClient client = HttpClient.newHttpClient();
    for (int i = 0; i < 5; i++) {
      client.send(
          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/warm-up"))
              .POST(HttpRequest.BodyPublishers.ofString("a=" + i))
              .build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
    }
    server.resetAll();
    return server;
  }

  /**
   * Starts Kopek with {@code gateways}, the YAML of the entries under {@code payments.gateways}
   * (indented by four spaces), merged over the defaults.
   */
  static ProviderFlow start(Path dir, String defaultGateway, String gateways) throws Exception {
    Path config = dir.resolve("kopek-test.yaml");
    Files.writeString(
        config,
        PAYMENTS
            + "  default_gateway: "
            + defaultGateway
            + "\n"
            + "  gateways:\n    sandbox:\n      enabled: false\n"
            + gateways);
    return new ProviderFlow(
        Kopek.start(
            Main.loadConfig(
                config,
                Map.of(
                    "KOPEK_DATA_DIR",
                    dir.resolve("data").toString(),
                    "KOPEK_HTTP_PORT",
                    "0",
                    "KOPEK_JWT_SECRET",
                    JWT_SECRET))));
  }

  String token(String userId) {
    return Tokens.signedWith(api.vertx(), JWT_SECRET).user(userId);
  }

  /** Starts a top-up of {@code amountMinor} USD; asserts it was created. */
  JsonObject topup(String token, String idempotencyKey, long amountMinor) throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/topups",
            token,
            idempotencyKey,
            new JsonObject().put("amount_minor", amountMinor).put("currency", "USD"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  static String checkoutToken(JsonObject topup) {
    String url = topup.getString("checkout_url");
    return url.substring(url.lastIndexOf('/') + 1);
  }

  String status(String token, String topupId) throws Exception {
    return api.get("/v1/topups/" + topupId, token).bodyAsJsonObject().getString("status");
  }

  long balance(String token) throws Exception {
    HttpResponse<Buffer> wallet = api.get("/v1/wallets/USD", token);
    assertThat(wallet.statusCode()).as(wallet.bodyAsString()).isEqualTo(200);
    return wallet.bodyAsJsonObject().getLong("balance_minor");
  }

  /** The caller's top-up entries in the ledger, newest first. */
  JsonArray topupEntries(String token) throws Exception {
    return api.get("/v1/transactions?kind=topup", token).bodyAsJsonObject().getJsonArray("data");
  }

  /** Asserts the caller holds exactly one top-up entry, for {@code amountMinor} of the top-up. */
  void assertCreditedOnce(String token, String topupId, long amountMinor) throws Exception {
    assertThat(balance(token)).isEqualTo(amountMinor);
    JsonArray entries = topupEntries(token);
    assertThat(entries).hasSize(1);
    assertThat(entries.getJsonObject(0).getLong("amount_minor")).isEqualTo(amountMinor);
    assertThat(entries.getJsonObject(0).getString("reference")).isEqualTo(topupId);
    assertThat(status(token, topupId)).isEqualTo("succeeded");
  }

  Future<HttpResponse<Buffer>> webhookAsync(
      String gateway, String contentType, String header, String value, String body) {
    var request = raw.post("/webhooks/" + gateway).putHeader("Content-Type", contentType);
    if (header != null) {
      request.putHeader(header, value);
    }
    return request.sendBuffer(Buffer.buffer(body));
  }

  HttpResponse<Buffer> webhook(
      String gateway, String contentType, String header, String value, String body)
      throws Exception {
    return webhookAsync(gateway, contentType, header, value, body).await(30, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> submit(String checkoutToken, JsonObject form) throws Exception {
    return raw.post("/checkout/" + checkoutToken + "/submit")
        .sendJsonObject(form)
        .await(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      raw.close();
      api.close();
    } finally {
      kopek.stop();
    }
  }
}
