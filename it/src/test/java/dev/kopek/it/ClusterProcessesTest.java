package dev.kopek.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVMs on loopback: two clustered Kopek nodes ({@code java -jar kopek.jar}) on one
 * PostgreSQL, and the example sibling verticle in a JVM of its own joined to their cluster. The
 * sibling charges a wallet through the typed ledger client while one node is killed.
 */
@DisplayName("Two clustered Kopek nodes and a sibling JVM")
class ClusterProcessesTest {

  private static final Duration START = Duration.ofSeconds(120);
  private static final int CHARGES = 600;

  /** The sibling's charges done when node A is killed. */
  private static final int KILL_AFTER = 150;

  private static final long SIBLING_CREDIT = 1_000_000;
  private static final Pattern CHARGED_ALL =
      Pattern.compile("sibling-verticle charged all (\\d+) \\((\\d+) replayed, (\\d+) resent\\)");

  @TempDir Path temp;

  private final List<JavaProcess> processes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    for (JavaProcess process : processes) {
      process.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  @Timeout(400)
  @DisplayName(
      "the sibling's charges land once each, facts of both nodes reach it, and with node A killed mid-load its resends complete on B, billing goes on and the ledger verifies")
  void siblingAndNodes() throws Exception {
    PostgresEndpoint database = TestDatabase.create();
    Path config = temp.resolve("cluster.yaml");
    Files.writeString(
        config,
        """
        ledger:
          send_timeout_ms: 3000
        billing:
          poll_interval_ms: 100
          lease_ms: 2000
          test_clock: true
        payments:
          gateways:
            sandbox:
              webhook_secret: "cluster-processes-test-webhook-secret"
        """);
    String cluster = "it-" + UUID.randomUUID().toString().substring(0, 8);
    int portA = freePort();
    int portB = freePort();
    int portSibling = freePort();
    Map<String, String> common = new HashMap<>();
    common.put("KOPEK_CONFIG", config.toString());
    common.put("KOPEK_DB_URL", TestDatabase.url(database));
    common.put("KOPEK_JWT_SECRET", Tokens.SECRET);
    common.put("KOPEK_HTTP_PORT", "0");
    common.put("KOPEK_CLUSTER", "true");
    common.put("KOPEK_CLUSTER_NAME", cluster);
    common.put("KOPEK_CLUSTER_HOST", "127.0.0.1");

    JavaProcess a =
        start(JavaProcess.kopek("a", temp.resolve("a"), node(common, "a", portA, portB)));
    JavaProcess b =
        start(JavaProcess.kopek("b", temp.resolve("b"), node(common, "b", portB, portA)));
    Api apiA = new Api(a.awaitServing(START));
    Api apiB = new Api(b.awaitServing(START));
    vertx = Vertx.vertx();
    Tokens tokens = Tokens.signedWith(vertx, Tokens.SECRET);
    String admin = tokens.admin("ops");
    credit(apiA, admin, "sib", SIBLING_CREDIT);
    credit(apiA, admin, "fact-a", 1_000);
    credit(apiA, admin, "fact-b", 1_000);
    credit(apiA, admin, "sub", 100_000);
    Api.Reply plan =
        apiA.post(
            "/v1/admin/plans",
            admin,
            "plan-it",
            new JsonObject()
                .put("code", "it-hourly")
                .put("name", "Hourly")
                .put("price_minor", 120)
                .put("currency", "USD")
                .put("period", "PT1H"));
    assertThat(plan.status()).as(plan.body().encode()).isEqualTo(201);
    Api.Reply subscribed =
        apiA.post(
            "/v1/subscriptions",
            tokens.user("sub"),
            "sub-1",
            new JsonObject().put("plan", "it-hourly"));
    assertThat(subscribed.status()).as(subscribed.body().encode()).isEqualTo(201);

    Map<String, String> siblingEnv = new HashMap<>(common);
    siblingEnv.remove("KOPEK_HTTP_PORT");
    siblingEnv.put("KOPEK_CLUSTER_PORT", String.valueOf(portSibling));
    siblingEnv.put("KOPEK_CLUSTER_MEMBERS", "127.0.0.1:" + portA + ",127.0.0.1:" + portB);
    siblingEnv.put("SIBLING_CHARGES", String.valueOf(CHARGES));
    siblingEnv.put("SIBLING_USER", "sib");
    siblingEnv.put("SIBLING_IN_FLIGHT", "4");
    siblingEnv.put("SIBLING_PAUSE_MS", "10");
    JavaProcess sibling = start(JavaProcess.sibling("sibling", temp.resolve("s"), siblingEnv));
    sibling.awaitLine("sibling-verticle is running", START);

    // Facts of both nodes: each node's API posts through its own ledger, which publishes.
    charge(apiA, tokens, "fact-a");
    charge(apiB, tokens, "fact-b");
    for (String user : List.of("fact-a", "fact-b")) {
      sibling.awaitLine(
          l ->
              l.contains("sibling-verticle received kopek.ledger.posted ")
                  && l.contains("\"user_id\":\"" + user + "\""),
          Duration.ofSeconds(30));
    }

    Poll.until(
        Duration.ofSeconds(120),
        KILL_AFTER + " of the sibling's charges",
        () -> sibling.count(l -> l.contains("sibling-verticle charged load-")) >= KILL_AFTER);
    a.kill();
    long chargedAtKill = sibling.count(l -> l.contains("sibling-verticle charged load-"));

    Matcher done = CHARGED_ALL.matcher(sibling.awaitLine("sibling-verticle charged all", START));
    assertThat(done.find()).isTrue();
    System.out.printf(
        "Sibling: %d charges, %d done when node A was killed, %s replayed, %s resent%n",
        CHARGES, chargedAtKill, done.group(2), done.group(3));
    assertThat(chargedAtKill).isLessThan(CHARGES);
    assertThat(
            TestDatabase.queryLong(
                database,
                "SELECT count(*) FROM ledger_entries WHERE user_id = 'sib' AND kind = 'charge'"))
        .isEqualTo(CHARGES);
    assertThat(
            TestDatabase.queryLong(
                database,
                "SELECT count(DISTINCT idempotency_key) FROM ledger_entries "
                    + "WHERE user_id = 'sib' AND idempotency_key LIKE 'sibling-verticle:load-%'"))
        .isEqualTo(CHARGES);
    Api.Reply wallet = apiB.get("/v1/wallets/USD", tokens.user("sib"));
    assertThat(wallet.body().getLong("balance_minor")).isEqualTo(SIBLING_CREDIT - CHARGES);

    // Billing goes on with node B alone: an hour later the subscription is charged.
    Api.Reply moved =
        apiB.post(
            "/v1/admin/clock", admin, "clock-1", new JsonObject().put("advance_ms", 3_600_000));
    assertThat(moved.status()).as(moved.body().encode()).isEqualTo(200);
    Poll.until(
        Duration.ofSeconds(60),
        "the subscription's hour charged",
        () ->
            TestDatabase.queryLong(
                    database,
                    "SELECT count(*) FROM ledger_entries WHERE user_id = 'sub' AND kind = 'billing'")
                == 1);
    sibling.awaitLine(
        l ->
            l.contains("sibling-verticle received kopek.billing.charged ")
                && l.contains("\"user_id\":\"sub\""),
        Duration.ofSeconds(30));

    Api.Reply verify = apiB.get("/v1/admin/ledger/verify", admin);
    assertThat(verify.status()).isEqualTo(200);
    assertThat(verify.body().getBoolean("ok")).as(verify.body().encode()).isTrue();
    assertThat(b.isAlive()).isTrue();
  }

  private JavaProcess start(JavaProcess process) {
    processes.add(process);
    return process;
  }

  private Map<String, String> node(Map<String, String> common, String name, int port, int other) {
    Map<String, String> env = new HashMap<>(common);
    env.put("KOPEK_DATA_DIR", temp.resolve(name).resolve("data").toString());
    env.put("KOPEK_CLUSTER_PORT", String.valueOf(port));
    env.put("KOPEK_CLUSTER_MEMBERS", "127.0.0.1:" + other);
    return env;
  }

  private static void credit(Api api, String admin, String user, long amountMinor)
      throws Exception {
    Api.Reply reply =
        api.post(
            "/v1/admin/adjustments",
            admin,
            "credit-" + user,
            new JsonObject()
                .put("user_id", user)
                .put("amount_minor", amountMinor)
                .put("currency", "USD")
                .put("reason", "Credit"));
    assertThat(reply.status()).as(reply.body().encode()).isEqualTo(201);
  }

  private static void charge(Api api, Tokens tokens, String user) throws Exception {
    Api.Reply reply =
        api.post(
            "/v1/charges",
            tokens.user(user),
            "charge-" + user,
            new JsonObject().put("amount_minor", 100).put("currency", "USD").put("reason", "Fact"));
    assertThat(reply.status()).as(reply.body().encode()).isEqualTo(201);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
