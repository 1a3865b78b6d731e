package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recurring billing shared by Kopek processes on one database, as operators run it for
 * availability: each process claims due wallets with SKIP LOCKED and a lease, and one of them dies
 * by SIGKILL in the middle of a billing run. Whatever process charges a period, and however often a
 * run is retried, every period of every subscription is charged exactly once.
 */
@DisplayName("Billing on several Kopek processes")
class BillingProcessesTest {

  private static final int USERS = 1_000;
  private static final int HOURS = 24;

  /** The clock step after which process B is killed; it is sent to B, so B is billing then. */
  private static final int KILL_AT_HOUR = 12;

  private static final long CREDIT_MINOR = 100_000;
  private static final long PRICE_MINOR = 120;
  private static final long HOUR_MS = 3_600_000;

  /** Requests in flight while setting up the users. */
  private static final int IN_FLIGHT = 32;

  /** A short lease, so the killed process's wallets are taken over within seconds. */
  private static final long LEASE_MS = 2_000;

  /** Start-up includes a JVM and the migrations check, on a busy 2-core machine. */
  private static final Duration START = Duration.ofSeconds(90);

  private static final Duration STOP = Duration.ofSeconds(20);

  /** How long one clock step may take to be billed by every wallet. */
  private static final Duration SETTLE = Duration.ofSeconds(60);

  /** The timers of a wallet that is due, or whose run was left half done. */
  private static final String UNSETTLED =
      "SELECT count(*) FROM billing_wallets "
          + "WHERE pending_run IS NOT NULL OR next_charge_at <= (SELECT now FROM billing_test_clock)";

  private static final Pattern BILLED = Pattern.compile(" Billed (\\d+) due wallets in ");

  @TempDir Path temp;

  private final List<KopekProcess> processes = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private PostgresEndpoint database;
  private Path config;

  /** SIGTERM to every process still running, then SIGKILL to any that did not stop in time. */
  @AfterEach
  void stopProcesses() throws Exception {
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
  }

