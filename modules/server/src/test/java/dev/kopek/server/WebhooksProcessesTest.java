package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks from real Kopek processes to a receiver on loopback: every committed fact's event
 * arrives, verified with the Standard Webhooks library and an independent HMAC, across a SIGKILL
 * right after commits and with two processes sharing the delivery work; refused commands have none.
 */
@DisplayName("Webhooks from Kopek processes")
class WebhooksProcessesTest {

  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration STOP = Duration.ofSeconds(20);
  private static final Duration DELIVERED = Duration.ofSeconds(90);
  private static final int USERS = 10;
  private static final long CREDIT_MINOR = 1_000;
  private static final long CHARGE_MINOR = 100;

  /** Charges per user: more than the credit covers, so some are refused for want of money. */
  private static final int CHARGES_PER_USER = 15;

  @TempDir Path temp;

  private final List<KopekProcess> processes = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private PostgresEndpoint database;
  private WebhookReceiver receiver;
  private Path config;

  @BeforeEach
  void setUp() throws Exception {
    database = TestDatabase.create();
    receiver = new WebhookReceiver();
    config = temp.resolve("kopek.yaml");
    Files.writeString(
        config,
        """
        events:
          poll_ms: 50
        webhooks:
          allow_private_targets: true
          timeout_ms: 5000
        payments:
          gateways:
            sandbox:
              webhook_secret: "webhooks-processes-test-secret-of-enough-length"
        """);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    for (KopekProcess process : processes) {
      if (process.process().isAlive()) {
        process.terminate();
      }
    }
    for (KopekProcess process : processes) {
      process.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
      process.close();
    }
    receiver.close();
  }

