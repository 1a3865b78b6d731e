package dev.kopek.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The scenarios. Debit scenarios first sweep the baseline's client counts (and the batched
 * ceiling's), then interleave baseline runs at the fastest count and Kopek runs (A B A B ...),
 * reset both sides' tables before every run, and report the median of the per-pair ratios: on a
 * shared, noisy machine only figures measured side by side mean something. Latency percentiles come
 * from a constant-rate run at half of Kopek's measured peak.
 */
final class Scenarios {

  private final Bench.Options options;
  private final LoadGenerator load;
  private final Seed seed;
  private final Bench.Tokens tokens;
  private final Baseline baseline;
  private final WebClient client;
  private final Receiver receiver;
  private final PrintStream out;
  private final PrintStream log;
  private final CpuMeter cpu;
  private final boolean pgbench = Baseline.available();

  Scenarios(
      Bench.Options options,
      LoadGenerator load,
      Seed seed,
      Bench.Tokens tokens,
      Baseline baseline,
      WebClient client,
      Receiver receiver,
      PrintStream out,
      PrintStream log,
      CpuMeter cpu) {
    this.cpu = cpu;
    this.receiver = receiver;
    this.options = options;
    this.load = load;
    this.seed = seed;
    this.tokens = tokens;
    this.baseline = baseline;
    this.client = client;
    this.out = out;
    this.log = log;
    if (!pgbench) {
      log.println(
          "pgbench is not installed (Debian: postgresql-client / postgresql-15); "
              + "baseline figures will be null");
    }
  }

  /**
   * JIT warm-up, so that the first measured run is not the compiler's: every request path the
   * scenarios take (spread and hot debits, reads) in closed loop, and the load generator's own
   * constant-rate path, a quarter of the time each, then a table reset. Measured without the
   * constant-rate part, the first latency run of a bench paid for compiling the generator's
   * scheduling code: p99 79 ms where the same run repeated measured 14-19 ms.
   */
  void warmUp() throws Exception {
    log.println("Warming up for " + options.warmupMs() + " ms");
    long each = Math.max(1, options.warmupMs() / 4);
    load.closedLoop(options.inFlight(), each, Bench.spreadDebits(tokens));
    load.closedLoop(options.inFlight(), each, Bench.hotDebits(tokens));
    load.closedLoop(options.inFlight(), each, Bench.mixed(tokens));
    load.constantRate(2_000, each, Bench.spreadDebits(tokens));
    if (options.scenarios().stream().anyMatch(name -> name.trim().equals("billing_run"))) {
      warmUpBilling();
    }
    seed.reset();
    if (pgbench) {
      baseline.debits(false, Baseline.Protocol.PREPARED, Baseline.SIMPLE_CLIENTS, options.sweep());
    }
  }

  void run(String scenario) throws Exception {
    switch (scenario) {
      case "debit_spread" -> debits(scenario, false, Bench.spreadDebits(tokens));
      case "debit_hot" -> debits(scenario, true, Bench.hotDebits(tokens));
      case "mixed" -> debits(scenario, null, Bench.mixed(tokens));
      case "billing_run" -> billing();
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    }
  }

  /**
   * The baseline at its best, measured before the scenario's pairs: pgbench with prepared
   * statements at every client count of {@link Baseline#CLIENTS}, the fastest of which the pairs
   * use; pgbench in its default mode (simple query protocol, 16 clients), for reference; and the
   * batched script at every client count, whose fastest is the ceiling. Every run is as long as
   * {@link Bench.Options#sweep}.
   */
  private record Calibration(Baseline.Sweep prepared, double simple, Baseline.Sweep ceiling) {}

  private Calibration calibrate(String scenario, boolean hot) throws Exception {
    Baseline.Length length = options.sweep();
    long start = System.nanoTime();
    log.printf(
        "%s: sweeping the baseline's client counts %s, %s each%n",
        scenario, Baseline.CLIENTS, length);
    Baseline.Sweep prepared = baseline.sweep(scenario, hot, false, length);
    double simple = baseline.debits(hot, Baseline.Protocol.SIMPLE, Baseline.SIMPLE_CLIENTS, length);
    log.printf(
        "%s baseline (simple query protocol), %d clients: %.0f debits/s%n",
        scenario, Baseline.SIMPLE_CLIENTS, simple);
    Baseline.Sweep ceiling = baseline.sweep(scenario, hot, true, length);
    log.printf(
        "%s: the pairs' baseline is pgbench -M prepared with %d clients; ceiling %.0f debits/s "
            + "(%d per statement, %d clients); the sweeps took %.0f s%n",
        scenario,
        prepared.best(),
        ceiling.bestPerSecond(),
        Baseline.BATCH,
        ceiling.best(),
        (System.nanoTime() - start) / 1e9);
    return new Calibration(prepared, simple, ceiling);
  }