  @Test
  @Timeout(600)
  @DisplayName(
      "two processes bill 1,000 subscriptions for 24 hours, one killed midway: every period charged exactly once")
  void everyPeriodChargedOnceAcrossProcesses() throws Exception {
    database = TestDatabase.create();
    config = temp.resolve("kopek.yaml");
    Files.writeString(
        config,
        """
        billing:
          lease_ms: %d
          poll_interval_ms: 100
        payments:
          gateways:
            sandbox:
              webhook_secret: "billing-processes-test-webhook-secret"
        """
            .formatted(LEASE_MS));

    KopekProcess a = start("a");
    KopekProcess b = start("b");
    ApiClient apiA = client(a.awaitServing(START));
    ApiClient apiB = client(b.awaitServing(START));
    Tokens tokens = Tokens.signedWith(apiA.vertx(), Tokens.SECRET);
    String admin = tokens.admin("ops");

    // Set-up, all through process A.
    long setUpStarted = System.nanoTime();
    HttpResponse<Buffer> plan =
        apiA.post(
            "/v1/admin/plans",
            admin,
            "plan-pro",
            new JsonObject()
                .put("code", "pro")
                .put("name", "Pro")
                .put("price_minor", PRICE_MINOR)
                .put("currency", "USD")
                .put("period", "PT1H"));
    assertThat(plan.statusCode()).as(plan.bodyAsString()).isEqualTo(201);
    subscribeEveryone(apiA, tokens, admin);
    double setUpSeconds = seconds(setUpStarted);
    assertThat(
            query(
                "SELECT count(*) FROM billing_subscriptions WHERE status = 'active' "
                    + "AND plan_code = 'pro' AND segment = 1"))
        .isEqualTo(USERS);
    assertThat(query("SELECT count(DISTINCT anchor) FROM billing_subscriptions")).isEqualTo(1);
    assertThat(query(UNSETTLED)).isZero();

    // 24 hours, one clock step at a time, the steps sent alternately to A and B.
    ApiClient[] api = {apiA, apiB};
    List<Long> stepMillis = new ArrayList<>();
    long pendingAtKill = -1;
    long unsettledAtKill = -1;
    KopekProcess restarted = null;
    long stepsStarted = System.nanoTime();
    for (int hour = 1; hour <= HOURS; hour++) {
      long stepStarted = System.nanoTime();
      HttpResponse<Buffer> moved =
          api[hour % 2 == 1 ? 0 : 1].post(
              "/v1/admin/clock",
              admin,
              "clock-" + hour,
              new JsonObject().put("advance_ms", HOUR_MS));
      assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
      if (hour == KILL_AT_HOUR) {
        // B moved the clock and polls every 100 ms: kill it as soon as the hour's billing shows.
        awaitBillingOf(hour);
        b.kill();
        assertThat(b.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();
        pendingAtKill = query("SELECT count(*) FROM billing_wallets WHERE pending_run IS NOT NULL");
        unsettledAtKill = query(UNSETTLED);
        restarted = start("b2");
        api[1] = client(restarted.awaitServing(START));
      }
      awaitSettled(hour);
      stepMillis.add((System.nanoTime() - stepStarted) / 1_000_000);
    }
    double stepsSeconds = seconds(stepsStarted);
    System.out.printf(
        "Set-up of %d users (credit and subscription, %d requests in flight): " + "%.1f s%n",
        USERS, IN_FLIGHT, setUpSeconds);
    System.out.printf(
        "%d clock steps of %d wallets on two processes, B killed after step %d: "
            + "%.1f s; per step (ms, the kill step includes starting B'): %s%n",
        HOURS, USERS, KILL_AT_HOUR, stepsSeconds, stepMillis);
    System.out.printf(
        "At the kill: %d wallets not yet billed for hour %d, %d with a pending " + "run%n",
        unsettledAtKill, KILL_AT_HOUR, pendingAtKill);

    // Each process billed some of the wallets.
    long billedByA = billed(a);
    long billedByB = billed(b);
    long billedByRestarted = billed(restarted);
    System.out.printf(
        "Wallet runs logged: A %d, B %d (killed), B' %d%n",
        billedByA, billedByB, billedByRestarted);
    assertThat(billedByA).as("wallets billed by A").isPositive();
    assertThat(billedByB).as("wallets billed by B before it was killed").isPositive();
    assertThat(billedByRestarted).as("wallets billed by B'").isPositive();

    // Exactly one entry per period per subscription, of the plan's price.
    assertThat(query("SELECT count(*) FROM ledger_entries WHERE kind = 'billing'"))
        .isEqualTo((long) HOURS * USERS);
    assertThat(
            query(
                "SELECT count(*) FROM ledger_entries WHERE kind = 'billing' "
                    + "AND (amount_minor <> -"
                    + PRICE_MINOR
                    + " OR currency <> 'USD')"))
        .isZero();
    assertThat(
            query(
                "SELECT count(*) FROM (SELECT reference FROM ledger_entries "
                    + "WHERE kind = 'billing' GROUP BY reference HAVING count(*) <> 1) twice"))
        .as("references charged more than once")
        .isZero();
    assertThat(
            query(
                """
        SELECT count(*) FROM (
          SELECT s.id, k FROM billing_subscriptions s CROSS JOIN generate_series(1, %d) k
            LEFT JOIN ledger_entries e ON e.reference = 'billing:' || s.id || ':1:' || k
                                      AND e.user_id = s.user_id AND e.kind = 'billing'
           GROUP BY s.id, k HAVING count(e.id) <> 1) missing
        """
                    .formatted(HOURS)))
        .as("periods not charged exactly once")
        .isZero();
    assertThat(
            query(
                "SELECT count(*) FROM billing_subscriptions WHERE status = 'active' "
                    + "AND segment = 1 AND periods_charged = "
                    + HOURS
                    + " AND segment_charged_minor = "
                    + HOURS * PRICE_MINOR))
        .isEqualTo(USERS);

    // Every wallet paid exactly 24 periods; the books balance.
    assertThat(
            query(
                "SELECT count(*) FROM ledger_accounts WHERE account_kind = 'wallet' "
                    + "AND currency = 'USD'"))
        .isEqualTo(USERS);
    assertThat(
            query(
                "SELECT count(*) FROM ledger_accounts WHERE account_kind = 'wallet' "
                    + "AND currency = 'USD' AND balance_minor <> "
                    + (CREDIT_MINOR - HOURS * PRICE_MINOR)))
        .as("wallets whose balance is not %d", CREDIT_MINOR - HOURS * PRICE_MINOR)
        .isZero();
    assertThat(
            query(
                "SELECT coalesce(sum(balance_minor), 0) FROM ledger_accounts "
                    + "WHERE currency = 'USD'"))
        .as("sum of the USD accounts")
        .isZero();
    assertThat(
            query(
                "SELECT coalesce(sum(balance_minor), 0) FROM ledger_accounts "
                    + "WHERE account_kind = 'system' AND name = 'revenue' AND currency = 'USD'"))
        .as("revenue")
        .isEqualTo(HOURS * PRICE_MINOR * USERS);
    HttpResponse<Buffer> verify = api[0].get("/v1/admin/ledger/verify", admin);
    assertThat(verify.statusCode()).isEqualTo(200);
    assertThat(verify.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject()
                .put("ok", true)
                .put("wallets_checked", USERS)
                .put("entries_checked", USERS + HOURS * USERS));

    for (KopekProcess process : List.of(a, b, restarted)) {
      List<String> warnings =
          process
              .log()
              .lines()
              .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
              .toList();
      System.out.printf(
          "Warnings and errors of a process: %d%s%n",
          warnings.size(),
          warnings.stream().limit(10).map(line -> "\n  " + line).reduce("", String::concat));
      assertThat(warnings).as("errors logged").noneMatch(line -> line.contains(" ERROR "));
    }
  }

  /** Credits every user and subscribes them to {@code pro}, {@link #IN_FLIGHT} at a time. */
  private void subscribeEveryone(ApiClient api, Tokens tokens, String admin) throws Exception {
    Semaphore window = new Semaphore(IN_FLIGHT);
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < USERS; i++) {
      String user = "user-%04d".formatted(i);
      String token = tokens.user(user);
      window.acquire();
      api.postAsync(
              "/v1/admin/adjustments",
              admin,
              "credit-" + user,
              new JsonObject()
                  .put("user_id", user)
                  .put("amount_minor", CREDIT_MINOR)
                  .put("currency", "USD")
                  .put("reason", "opening credit"))
          .compose(credited -> expect(credited, 201, "credit of " + user))
          .compose(
              v ->
                  api.postAsync(
                      "/v1/subscriptions",
                      token,
                      "subscribe-" + user,
                      new JsonObject().put("plan", "pro")))
          .compose(subscribed -> expect(subscribed, 201, "subscription of " + user))
          .onComplete(
              done -> {
                if (done.failed()) {
                  failures.add(done.cause().getMessage());
                }
                window.release();
              });
    }
    assertThat(window.tryAcquire(IN_FLIGHT, 120, TimeUnit.SECONDS)).as("set-up finished").isTrue();
    assertThat(failures).isEmpty();
  }