  @Test
  @Timeout(300)
  @DisplayName(
      "SIGKILL right after commits: after a restart every committed entry's event arrives, none for refused charges")
  void sigkillAfterCommits() throws Exception {
    KopekProcess first = start("a");
    ApiClient api = client(first.awaitServing(START));
    Tokens tokens = Tokens.signedWith(api.vertx(), Tokens.SECRET);
    String admin = tokens.admin("ops");
    createEndpoint(api, admin);
    credit(api, admin);

    // Charges in flight; the process is killed once three quarters of them have been answered,
    // when each user's credit has run out and the last ones are refused.
    Map<String, Integer> answers = new ConcurrentHashMap<>();
    AtomicInteger answered = new AtomicInteger();
    List<Future<?>> charges = new ArrayList<>();
    int total = USERS * CHARGES_PER_USER;
    for (int n = 0; n < CHARGES_PER_USER; n++) {
      for (int u = 0; u < USERS; u++) {
        String key = "charge-" + u + "-" + n;
        charges.add(
            api.postAsync(
                    "/v1/charges",
                    tokens.user("user-" + u),
                    key,
                    new JsonObject()
                        .put("amount_minor", CHARGE_MINOR)
                        .put("currency", "USD")
                        .put("reason", "order " + n))
                .onComplete(
                    done -> {
                      if (done.succeeded()) {
                        answers.put(key, done.result().statusCode());
                      }
                      answered.incrementAndGet();
                    }));
      }
    }
    Poll.until(
        Duration.ofSeconds(60),
        "three quarters of the charges answered",
        () -> answers.size() >= total * 3 / 4);
    first.kill();
    assertThat(first.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();
    Poll.until(
        Duration.ofSeconds(60), "every charge answered or dropped", () -> answered.get() == total);

    KopekProcess second = start("b");
    client(second.awaitServing(START));
    Set<String> committed = entryEventIds();
    Poll.until(
        DELIVERED,
        "every committed entry's event delivered",
        () -> receiver.ids().containsAll(committed));

    assertThat(receiver.problems()).isEmpty();
    // Charges answered 201 committed; their entries' events arrived.
    Set<String> answeredCreated = new HashSet<>();
    answers.forEach(
        (key, status) -> {
          if (status == 201) {
            answeredCreated.add(key);
          }
        });
    assertThat(answeredCreated).isNotEmpty();
    for (String key : answeredCreated) {
      assertThat(committed).contains("evt_entry_posted_" + entryId(key));
    }
    // Refused charges (402) wrote nothing, so no event names them.
    long refused = answers.values().stream().filter(status -> status == 402).count();
    assertThat(refused).as("charges refused for want of money: %s", answers.values()).isPositive();
    for (Map.Entry<String, Integer> answer : answers.entrySet()) {
      if (answer.getValue() == 402) {
        assertThat(entryId(answer.getKey())).isNull();
      }
    }
    // Exactly the committed facts' events: nothing delivered that has no entry behind it.
    Set<String> deliveredEntries = new HashSet<>();
    receiver.ids().stream()
        .filter(id -> id.startsWith("evt_entry_posted_"))
        .forEach(deliveredEntries::add);
    assertThat(deliveredEntries).isEqualTo(committed);
    System.out.printf(
        "SIGKILL after %d of %d charges answered (%d with 201, %d with 402); %d entries committed, "
            + "%d events delivered, %d duplicate deliveries%n",
        answers.size(),
        total,
        answeredCreated.size(),
        refused,
        committed.size(),
        receiver.ids().size(),
        receiver.duplicates());
  }

  @Test
  @Timeout(300)
  @DisplayName(
      "two processes on one database share the delivery work: every event arrives, per-wallet order is recoverable")
  void twoProcessesShareDelivery() throws Exception {
    KopekProcess a = start("a");
    KopekProcess b = start("b");
    ApiClient apiA = client(a.awaitServing(START));
    ApiClient apiB = client(b.awaitServing(START));
    Tokens tokens = Tokens.signedWith(apiA.vertx(), Tokens.SECRET);
    String admin = tokens.admin("ops");
    createEndpoint(apiA, admin);
    credit(apiA, admin);

    List<Future<?>> charges = new ArrayList<>();
    for (int n = 0; n < 8; n++) {
      for (int u = 0; u < USERS; u++) {
        ApiClient api = (u + n) % 2 == 0 ? apiA : apiB;
        charges.add(
            api.postAsync(
                "/v1/charges",
                tokens.user("user-" + u),
                "charge-" + u + "-" + n,
                new JsonObject()
                    .put("amount_minor", CHARGE_MINOR)
                    .put("currency", "USD")
                    .put("reason", "order " + n)));
      }
    }
    Future.join(charges).await(120, TimeUnit.SECONDS);
    Set<String> all = allEventIds();
    Poll.until(DELIVERED, "every event delivered", () -> receiver.ids().containsAll(all));
    assertThat(receiver.problems()).isEmpty();
    assertThat(receiver.ids()).containsExactlyInAnyOrderElementsOf(all);

    // Per wallet, the sequence numbers of the entry events are 1..n without a gap.
    Map<String, List<Long>> sequences = new ConcurrentHashMap<>();
    for (WebhookReceiver.Delivery delivery : receiver.deliveries()) {
      JsonObject event = delivery.json();
      if (event.getString("type").equals("entry.posted")) {
        JsonObject wallet = event.getJsonObject("wallet");
        sequences
            .computeIfAbsent(wallet.getString("user_id"), k -> new ArrayList<>())
            .add(wallet.getLong("sequence"));
      }
    }
    sequences.forEach(
        (user, seqs) -> {
          List<Long> distinct = seqs.stream().distinct().sorted().toList();
          assertThat(distinct.get(0)).as(user).isEqualTo(1);
          assertThat(distinct.get(distinct.size() - 1)).as(user).isEqualTo(distinct.size());
        });
    System.out.printf(
        "Two processes: %d events, %d deliveries, %d duplicate deliveries%n",
        all.size(), receiver.deliveries().size(), receiver.duplicates());
  }

  private void createEndpoint(ApiClient api, String admin) throws Exception {
    HttpResponse<Buffer> created =
        api.post(
            "/v1/admin/webhook_endpoints",
            admin,
            "endpoint-1",
            new JsonObject()
                .put("url", receiver.url())
                .put("enabled_events", new JsonArray().add("*"))
                .put("description", "the test's receiver"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    receiver.secret(created.bodyAsJsonObject().getString("secret"));
  }

  private void credit(ApiClient api, String admin) throws Exception {
    for (int u = 0; u < USERS; u++) {
      HttpResponse<Buffer> credited =
          api.post(
              "/v1/admin/adjustments",
              admin,
              "credit-" + u,
              new JsonObject()
                  .put("user_id", "user-" + u)
                  .put("amount_minor", CREDIT_MINOR)
                  .put("currency", "USD")
                  .put("reason", "opening credit"));
      assertThat(credited.statusCode()).as(credited.bodyAsString()).isEqualTo(201);
    }
  }

  private KopekProcess start(String name) throws Exception {
    KopekProcess process =
        KopekProcess.start(
            temp.resolve(name).resolve("data"),
            temp.resolve(name).resolve("cwd"),
            Map.of(
                "KOPEK_DB_URL",
                TestDatabase.url(database),
                "KOPEK_JWT_SECRET",
                Tokens.SECRET,
                "KOPEK_CONFIG",
                config.toString()));
    processes.add(process);
    return process;
  }

  private ApiClient client(int port) {
    ApiClient client = new ApiClient(port, 16);
    clients.add(client);
    return client;
  }

  /** The entry.posted event id of every entry in the ledger. */
  private Set<String> entryEventIds() throws Exception {
    return strings("SELECT 'evt_entry_posted_' || id FROM ledger_entries");
  }

  private Set<String> allEventIds() throws Exception {
    return strings("SELECT id FROM events");
  }

  /** The id of the entry a charge's idempotency key posted, or null. */
  private Long entryId(String key) throws Exception {
    Set<String> ids =
        strings("SELECT id::text FROM ledger_entries WHERE idempotency_key LIKE '%:" + key + "'");
    return ids.isEmpty() ? null : Long.parseLong(ids.iterator().next());
  }

  private Set<String> strings(String sql) throws Exception {
    Set<String> values = new HashSet<>();
    try (Connection connection =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        values.add(result.getString(1));
      }
    }
    return values;
  }
}
