package dev.kopek.bench;

import dev.kopek.storage.EmbeddedPostgresServer;
import dev.kopek.storage.PostgresEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code bench/run}: Kopek's API against a raw-PostgreSQL baseline, side by side, on the same
 * database server. Prints one JSON line per scenario on standard output; progress goes to standard
 * error. See bench/README.md.
 */
public final class Bench {

  /** Every wallet starts with this much, so no debit of the run is refused. */
  static final long FUND_MINOR = 1_000_000_000L;

  static final String SECRET = "bench-secret-of-at-least-thirty-two-bytes-long";

  record Options(
      int pairs,
      long runMs,
      long warmupMs,
      int wallets,
      int billingWallets,
      int inFlight,
      Baseline.Length sweep,
      String jar,
      List<String> scenarios,
      boolean webhook) {

    static Options parse(String[] args) {
      List<String> list = Arrays.asList(args);
      boolean quick = list.contains("--quick");
      boolean smoke = list.contains("--smoke");
      boolean webhook = list.contains("--webhook");
      String jar = value(list, "--jar", "modules/server/target/kopek.jar");
      int inFlight = Integer.parseInt(value(list, "--in-flight", "128"));
      List<String> scenarios =
          Arrays.asList(
              value(list, "--scenarios", "debit_spread,debit_hot,mixed,billing_run").split(","));
      // The baseline's sweeps run each client count for 5 s (2 s with --quick); the smoke test's
      // for two transactions per client (see baselineRun).
      Baseline.Length sweep =
          smoke ? Baseline.Length.transactions(2) : Baseline.Length.seconds(quick ? 2_000 : 5_000);
      if (smoke) {
        return new Options(1, 1_000, 1_000, 200, 300, 16, sweep, jar, scenarios, webhook);
      }
      if (quick) {
        return new Options(
            3, 3_000, 30_000, 10_000, 10_000, inFlight, sweep, jar, scenarios, webhook);
      }
      return new Options(
          3, 15_000, 90_000, 10_000, 100_000, inFlight, sweep, jar, scenarios, webhook);
    }

    /**
     * The pairs' baseline runs: as long as Kopek's, but in the smoke test as short as its sweep's
     * (a pgbench run of one second at 32 clients, on a busy machine, spent the whole second
     * connecting and committed nothing).
     */
    Baseline.Length baselineRun() {
      return sweep.seconds() == 0 ? sweep : Baseline.Length.seconds(runMs);
    }

    private static String value(List<String> args, String name, String fallback) {
      int at = args.indexOf(name);
      return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : fallback;
    }
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(Options.parse(args), System.out, System.err));
  }

  static int run(Options options, PrintStream out, PrintStream log) throws Exception {
    Path work = Files.createTempDirectory("kopek-bench");
    String external = System.getenv("KOPEK_DB_URL");
    EmbeddedPostgresServer embedded = null;
    PostgresEndpoint server;
    if (external == null || external.isBlank()) {
      log.println("Starting PostgreSQL (embedded, fsync on) in " + work);
      embedded = EmbeddedPostgresServer.start(work.resolve("postgres"), true);
      server = embedded.endpoint();
    } else {
      server = PostgresEndpoint.parse(external);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    KopekProcess kopek = null;
    try {
      PostgresEndpoint kopekDb = recreate(server, "kopek_bench");
      PostgresEndpoint baselineDb = recreate(server, "baseline_bench");
      Baseline baseline = Baseline.prepare(baselineDb, options.wallets(), work, log);
      int port = freePort();
      kopek = KopekProcess.start(Path.of(options.jar()), kopekDb, port, work, SECRET, log);
      WebClient client =
          WebClient.create(
              vertx,
              new WebClientOptions()
                  .setDefaultHost("127.0.0.1")
                  .setDefaultPort(port)
                  .setKeepAlive(true)
                  .setTcpNoDelay(true),
              new PoolOptions().setHttp1MaxSize(Math.max(options.inFlight(), 64)));
      LoadGenerator load = new LoadGenerator(vertx, port, Math.max(options.inFlight(), 64));
      Seed seed = new Seed(kopekDb, options.wallets());
      seed.wallets();
      Tokens tokens = new Tokens(vertx, options.wallets());
      Receiver receiver = null;
      if (options.webhook()) {
        receiver = Receiver.start(vertx);
        receiver.subscribe(client, tokens.admin);
        log.println("Webhook endpoint subscribed to every event: " + receiver.url());
      }
      Scenarios scenarios =
          new Scenarios(
              options,
              load,
              seed,
              tokens,
              baseline,
              client,
              receiver,
              out,
              log,
              new CpuMeter(kopek.pid()));
      scenarios.warmUp();
      for (String scenario : options.scenarios()) {
        scenarios.run(scenario.trim());
      }
      return 0;
    } finally {
      if (kopek != null) {
        kopek.stop();
      }
      vertx.close();
      if (embedded != null) {
        embedded.close();
      }
      // The run's PostgreSQL data and Kopek's data directory: several hundred megabytes a run.
      org.apache.commons.io.FileUtils.deleteDirectory(work.toFile());
    }
  }

  static PostgresEndpoint recreate(PostgresEndpoint server, String name) throws Exception {
    try (Connection connection =
            DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      statement.execute("CREATE DATABASE " + name);
    }
    return server.withDatabase(name);
  }

  static void sql(PostgresEndpoint db, String... statements) throws Exception {
    try (Connection connection =
            DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  static long queryLong(PostgresEndpoint db, String sql) throws Exception {
    try (Connection connection =
            DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Tokens for every bench user, minted once (JWT signing is not what is measured). */
  static final class Tokens {
    final String[] users;
    final String admin;
    final String hot;

    Tokens(Vertx vertx, int wallets) {
      JWTAuth jwt =
          JWTAuth.create(
              vertx,
              new JWTAuthOptions()
                  .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
      JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(600);
      users = new String[wallets];
      for (int i = 0; i < wallets; i++) {
        users[i] = jwt.generateToken(new JsonObject().put("user_id", "u" + i), options);
      }
      hot = jwt.generateToken(new JsonObject().put("user_id", "hot"), options);
      admin =
          jwt.generateToken(
              new JsonObject()
                  .put("user_id", "bench")
                  .put("roles", new io.vertx.core.json.JsonArray().add("admin")),
              options);
    }
  }

  /** Unique idempotency keys, and the debit body every request sends. */
  static final AtomicLong KEYS = new AtomicLong();

  static final Buffer DEBIT =
      Buffer.buffer("{\"amount_minor\":1,\"currency\":\"USD\",\"reason\":\"bench\"}");

  static Supplier<LoadGenerator.Call> spreadDebits(Tokens tokens) {
    return () ->
        new LoadGenerator.Call(
            HttpMethod.POST,
            "/v1/charges",
            tokens.users[ThreadLocalRandom.current().nextInt(tokens.users.length)],
            "b" + KEYS.incrementAndGet(),
            DEBIT);
  }

  static Supplier<LoadGenerator.Call> hotDebits(Tokens tokens) {
    return () ->
        new LoadGenerator.Call(
            HttpMethod.POST, "/v1/charges", tokens.hot, "h" + KEYS.incrementAndGet(), DEBIT);
  }

  static Supplier<LoadGenerator.Call> mixed(Tokens tokens) {
    Supplier<LoadGenerator.Call> debits = spreadDebits(tokens);
    return () ->
        ThreadLocalRandom.current().nextInt(5) == 0
            ? debits.get()
            : new LoadGenerator.Call(
                HttpMethod.GET,
                "/v1/wallets/USD",
                tokens.users[ThreadLocalRandom.current().nextInt(tokens.users.length)],
                null,
                null);
  }

  static List<Double> sorted(List<Double> values) {
    List<Double> copy = new ArrayList<>(values);
    copy.sort(Double::compare);
    return copy;
  }

  static double median(List<Double> values) {
    List<Double> sorted = sorted(values);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