  private static Future<Void> expect(HttpResponse<Buffer> response, int status, String what) {
    return response.statusCode() == status
        ? Future.succeededFuture()
        : Future.failedFuture(what + ": " + response.statusCode() + " " + response.bodyAsString());
  }

  /** Waits until the first entry of {@code hour}'s period is in the ledger. */
  private void awaitBillingOf(int hour) throws Exception {
    Poll.until(
        SETTLE,
        "billing of hour " + hour + " started",
        () -> billingEntries() > (long) (hour - 1) * USERS);
  }

  private long billingEntries() {
    try {
      return query("SELECT count(*) FROM ledger_entries WHERE kind = 'billing'");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until no wallet is due or half run after the clock step to {@code hour}. */
  private void awaitSettled(int hour) throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      long unsettled =
          Poll.value(SETTLE, () -> single(statement, UNSETTLED), wallets -> wallets == 0);
      if (unsettled != 0) {
        throw new AssertionError(
            unsettled
                + " wallets still due or half run "
                + SETTLE
                + " after the clock step to hour "
                + hour
                + "; logs:\n"
                + String.join("\n---\n", processes.stream().map(KopekProcess::log).toList()));
      }
    }
  }

  /** The wallets a process reported billing, summed over its "Billed N due wallets" lines. */
  private static long billed(KopekProcess process) {
    return process
        .log()
        .lines()
        .map(BILLED::matcher)
        .filter(Matcher::find)
        .mapToLong(m -> Long.parseLong(m.group(1)))
        .sum();
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
                "KOPEK_BILLING_TEST_CLOCK",
                "true",
                "KOPEK_CONFIG",
                config.toString()));
    processes.add(process);
    return process;
  }

  private ApiClient client(int port) {
    ApiClient client = new ApiClient(port, IN_FLIGHT);
    clients.add(client);
    return client;
  }

  private long query(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      return single(statement, sql);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }

  private static long single(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
