package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rate limits through the API: a user's and an API key's budgets, 429 with Retry-After, nothing
 * carried out for a refused request, and budgets shared by every HTTP event loop of the process.
 */
@DisplayName("Rate limits")
@Timeout(120)
class RateLimitsApiTest {

  /** Slow enough that no budget refills noticeably while a test runs. */
  private static final int PER_SECOND = 1;

  private static final int USER_BURST = 20;
  private static final int KEY_BURST = 30;

  private static ApiFixture api;
  private static String admin;
  private static JsonObject configUsed;

  @BeforeAll
  static void start() throws Exception {
    api =
        ApiFixture.start(
            config -> {
              config.put(
                  "rate_limits",
                  new JsonObject()
                      .put("user_per_second", PER_SECOND)
                      .put("user_burst", USER_BURST)
                      .put("api_key_per_second", PER_SECOND)
                      .put("api_key_burst", KEY_BURST));
              configUsed = config.copy();
            });
    admin = api.tokens.admin("rate-admin");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /**
   * How many more requests than the burst may have fitted since {@code startNanos}: the budget
   * refills by one a second, so one per second begun.
   */
  private static long refilled(long startNanos) {
    return (System.nanoTime() - startNanos + 999_999_999L) / 1_000_000_000L;
  }

  @Test
  @DisplayName(
      "a user's burst of charges is let through, the rest get 429 with Retry-After and debit"
          + " nothing; another user is not held back")
  void userBudget() throws Exception {
    api.credit("rl-alice", 10_000, "USD");
    String alice = api.tokens.user("rl-alice");
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      sent.add(
          api.send(
              HttpMethod.POST, "/v1/charges", alice, "rl-" + i, ApiFixture.charge(1, "USD", "x")));
    }
    Future.join(sent).await(60, TimeUnit.SECONDS);
    Map<Integer, Long> byStatus =
        sent.stream()
            .collect(Collectors.groupingBy(f -> f.result().statusCode(), Collectors.counting()));
    // The first request of the test's credit was the admin's, not Alice's: her burst is whole.
    assertThat(byStatus.get(201)).isBetween((long) USER_BURST, USER_BURST + refilled(started));
    assertThat(byStatus.get(201) + byStatus.get(429)).isEqualTo(50L);
    HttpResponse<Buffer> refused =
        sent.stream().map(Future::result).filter(r -> r.statusCode() == 429).findFirst().get();
    assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 2);
    JsonObject problem = refused.bodyAsJsonObject();
    assertThat(problem.getString("code")).isEqualTo("rate_limited");
    assertThat(problem.getInteger("status")).isEqualTo(429);
    assertThat(problem.getString("detail")).contains("this user's");
    assertThat(problem.getLong("retry_after_s")).isBetween(1L, 2L);

    // Only the admitted charges were written.
    HttpResponse<Buffer> log =
        api.get("/v1/admin/transactions?user_id=rl-alice&kind=charge&limit=100", admin);
    assertThat(log.bodyAsJsonObject().getJsonArray("data").size())
        .isEqualTo(byStatus.get(201).intValue());

    // Bob has a budget of his own.
    HttpResponse<Buffer> bob = api.get("/v1/wallets", api.tokens.user("rl-bob"));
    assertThat(bob.statusCode()).isEqualTo(200);

