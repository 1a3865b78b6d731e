package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.RestartableDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Kopek while its PostgreSQL restarts")
class DatabaseRestartTest {

  private static final int IN_FLIGHT = 32;

  @TempDir Path temp;

  private RestartableDatabase database;
  private KopekProcess kopek;

  @AfterEach
  void stop() throws Exception {
    try {
      if (kopek != null) {
        kopek.close();
      }
    } finally {
      if (database != null) {
        database.close();
      }
    }
  }

  @Test
  @Timeout(240)
  @DisplayName(
      "PostgreSQL restarted under concurrent charges: only 201, 402 and 503 with "
          + "Retry-After (never 500), from the ledger, payments and billing alike, a few log lines "
          + "and no stack trace; then it works again and the ledger verifies")
  void restartUnderLoad() throws Exception {
    database = RestartableDatabase.start();
    // Eight users send as fast as the server answers: their rate limits would answer most of it
    // 429, while this test is about what a restarting database does to the replies.
    java.nio.file.Path unlimited = temp.resolve("unlimited.yaml");
    java.nio.file.Files.writeString(
        unlimited, "rate_limits:\n  user_per_second: 0\n  api_key_per_second: 0\n");
    kopek =
        KopekProcess.start(
            temp.resolve("data"),
            temp.resolve("cwd"),
            Map.of(
                "KOPEK_DB_URL",
                database.endpoint().url(),
                "KOPEK_JWT_SECRET",
                Tokens.SECRET,
                "KOPEK_CONFIG",
                unlimited.toString()));
    int port = kopek.awaitServing(Duration.ofSeconds(90));

    try (ApiClient api = new ApiClient(port, IN_FLIGHT)) {
      Tokens tokens = Tokens.standard(api.vertx());
      String admin = tokens.admin("ops");
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String user = "user-" + i;
        users.add(user);
        // user-0 can pay for a few charges only: the guard answers 402 along the way.
        HttpResponse<Buffer> credit =
            api.post(
                "/v1/admin/adjustments",
                admin,
                "credit-" + user,
                new JsonObject()
                    .put("user_id", user)
                    .put("amount_minor", i == 0 ? 20 : 1_000_000)
                    .put("currency", "USD")
                    .put("reason", "opening credit"));
        assertThat(credit.statusCode()).isEqualTo(201);
      }

      Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
      Set<String> retryAfter = ConcurrentHashMap.newKeySet();
      AtomicInteger sent = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      List<Future<Void>> loops = new ArrayList<>();
      for (int lane = 0; lane < IN_FLIGHT; lane++) {
        String user = users.get(lane % users.size());
        String token = tokens.user(user);
        loops.add(charges(api, token, lane, sent, running, statuses, retryAfter));
      }

      Thread.sleep(1_500);
      database.stop();
      // Payments and billing have pools of their own: down, they answer 503 too.
      String alice = tokens.user("user-1");
      for (String path : List.of("/v1/topups", "/v1/subscriptions", "/v1/plans", "/v1/wallets")) {
        HttpResponse<Buffer> down = api.get(path, alice);
        assertThat(down.statusCode()).as(path + ": " + down.bodyAsString()).isEqualTo(503);
        assertThat(down.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
        assertThat(down.getHeader("Retry-After")).isEqualTo("2");
      }
      Thread.sleep(1_000);
      database.startServer();
      Thread.sleep(3_000);
      running.set(false);
      Future.join(loops).transform(done -> Future.succeededFuture()).await(30, TimeUnit.SECONDS);

      Map<Integer, Integer> counts = new TreeMap<>();
      statuses.forEach((status, count) -> counts.put(status, count.get()));
      assertThat(counts.keySet())
          .as("statuses %s", counts)
          .isSubsetOf(201, 402, 503)
          .contains(201, 503);
      assertThat(retryAfter).containsExactly("2");

      // Working again: a new charge goes through, and every chain and balance verifies.
      HttpResponse<Buffer> after =
          api.post(
              "/v1/charges",
              tokens.user("user-1"),
              "after",
              new JsonObject()
                  .put("amount_minor", 1)
                  .put("currency", "USD")
                  .put("reason", "after"));
      assertThat(after.statusCode()).as(after.bodyAsString()).isEqualTo(201);
      HttpResponse<Buffer> verify = api.get("/v1/admin/ledger/verify", admin);
      assertThat(verify.statusCode()).isEqualTo(200);
      assertThat(verify.bodyAsJsonObject().getBoolean("ok")).as(verify.bodyAsString()).isTrue();
    }

    String log = kopek.log();
    assertThat(log.lines().filter(line -> line.startsWith("\tat ") || line.startsWith("Caused by")))
        .as("stack trace lines in\n%s", log)
        .isEmpty();
    assertThat(log).doesNotContain(" ERROR ");
    assertThat(log.lines().filter(line -> line.contains("Database unavailable")).count())
        .as("outage lines in\n%s", log)
        .isBetween(1L, 40L);
  }

  /** One lane: a charge at a time, until told to stop. */
  private static Future<Void> charges(
      ApiClient api,
      String token,
      int lane,
      AtomicInteger sent,
      AtomicBoolean running,
      Map<Integer, AtomicInteger> statuses,
      Set<String> retryAfter) {
    if (!running.get()) {
      return Future.succeededFuture();
    }
    int n = sent.incrementAndGet();
    return api.postAsync(
            "/v1/charges",
            token,
            "charge-" + lane + "-" + n,
            new JsonObject()
                .put("amount_minor", 1)
                .put("currency", "USD")
                .put("reason", "load " + n))
        .transform(
            done -> {
              int status = done.succeeded() ? done.result().statusCode() : -1;
              statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
              if (status == 503) {
                retryAfter.add(String.valueOf(done.result().getHeader("Retry-After")));
              }
              return charges(api, token, lane, sent, running, statuses, retryAfter);
            });
  }
}
