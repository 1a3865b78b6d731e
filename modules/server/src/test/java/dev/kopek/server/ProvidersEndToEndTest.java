package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.ScriptedProvider;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-service checks of the payment path over HTTP: the sandbox's webhooks verified with Stripe's
 * signing scheme (computed here independently), and a provider from another jar enabled by YAML
 * alone.
 */
@DisplayName("Payment providers, end to end over HTTP")
@Timeout(120)
class ProvidersEndToEndTest {

  static final String JWT_SECRET = "provider-test-secret-of-at-least-32-bytes";
  static final String SANDBOX_SECRET = "sandbox-webhook-secret-of-at-least-32-chars";

  @TempDir Path dataDir;

  private Kopek kopek;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.stop();
    }
  }

  private Kopek start(String yaml) throws Exception {
    Path config = dataDir.resolve("test.yaml");
    Files.writeString(config, yaml);
    return Kopek.start(
        Main.loadConfig(
            config,
            Map.of(
                "KOPEK_DATA_DIR",
                dataDir.resolve("data").toString(),
                "KOPEK_HTTP_PORT",
                "0",
                "KOPEK_JWT_SECRET",
                JWT_SECRET)));
  }

  private static String sign(long timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SANDBOX_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "t="
        + timestamp
        + ",v1="
        + HexFormat.of()
            .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
  }

  private static Future<HttpResponse<Buffer>> webhook(
      WebClient client, String path, String body, String header, String value) {
    return client
        .post(path)
        .putHeader("Content-Type", "application/json")
        .putHeader(header, value)
        .sendBuffer(Buffer.buffer(body));
  }

  @Test
  @DisplayName(
      "a sandbox webhook delivered five times at once credits once; a stale, tampered or "
          + "foreign-signed one gets 400 and credits nothing")
  void sandboxWebhooks() throws Exception {
    kopek =
        start(
            "payments:\n  gateways:\n    sandbox:\n      webhook_secret: \""
                + SANDBOX_SECRET
                + "\"\n      deliver_webhooks: false\n");
    try (ApiClient api = new ApiClient(kopek.httpPort(), 16)) {
      WebClient raw =
          WebClient.create(
              api.vertx(),
              new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(kopek.httpPort()));
      String alice = Tokens.signedWith(api.vertx(), JWT_SECRET).user("alice");
      JsonObject topup =
          api.post(
                  "/v1/topups",
                  alice,
                  "t1",
                  new JsonObject().put("amount_minor", 2000).put("currency", "USD"))
              .bodyAsJsonObject();
      String id = topup.getString("id");
      // Events are matched by the provider object Kopek stored for the payment.
      String reference = topup.getString("gateway_reference");
      assertThat(reference).isNotBlank();
      long now = System.currentTimeMillis() / 1000;
      String body =
          new JsonObject()
              .put("id", "evt_1")
              .put("type", "payment.succeeded")
              .put("created", now)
              .put(
                  "data",
                  new JsonObject()
                      .put("payment_id", id)
                      .put("reference", reference)
                      .put("amount_minor", 2000)
                      .put("currency", "USD")
                      .put("status", "succeeded")
                      .putNull("decline_code"))
              .encode();

      String header = "Kopek-Sandbox-Signature";
      List<HttpResponse<Buffer>> refused =
          List.of(
              webhook(raw, "/webhooks/sandbox", body, header, sign(now - 301, body))
                  .await(30, TimeUnit.SECONDS),
              webhook(
                      raw,
                      "/webhooks/sandbox",
                      body.replace("2000", "9000"),
                      header,
                      sign(now, body))
                  .await(30, TimeUnit.SECONDS),
              webhook(raw, "/webhooks/sandbox", body, header, "t=" + now + ",v1=" + "0".repeat(64))
                  .await(30, TimeUnit.SECONDS),
              webhook(raw, "/webhooks/sandbox", body, "X-Other", sign(now, body))
                  .await(30, TimeUnit.SECONDS));
      assertThat(refused)
          .allSatisfy(
              r -> {
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("signature");
              });
      assertThat(api.get("/v1/wallets/USD", alice).bodyAsJsonObject().getLong("balance_minor"))
          .isZero();

      List<Future<HttpResponse<Buffer>>> deliveries = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        deliveries.add(webhook(raw, "/webhooks/sandbox", body, header, sign(now, body)));
      }
      Future.all(deliveries).await(30, TimeUnit.SECONDS);
      assertThat(deliveries).allSatisfy(d -> assertThat(d.result().statusCode()).isEqualTo(200));
      assertThat(api.get("/v1/wallets/USD", alice).bodyAsJsonObject().getLong("balance_minor"))
          .isEqualTo(2000);
      assertThat(api.get("/v1/topups/" + id, alice).bodyAsJsonObject().getString("status"))
          .isEqualTo("succeeded");
      JsonObject log = api.get("/v1/transactions?kind=topup", alice).bodyAsJsonObject();
      assertThat(log.getJsonArray("data")).hasSize(1);
      raw.close();
    }
  }

  @Test
  @DisplayName("a provider from another jar, enabled in YAML alone, takes a top-up end to end")
  void providerFromAnotherJar() throws Exception {
    ScriptedProvider.reset();
    kopek =
        start(
            "payments:\n  default_gateway: scripted\n  gateways:\n    sandbox:\n"
                + "      enabled: false\n    scripted:\n      secret: \"yaml-configured-secret\"\n");
    try (ApiClient api = new ApiClient(kopek.httpPort())) {
      String bob = Tokens.signedWith(api.vertx(), JWT_SECRET).user("bob");
      JsonObject topup =
          api.post(
                  "/v1/topups",
                  bob,
                  "t1",
                  new JsonObject().put("amount_minor", 700).put("currency", "USD"))
              .bodyAsJsonObject();
      assertThat(topup.getString("gateway")).isEqualTo("scripted");
      HttpResponse<Buffer> sandboxOff =
          api.post(
              "/v1/topups",
              bob,
              "t2",
              new JsonObject()
                  .put("amount_minor", 700)
                  .put("currency", "USD")
                  .put("gateway", "sandbox"));
      assertThat(sandboxOff.statusCode()).isEqualTo(400);
      assertThat(sandboxOff.bodyAsJsonObject().getString("field")).isEqualTo("gateway");

      String token =
          topup
              .getString("checkout_url")
              .substring(topup.getString("checkout_url").lastIndexOf('/') + 1);
      HttpResponse<Buffer> page = api.get("/checkout/" + token, null);
      assertThat(page.bodyAsString()).contains("id=\"scripted\"");
      WebClient raw =
          WebClient.create(
              api.vertx(),
              new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(kopek.httpPort()));
      HttpResponse<Buffer> paid =
          raw.post("/checkout/" + token + "/submit")
              .sendJsonObject(new JsonObject().put("outcome", "succeed"))
              .await(30, TimeUnit.SECONDS);
      assertThat(paid.bodyAsJsonObject().getString("status")).isEqualTo("succeeded");
      Map.Entry<String, String> late =
          ScriptedProvider.webhook(
              "yaml-configured-secret", "evt_9", topup.getString("id"), "succeeded", 700, "USD");
      HttpResponse<Buffer> hook =
          raw.post("/webhooks/scripted")
              .putHeader("Scripted-Signature", late.getValue())
              .sendBuffer(Buffer.buffer(late.getKey()))
              .await(30, TimeUnit.SECONDS);
      assertThat(hook.statusCode()).isEqualTo(200);
      assertThat(api.get("/v1/wallets/USD", bob).bodyAsJsonObject().getLong("balance_minor"))
          .isEqualTo(700);
      raw.close();
    }
  }
}