    // Once the interval passes, one more request fits.
    Thread.sleep(1_000L * Integer.parseInt(refused.getHeader("Retry-After")) + 50);
    assertThat(api.get("/v1/wallets", alice).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "an API key's budget is its own: spent by its administrative calls, refused with 429,"
          + " while the administrators' tokens go on")
  void apiKeyBudget() throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/api_keys",
            admin,
            null,
            new JsonObject()
                .put("name", "metering")
                .put("scopes", new JsonArray(List.of("admin:read", "users:read"))));
    assertThat(created.statusCode()).isEqualTo(201);
    String key = created.bodyAsJsonObject().getString("key");
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < KEY_BURST + 15; i++) {
      HttpRequest<Buffer> request =
          api.client
              .request(HttpMethod.GET, "/v1/admin/transactions")
              .bearerTokenAuthentication(key);
      sent.add(request.send());
    }
    Future.join(sent).await(60, TimeUnit.SECONDS);
    Map<Integer, Long> byStatus =
        sent.stream()
            .collect(Collectors.groupingBy(f -> f.result().statusCode(), Collectors.counting()));
    assertThat(byStatus.get(200)).isBetween((long) KEY_BURST, KEY_BURST + refilled(started));
    assertThat(byStatus.get(200) + byStatus.get(429)).isEqualTo(KEY_BURST + 15L);
    HttpResponse<Buffer> refused =
        sent.stream().map(Future::result).filter(r -> r.statusCode() == 429).findFirst().get();
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("this API key's");
    assertThat(refused.getHeader("Retry-After")).isNotNull();
    // The administrator's own token has its own budget.
    assertThat(api.get("/v1/admin/transactions", admin).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("an administrator's token has a budget of the API keys' size, its own")
  void administratorBudget() throws Exception {
    String bulk = api.tokens.admin("rl-bulk-admin");
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < KEY_BURST + 10; i++) {
      sent.add(api.send(HttpMethod.GET, "/v1/admin/transactions", bulk, null, null));
    }
    Future.join(sent).await(60, TimeUnit.SECONDS);
    Map<Integer, Long> byStatus =
        sent.stream()
            .collect(Collectors.groupingBy(f -> f.result().statusCode(), Collectors.counting()));
    assertThat(byStatus.get(200)).isBetween((long) KEY_BURST, KEY_BURST + refilled(started));
    assertThat(byStatus.get(200) + byStatus.get(429)).isEqualTo(KEY_BURST + 10L);
    HttpResponse<Buffer> refused =
        sent.stream().map(Future::result).filter(r -> r.statusCode() == 429).findFirst().get();
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("this administrator's");
  }

  @Test
  @DisplayName(
      "a key acting for a user spends the user's budget too, on every HTTP event loop of the"
          + " process")
  void keyActingForUserSpendsTheUsersBudget() throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/api_keys",
            admin,
            null,
            new JsonObject()
                .put("name", "backend")
                .put("scopes", new JsonArray(List.of("users:read"))));
    String key = created.bodyAsJsonObject().getString("key");
    // A second HTTP verticle instance of the same process: the budgets are the process's, not an
    // instance's.
    io.vertx.core.DeploymentOptions options =
        new io.vertx.core.DeploymentOptions().setConfig(configUsed);
    HttpVerticle second = new HttpVerticle();
    api.vertx.deployVerticle(second, options).await(60, TimeUnit.SECONDS);
    io.vertx.ext.web.client.WebClient secondClient =
        io.vertx.ext.web.client.WebClient.create(
            api.vertx,
            new io.vertx.ext.web.client.WebClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(second.actualPort()));
    // Port 0 of one Vert.x instance is shared: the two verticles take the port's connections in
    // turn, each on its own event loop, as the production deployment's instances do.
    assertThat(second.actualPort()).isEqualTo(api.http.actualPort());
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < USER_BURST + 5; i++) {
      sent.add(
          (i % 2 == 0 ? api.client : secondClient)
              .request(HttpMethod.GET, "/v1/wallets")
              .bearerTokenAuthentication(key)
              .putHeader(ApiKeyAuthentication.USER_HEADER, "rl-carol")
              .send());
    }
    Future.join(sent).await(60, TimeUnit.SECONDS);
    long ok = sent.stream().filter(f -> f.result().statusCode() == 200).count();
    assertThat(ok).isBetween((long) USER_BURST, USER_BURST + refilled(started));
    secondClient.close();
    // Carol's own token now finds her budget spent.
    HttpResponse<Buffer> own = api.get("/v1/wallets", api.tokens.user("rl-carol"));
    assertThat(own.statusCode()).isEqualTo(429);
    assertThat(own.bodyAsJsonObject().getString("detail")).contains("this user's");
  }
}