  /** {@code hot} null: no baseline applies. */
  private void debits(String scenario, Boolean hot, Supplier<LoadGenerator.Call> calls)
      throws Exception {
    Calibration calibration = hot != null && pgbench ? calibrate(scenario, hot) : null;
    List<Double> kopek = new ArrayList<>();
    List<Double> base = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    long failed = 0;
    long delivered = 0;
    long backlog = 0;
    LoadGenerator.Result peakRun = null;
    CpuMeter.Total cpuSpent = new CpuMeter.Total();
    for (int pair = 1; pair <= options.pairs(); pair++) {
      Double b = null;
      if (calibration != null) {
        b =
            baseline.debits(
                hot,
                Baseline.Protocol.PREPARED,
                calibration.prepared().best(),
                options.baselineRun());
        base.add(b);
      }
      seed.reset();
      long receivedBefore = receiver == null ? 0 : receiver.received();
      CpuMeter.Reading before = cpu.read();
      LoadGenerator.Result result = load.closedLoop(options.inFlight(), options.runMs(), calls);
      cpuSpent.add(before, cpu.read(), result.completed());
      failed += result.failed();
      if (receiver != null) {
        // Delivered while the run lasted, and left to deliver when it ended.
        delivered += receiver.received() - receivedBefore;
        backlog = Math.max(backlog, seed.undelivered());
      }
      peakRun = result;
      kopek.add((double) result.perSecond());
      if (b != null) {
        ratios.add(result.perSecond() / b);
      }
      log.printf(
          "%s pair %d: kopek %d/s%s%n",
          scenario,
          pair,
          result.perSecond(),
          b == null
              ? ""
              : String.format(", baseline %.0f/s, ratio %.2f", b, result.perSecond() / b));
    }
    double peak = Bench.median(kopek);
    seed.reset();
    int halfRate = (int) Math.max(1, peak / 2);
    // The first second at that rate is not recorded: right after a reset the database's caches
    // (relation and plan caches of every connection) are cold, and its first batches wait on them
    // for up to about a second, which a running system does not see. Measured, that transient
    // alone decided the p99 of a 15-s run.
    load.constantRate(halfRate, Math.min(1_000, options.runMs()), calls);
    LoadGenerator.Result half = load.constantRate(halfRate, options.runMs(), calls);
    failed += half.failed();
    out.println(
        new JsonObject()
            .put("scenario", scenario)
            .put("kopek_per_s", Math.round(peak))
            .put("baseline_per_s", base.isEmpty() ? null : Math.round(Bench.median(base)))
            .put("ratio", ratios.isEmpty() ? null : round(Bench.median(ratios), 2))
            .put("baseline_mode", calibration == null ? null : "prepared")
            .put("baseline_clients", calibration == null ? null : calibration.prepared().best())
            .put("baseline_sweep", calibration == null ? null : rounded(calibration.prepared()))
            .put(
                "baseline_simple16_per_s",
                calibration == null ? null : Math.round(calibration.simple()))
            .put(
                "ceiling_per_s",
                calibration == null ? null : Math.round(calibration.ceiling().bestPerSecond()))
            .put(
                "ceiling_share",
                calibration == null ? null : round(peak / calibration.ceiling().bestPerSecond(), 3))
            .put("ceiling_clients", calibration == null ? null : calibration.ceiling().best())
            .put("ceiling_sweep", calibration == null ? null : rounded(calibration.ceiling()))
            .put("p50_ms", round(half.millis(50), 2))
            .put("p99_ms", round(half.millis(99), 2))
            .put("p999_ms", round(half.millis(99.9), 2))
            .put("latency_at_per_s", halfRate)
            .put("peak_p99_ms", round(peakRun.millis(99), 2))
            .put("cpu_us_per_request", cpuSpent.json(Runtime.getRuntime().availableProcessors()))
            .put("pairs", options.pairs())
            .put("failed", failed)
            .put("webhook_endpoint", receiver != null)
            .put(
                "webhooks_delivered_per_s",
                receiver == null
                    ? null
                    : Math.round(delivered * 1000.0 / (options.runMs() * options.pairs())))
            .put("webhook_backlog_max", receiver == null ? null : backlog)
            .encode());
  }

  /** Bills {@code billingWallets} due wallets at once through the test clock. */
  private void billing() throws Exception {
    int count = options.billingWallets();
    log.println("Seeding " + count + " subscribed wallets");
    seed.subscriptions(count);
    long before = newestEntry();
    advanceClockAnHour();
    long start = System.nanoTime();
    awaitBilled(before, count);
    long elapsedNanos = System.nanoTime() - start;
    long charged =
        Bench.queryLong(
            seed.database(), "SELECT count(*) FROM ledger_entries WHERE kind = 'billing'");
    out.println(
        new JsonObject()
            .put("scenario", "billing_run")
            .put("kopek_per_s", count * 1_000_000_000L / elapsedNanos)
            .put("baseline_per_s", null)
            .put("ratio", null)
            .put("p50_ms", null)
            .put("p99_ms", null)
            .put("p999_ms", null)
            .put("wallets", count)
            .put("entries", charged)
            .put("seconds", round(elapsedNanos / 1e9, 2))
            .encode());
  }

