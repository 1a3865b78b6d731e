package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The served contract and the router agree, both ways. */
@DisplayName("The OpenAPI contract")
@Timeout(60)
class ContractTest {

  private static ApiFixture api;
  private static JsonObject served;

  @BeforeAll
  static void start() throws Exception {
    // Webhook endpoints on loopback, where nothing listens: created, never reached.
    api =
        ApiFixture.start(
            config -> config.put("webhooks", new JsonObject().put("allow_private_targets", true)));
    WalletAlertsStub.ensure(api.vertx);
    HttpResponse<Buffer> response = api.get("/openapi.yaml", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/yaml");
    served = Contract.parse(response.body());
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static Set<String> contractOperations() {
    Set<String> operations = new TreeSet<>();
    served
        .getJsonObject("paths")
        .forEach(
            path ->
                ((JsonObject) path.getValue())
                    .fieldNames()
                    .forEach(method -> operations.add(method.toUpperCase() + " " + path.getKey())));
    return operations;
  }

  @Test
  @DisplayName("every route the router serves is in the served contract, and vice versa")
  void routerAndContractAgree() throws Exception {
    // The server routes the contract it serves: the one on its classpath, built as it builds it.
    Contract contract = Contract.load(api.vertx, HttpVerticle.CONTRACT).await(60, TimeUnit.SECONDS);
    assertThat(api.get("/openapi.yaml", null).body()).isEqualTo(contract.text());
    Router router =
        RouterBuilder.create(api.vertx, contract.openApi(), RequestExtractor.withBodyHandler())
            .createRouter();
    Set<String> routed = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      route.methods().forEach(method -> routed.add(method.name() + " " + path));
    }
    assertThat(routed).isNotEmpty().isEqualTo(contractOperations());

    // And the running server answers no method on the contract's paths that the contract lacks.
    String admin = api.tokens.admin("root");
    for (String path : served.getJsonObject("paths").fieldNames()) {
      for (HttpMethod method :
          List.of(
              HttpMethod.GET,
              HttpMethod.POST,
              HttpMethod.PUT,
              HttpMethod.PATCH,
              HttpMethod.DELETE)) {
        if (routed.contains(method.name() + " " + path)) {
          continue;
        }
        String concrete =
            path.replace("{currency}", "USD")
                .replace("{id}", "pay_x")
                .replace("{token}", "a".repeat(30))
                .replace("{gateway}", "scripted")
                .replace("{code}", "contract")
                .replace("{user_id}", "someone");
        HttpResponse<Buffer> response =
            api.send(method, concrete, admin, "contract-unrouted-" + method + concrete, null)
                .await(60, TimeUnit.SECONDS);
        assertThat(response.statusCode())
            .as(method + " " + path + " -> " + response.bodyAsString())
            .isIn(404, 405);
      }
    }
  }

  @Test
  @DisplayName("every operation in the contract is answered by its handler (no 404, 405 or 5xx)")
  void everyOperationAnswers() throws Exception {
    java.time.Instant started = java.time.Instant.now();
    String admin = api.tokens.admin("root");
    // Every changing administrative request of this test, as the audit log should record it.
    List<String> changing = new java.util.ArrayList<>();
    JsonObject topup =
        api.post(
                "/v1/topups",
                admin,
                "contract-topup",
                new JsonObject().put("amount_minor", 100).put("currency", "USD"))
            .bodyAsJsonObject();
    String checkoutUrl = topup.getString("checkout_url");
    String token = checkoutUrl.substring(checkoutUrl.lastIndexOf('/') + 1);
    assertThat(
            api.post(
                    "/v1/admin/plans",
                    admin,
                    null,
                    new JsonObject()
                        .put("code", "contract")
                        .put("name", "Contract")
                        .put("price_minor", 100)
                        .put("currency", "USD"))
                .statusCode())
        .isEqualTo(201);
    api.credit("root", 1000, "USD");
    JsonObject subscription =
        api.post(
                "/v1/subscriptions",
                admin,
                "contract-subscription",
                new JsonObject().put("plan", "contract"))
            .bodyAsJsonObject();
    changing.add("POST /v1/admin/plans 201");
    changing.add("POST /v1/admin/adjustments 201");
    changing.add("POST /v1/admin/api_keys 201");
    changing.add("POST /v1/admin/webhook_endpoints 201");
    changing.add("POST /v1/admin/webhook_endpoints 201");
    String apiKey =
        api.post("/v1/admin/api_keys", admin, null, validBody("POST /v1/admin/api_keys"))
            .bodyAsJsonObject()
            .getString("id");
    String endpoint = createEndpoint(admin);
    String deletedEndpoint = createEndpoint(admin);
    dev.kopek.model.events.Event event =
        new dev.kopek.model.events.Event(
            "evt_contract",
            dev.kopek.model.events.EventTypes.TOPUP_SUCCEEDED,
            "root",
            "USD",
            1L,
            java.time.Instant.now(),
            topup);
    api.appendEvents(event);
    for (String operation : contractOperations()) {
      String[] parts = operation.split(" ", 2);
      String id;
      if (parts[1].startsWith("/v1/subscriptions/")) {
        id = subscription.getString("id");
      } else if (parts[1].startsWith("/v1/admin/webhook_endpoints/")) {
        id = parts[0].equals("DELETE") ? deletedEndpoint : endpoint;
      } else if (parts[1].startsWith("/v1/admin/events/")) {
        id = event.id();
      } else if (parts[1].startsWith("/v1/admin/api_keys/")) {
        id = apiKey;
      } else {
        id = topup.getString("id");
      }
      String path =
          parts[1]
              .replace("{currency}", "USD")
              .replace("{id}", id)
              .replace("{token}", token)
              .replace("{gateway}", "scripted")
              .replace("{code}", "contract")
              // The admin views of a user answer 404 for a user without a wallet: root has one.
              .replace("{user_id}", parts[1].startsWith("/v1/admin/users/") ? "root" : "someone");
      HttpResponse<Buffer> response =
          api.send(
                  HttpMethod.valueOf(parts[0]),
                  path,
                  admin,
                  "contract-" + path,
                  parts[0].equals("POST") ? new JsonObject() : null)
              .await(60, TimeUnit.SECONDS);
      assertThat(response.statusCode())
          .as(operation + " -> " + response.bodyAsString())
          .isNotIn(404, 405)
          .isLessThan(500);
      if (!parts[0].equals("GET") && parts[1].startsWith("/v1/admin/")) {
        changing.add(operation + " " + response.statusCode());
      }
    }
    // The audit log holds one row per changing administrative request, with its status, and none
    // for the reads and the user routes.
    dev.kopek.testkit.Poll.eventually(
        java.time.Duration.ofSeconds(20),
        () -> {
          HttpResponse<Buffer> page =
              api.get(
                  "/v1/admin/audit?actor=root&limit=100&from="
                      + java.net.URLEncoder.encode(
                          started.toString(), java.nio.charset.StandardCharsets.UTF_8),
                  admin);
          assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
          assertThat(page.bodyAsJsonObject().getBoolean("has_more")).isFalse();
          List<String> recorded =
              page.bodyAsJsonObject().getJsonArray("data").stream()
                  .map(JsonObject.class::cast)
                  .map(row -> row.getString("action") + " " + row.getInteger("status"))
                  .toList();
          assertThat(recorded).containsExactlyInAnyOrderElementsOf(changing);
        });
  }

  private static String createEndpoint(String admin) throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/webhook_endpoints",
            admin,
            null,
            validBody("POST /v1/admin/webhook_endpoints"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("id");
  }

  /** A request every operation's validation lets through, so that it reaches the bus. */
  private static JsonObject validBody(String operation) {
    return switch (operation) {
      case "POST /v1/charges" -> ApiFixture.charge(1, "USD", "contract");
      case "POST /v1/admin/adjustments" ->
          ApiFixture.charge(1, "USD", "contract").put("user_id", "someone");
      case "POST /v1/topups" -> new JsonObject().put("amount_minor", 100).put("currency", "USD");
      case "POST /v1/admin/plans" ->
          new JsonObject()
              .put("code", "contract")
              .put("name", "C")
              .put("price_minor", 1)
              .put("currency", "USD");
      case "POST /v1/subscriptions", "PATCH /v1/subscriptions/{id}" ->
          new JsonObject().put("plan", "contract");
      case "POST /v1/admin/clock" -> new JsonObject().put("advance_ms", 1);
      case "POST /checkout/{token}/submit" -> new JsonObject().put("outcome", "succeed");
      case "POST /webhooks/{gateway}" -> new JsonObject();
      case "POST /v1/admin/webhook_endpoints" ->
          new JsonObject()
              .put("url", "http://127.0.0.1:9/contract")
              .put("enabled_events", new io.vertx.core.json.JsonArray().add("*"));
      case "PATCH /v1/admin/webhook_endpoints/{id}" ->
          new JsonObject().put("description", "contract");
      case "POST /v1/admin/api_keys" ->
          new JsonObject()
              .put("name", "contract")
              .put("scopes", new io.vertx.core.json.JsonArray().add("admin:read"));
      case "POST /v1/admin/api_keys/{id}/roll" -> new JsonObject().put("grace_ms", 0);
      case "PUT /v1/admin/wallets/{user_id}/{currency}/alerts" ->
          new JsonObject().put("balance_low_minor", 100);
      case "POST /v1/admin/portal_sessions" -> new JsonObject().put("user_id", "someone");
      case "POST /v1/admin/console_links" -> new JsonObject();
      default -> null;
    };
  }

  /** Each operation's answer, sent to an HTTP verticle on {@code port}, all at once. */
  private static java.util.Map<String, HttpResponse<Buffer>> callEveryOperation(
      io.vertx.ext.web.client.WebClient client, int port) throws Exception {
    String admin = api.tokens.admin("root");
    java.util.Map<String, io.vertx.core.Future<HttpResponse<Buffer>>> sent =
        new java.util.TreeMap<>();
    for (String operation : contractOperations()) {
      String[] parts = operation.split(" ", 2);
      String path =
          parts[1]
              .replace("{currency}", "USD")
              .replace("{id}", parts[1].startsWith("/v1/subscriptions/") ? "sub_x" : "pay_x")
              .replace("{token}", "a".repeat(30))
              .replace("{gateway}", "scripted")
              .replace("{code}", "contract")
              .replace("{user_id}", "someone");
      io.vertx.ext.web.client.HttpRequest<Buffer> request =
          client
              .request(HttpMethod.valueOf(parts[0]), port, "127.0.0.1", path)
              .bearerTokenAuthentication(admin)
              .putHeader("Idempotency-Key", "contract-" + path);
      JsonObject body = validBody(operation);
      sent.put(operation, body == null ? request.send() : request.sendJsonObject(body));
    }
    java.util.Map<String, HttpResponse<Buffer>> answers = new java.util.TreeMap<>();
    for (var entry : sent.entrySet()) {
      answers.put(entry.getKey(), entry.getValue().await(60, TimeUnit.SECONDS));
    }
    return answers;
  }

  private static Set<String> documentedStatuses(String operation) {
    String[] parts = operation.split(" ", 2);
    return served
        .getJsonObject("paths")
        .getJsonObject(parts[1])
        .getJsonObject(parts[0].toLowerCase())
        .getJsonObject("responses")
        .fieldNames();
  }

  @Test
  @DisplayName(
      "every operation documents the 503 and 504 it answers when what it waits on is down or does not answer, and the 413 and 415 of a body it cannot take")
  void unavailableAndTimeoutAreDocumented() throws Exception {
    io.vertx.core.Vertx alone = io.vertx.core.Vertx.vertx();
    io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(alone);
    try {
      HttpVerticle http = new HttpVerticle();
      JsonObject config =
          new JsonObject()
              .put(
                  "http",
                  new JsonObject()
                      .put("host", "127.0.0.1")
                      .put("port", ConnectionTimeoutsTest.freePort()))
              .put("auth", new JsonObject().put("jwt_secret", dev.kopek.testkit.Tokens.SECRET))
              .put("ledger", new JsonObject().put("send_timeout_ms", 100))
              .put("payments", new JsonObject().put("gateway_timeout_ms", 1000))
              .put("webhooks", new JsonObject().put("timeout_ms", 1000));
      alone
          .deployVerticle(http, new io.vertx.core.DeploymentOptions().setConfig(config))
          .await(60, TimeUnit.SECONDS);
      Set<String> always = Set.of("GET /health", "GET /metrics", "GET /openapi.yaml");

      // Nothing serves the event bus: every capability is down.
      var down = callEveryOperation(client, http.actualPort());
      // Everything is served, but nothing ever answers.
      for (Class<?> addresses :
          new Class<?>[] {
            dev.kopek.model.ledger.LedgerAddresses.class,
            dev.kopek.model.payments.PaymentsAddresses.class,
            dev.kopek.model.billing.BillingAddresses.class,
            dev.kopek.model.events.EventsAddresses.class,
            dev.kopek.model.access.AccessAddresses.class
          }) {
        for (java.lang.reflect.Field field : addresses.getFields()) {
          if (field.getType() == String.class) {
            alone.eventBus().consumer((String) field.get(null), message -> {});
          }
        }
      }
      var silent = callEveryOperation(client, http.actualPort());

      for (String operation : contractOperations()) {
        Set<String> documented = documentedStatuses(operation);
        for (var answers : List.of(down, silent)) {
          HttpResponse<Buffer> response = answers.get(operation);
          assertThat(documented)
              .as(operation + " answered " + response.statusCode() + " " + response.bodyAsString())
              .contains(String.valueOf(response.statusCode()));
        }
        if (!always.contains(operation)) {
          assertThat(down.get(operation).statusCode()).as(operation).isEqualTo(503);
          assertThat(silent.get(operation).statusCode()).as(operation).isEqualTo(504);
        }
      }
      // And the operations that take a body document what an oversized or non-JSON one gets.
      for (String operation : contractOperations()) {
        if (validBody(operation) == null) {
          continue;
        }
        String[] parts = operation.split(" ", 2);
        String path =
            parts[1]
                .replace("{id}", "sub_x")
                .replace("{token}", "a".repeat(30))
                .replace("{gateway}", "scripted")
                .replace("{currency}", "USD")
                .replace("{user_id}", "someone");
        HttpResponse<Buffer> tooLarge =
            client
                .request(HttpMethod.valueOf(parts[0]), http.actualPort(), "127.0.0.1", path)
                .bearerTokenAuthentication(api.tokens.admin("root"))
                .putHeader("Idempotency-Key", "contract-large")
                .sendJsonObject(new JsonObject().put("padding", "x".repeat(70_000)))
                .await(60, TimeUnit.SECONDS);
        assertThat(tooLarge.statusCode()).as(operation).isEqualTo(413);
        assertThat(documentedStatuses(operation)).as(operation).contains("413");
        if (!operation.startsWith("POST /webhooks/")) {
          HttpResponse<Buffer> notJson =
              client
                  .request(HttpMethod.valueOf(parts[0]), http.actualPort(), "127.0.0.1", path)
                  .bearerTokenAuthentication(api.tokens.admin("root"))
                  .putHeader("Idempotency-Key", "contract-text")
                  .putHeader("Content-Type", "text/plain")
                  .sendBuffer(Buffer.buffer("hello"))
                  .await(60, TimeUnit.SECONDS);
          assertThat(notJson.statusCode()).as(operation).isEqualTo(415);
          assertThat(documentedStatuses(operation)).as(operation).contains("415");
        }
      }
    } finally {
      client.close();
      alone.close().await(60, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the contract documents the problem codes and the money limits the code enforces")
  void contractDocumentsLimits() {
    JsonObject amount =
        served.getJsonObject("components").getJsonObject("schemas").getJsonObject("AmountMinor");
    assertThat(amount.getLong("maximum")).isEqualTo(dev.kopek.model.Limits.AMOUNT_MINOR_MAX);
    String codes =
        served
            .getJsonObject("components")
            .getJsonObject("schemas")
            .getJsonObject("Problem")
            .getJsonObject("properties")
            .getJsonObject("code")
            .getString("description");
    for (dev.kopek.model.ErrorCode code : dev.kopek.model.ErrorCode.values()) {
      if (code != dev.kopek.model.ErrorCode.IDEMPOTENCY_IN_PROGRESS) {
        assertThat(codes).contains(code.wireName());
      }
    }
  }
}
