package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Set;
import java.util.TreeSet;
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
    api = ApiFixture.start();
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
    served.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).fieldNames()
        .forEach(method -> operations.add(method.toUpperCase() + " " + path.getKey())));
    return operations;
  }

  @Test
  @DisplayName("every route the router serves is in the served contract, and vice versa")
  void routerAndContractAgree() {
    Set<String> routed = new TreeSet<>();
    for (Route route : api.http.contractRouter().getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      route.methods().forEach(method -> routed.add(method.name() + " " + path));
    }
    assertThat(routed).isNotEmpty().isEqualTo(contractOperations());
  }

  @Test
  @DisplayName("every operation in the contract is answered by its handler (no 404, 405 or 5xx)")
  void everyOperationAnswers() throws Exception {
    String admin = api.tokens.admin("root");
    JsonObject topup = api.post("/v1/topups", admin, "contract-topup",
        new JsonObject().put("amount_minor", 100).put("currency", "USD")).bodyAsJsonObject();
    String checkoutUrl = topup.getString("checkout_url");
    String token = checkoutUrl.substring(checkoutUrl.lastIndexOf('/') + 1);
    assertThat(api.post("/v1/admin/plans", admin, null, new JsonObject().put("code", "contract")
        .put("name", "Contract").put("price_minor", 100).put("currency", "USD")).statusCode())
        .isEqualTo(201);
    api.credit("root", 1000, "USD");
    JsonObject subscription = api.post("/v1/subscriptions", admin, "contract-subscription",
        new JsonObject().put("plan", "contract")).bodyAsJsonObject();
    for (String operation : contractOperations()) {
      String[] parts = operation.split(" ", 2);
      String id = parts[1].startsWith("/v1/subscriptions/") ? subscription.getString("id")
          : topup.getString("id");
      String path = parts[1].replace("{currency}", "USD").replace("{id}", id)
          .replace("{token}", token).replace("{gateway}", "scripted").replace("{code}", "contract");
      HttpResponse<Buffer> response = ApiFixture.await(api.send(HttpMethod.valueOf(parts[0]), path,
          admin, "contract-" + path, parts[0].equals("POST") ? new JsonObject() : null));
      assertThat(response.statusCode()).as(operation + " -> " + response.bodyAsString())
          .isNotIn(404, 405).isLessThan(500);
    }
  }

  @Test
  @DisplayName("the contract documents the problem codes and the money limits the code enforces")
  void contractDocumentsLimits() {
    JsonObject amount = served.getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("AmountMinor");
    assertThat(amount.getLong("maximum")).isEqualTo(dev.kopek.model.Limits.AMOUNT_MINOR_MAX);
    String codes = served.getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("Problem").getJsonObject("properties").getJsonObject("code")
        .getString("description");
    for (dev.kopek.model.ErrorCode code : dev.kopek.model.ErrorCode.values()) {
      if (code != dev.kopek.model.ErrorCode.IDEMPOTENCY_IN_PROGRESS) {
        assertThat(codes).contains(code.wireName());
      }
    }
  }
}