  /** A sweep as JSON: client count (as text) to debits per second, in the sweep's order. */
  /** Moves the billing test clock an hour ahead: every subscribed wallet falls due. */
  private void advanceClockAnHour() throws Exception {
    HttpResponse<Buffer> moved =
        client
            .post("/v1/admin/clock")
            .bearerTokenAuthentication(tokens.admin)
            .sendJsonObject(new JsonObject().put("advance_ms", 3_600_000))
            .await(30_000, TimeUnit.MILLISECONDS);
    if (moved.statusCode() != 200) {
      throw new IllegalStateException("moving the clock failed: " + moved.bodyAsString());
    }
  }

  /**
   * Waits until the ledger has handed out {@code wallets} entry ids after {@code before} and then
   * until no wallet is due or has a run under way, over one connection and its prepared statements.
   * The first wait reads the entries' sequence (one page); the second, which finds the last runs'
   * ends, runs two index probes over the billing timers (under a millisecond each on this
   * connection). Polled every 50 ms over a new connection each time, as before, that check cost 17
   * ms of execution and 4.6 ms of planning a time (a new backend starts with cold caches): a fifth
   * of a core of the PostgreSQL whose work it measured. Should the entries stop short of {@code
   * wallets} (a wallet too poor to pay posts none), the second wait starts once no id has been
   * handed out for two seconds.
   */
  private void awaitBilled(long before, int wallets) throws Exception {
    String due =
        "SELECT (EXISTS (SELECT 1 FROM billing_wallets WHERE pending_run IS NOT NULL) "
            + "OR EXISTS (SELECT 1 FROM billing_wallets "
            + "WHERE next_charge_at <= (SELECT now FROM billing_test_clock)))::int";
    long deadline = System.currentTimeMillis() + 600_000;
    try (Connection connection =
            DriverManager.getConnection(
                seed.database().jdbcUrl(), seed.database().user(), seed.database().password());
        PreparedStatement newest = connection.prepareStatement(LAST_ENTRY_ID);
        PreparedStatement anyDue = connection.prepareStatement(due)) {
      long started = System.currentTimeMillis();
      long last = single(newest);
      long grewAt = started;
      while (last - before < wallets && System.currentTimeMillis() - grewAt < 2_000) {
        Thread.sleep(10);
        long now = single(newest);
        if (now != last) {
          last = now;
          grewAt = System.currentTimeMillis();
        }
      }
      long posted = System.currentTimeMillis();
      int checks = 1;
      while (single(anyDue) > 0) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("billing did not finish within 10 minutes");
        }
        Thread.sleep(10);
        checks++;
      }
      log.println(
          "Billing: "
              + (last - before)
              + " entry ids handed out in "
              + (posted - started)
              + " ms; no wallet due "
              + (System.currentTimeMillis() - posted)
              + " ms later ("
              + checks
              + " checks)");
    }
  }

  /**
   * The last entry id the ledger's sequence handed out: the tables' reset empties the entries but
   * leaves the sequence where it was, so the newest entry's id would say nothing.
   */
  private long newestEntry() throws Exception {
    return Bench.queryLong(seed.database(), LAST_ENTRY_ID);
  }

  /**
   * The last id the entries' sequence handed out: one page read, however busy the table (the newest
   * entry's id, read through the primary key while 2,000 uncommitted entries sat at its end, took
   * 7.6 ms a probe).
   */
  private static final String LAST_ENTRY_ID =
      "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END"
          + " FROM ledger_entries_id_seq";

  private static long single(PreparedStatement query) throws SQLException {
    try (ResultSet result = query.executeQuery()) {
      result.next();
      return result.getLong(1);
    }
  }

  /**
   * The billing run's path warmed as the debits' are: wallets of their own subscribed and billed
   * for {@link #BILLING_WARMUP_ROUNDS} hours, then their timers moved out of every later run's
   * reach. Without it, the billing run measured the JIT compiling billing's code (its C2 compiler
   * thread took half a core throughout a quick run).
   */
  private void warmUpBilling() throws Exception {
    int wallets = Math.max(100, Math.min(BILLING_WARMUP_WALLETS, options.billingWallets() / 2));
    seed.subscriptions(BILLING_WARMUP_PREFIX, wallets);
    for (int round = 0; round < BILLING_WARMUP_ROUNDS; round++) {
      long before = newestEntry();
      advanceClockAnHour();
      awaitBilled(before, wallets);
    }
    seed.park(BILLING_WARMUP_PREFIX);
  }

  private static final String BILLING_WARMUP_PREFIX = "warm";
  private static final int BILLING_WARMUP_WALLETS = 5_000;
  private static final int BILLING_WARMUP_ROUNDS = 3;

  private static JsonObject rounded(Baseline.Sweep sweep) {
    JsonObject json = new JsonObject();
    sweep.perSecond().forEach((clients, rate) -> json.put(clients.toString(), Math.round(rate)));
    return json;
  }

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
