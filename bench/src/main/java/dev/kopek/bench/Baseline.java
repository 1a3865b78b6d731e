package dev.kopek.bench;

import dev.kopek.storage.PostgresEndpoint;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The baseline: raw PostgreSQL doing the same work per request as a Kopek debit — debit a wallet
 * under the guard and append the entry — as one SQL statement, driven by pgbench on the same
 * database server. pgbench runs it with prepared statements ({@code -M prepared}) and the client
 * count that a sweep measured to be fastest, and in its default mode (simple query protocol, 16
 * clients) for reference. The batched script does the same work for {@value #BATCH} debits per
 * statement: the ceiling of this machine and this database for that work.
 */
final class Baseline {

  /** The client counts a sweep measures, in the order it measures them. */
  static final List<Integer> CLIENTS = List.of(1, 2, 4, 8, 12, 16, 32);

  /** pgbench's default-mode baseline, as the bench measured it before the sweep. */
  static final int SIMPLE_CLIENTS = 16;

  /** Debits per statement of the batched script. */
  static final int BATCH = 100;

  /**
   * pgbench's random seed: each run's clients draw the same wallets in the same order, so runs
   * differ only by what the machine does.
   */
  static final int SEED = 17;

  /**
   * The batched statement's connection settings, those of Kopek's ledger writer (its {@code
   * LedgerVerticle.writerOptions}): a generic plan made once per connection, and no table scans,
   * hash joins or merge joins, so that the statement's one join is a nested loop of index lookups
   * in wallet id order (see {@link #batchedStatement}).
   */
  static final String BATCH_PGOPTIONS =
      "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c enable_hashjoin=off"
          + " -c enable_mergejoin=off";

  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial");
  private static final Pattern PROCESSED =
      Pattern.compile("number of transactions actually processed: ([0-9]+)");
  private static final Pattern FAILED = Pattern.compile("number of failed transactions: ([0-9]+)");

  /** pgbench's protocol: {@code -M simple} (its default) or {@code -M prepared}. */
  enum Protocol {
    SIMPLE,
    PREPARED;

    String flag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How long one pgbench run lasts: whole seconds ({@code -T}) or transactions per client. */
  record Length(int seconds, int transactions) {

    static Length seconds(long millis) {
      return new Length((int) Math.max(1, millis / 1000), 0);
    }

    static Length transactions(int perClient) {
      return new Length(0, perClient);
    }

    List<String> args() {
      return seconds > 0
          ? List.of("-T", String.valueOf(seconds))
          : List.of("-t", String.valueOf(transactions));
    }

    @Override
    public String toString() {
      return seconds > 0 ? seconds + " s" : transactions + " transactions per client";
    }
  }

  /** One script, as a file, with the debits each of its transactions makes. */
  private record Script(Path file, int debits) {

    boolean batched() {
      return debits > 1;
    }
  }

  /**
   * Debits per second by client count, in {@link #CLIENTS} order, and the fastest count: the first
   * (fewest clients) of the fastest, should two measure the same.
   */
  record Sweep(Map<Integer, Double> perSecond) {

    int best() {
      Integer best = null;
      for (Map.Entry<Integer, Double> count : perSecond.entrySet()) {
        if (best == null || count.getValue() > perSecond.get(best)) {
          best = count.getKey();
        }
      }
      return best;
    }

    double bestPerSecond() {
      return perSecond.get(best());
    }
  }

  private final PostgresEndpoint db;
  private final Script spread;
  private final Script hot;
  private final Script batchedSpread;
  private final Script batchedHot;
  private final PrintStream log;

  private Baseline(
      PostgresEndpoint db,
      Script spread,
      Script hot,
      Script batchedSpread,
      Script batchedHot,
      PrintStream log) {
    this.db = db;
    this.spread = spread;
    this.hot = hot;
    this.batchedSpread = batchedSpread;
    this.batchedHot = batchedHot;
    this.log = log;
  }

  static Baseline prepare(PostgresEndpoint db, int wallets, Path work, PrintStream log)
      throws Exception {
    Bench.sql(
        db,
        "CREATE TABLE wallets (id INT PRIMARY KEY, balance_minor BIGINT NOT NULL "
            + "CHECK (balance_minor >= 0))",
        "CREATE TABLE entries (id BIGSERIAL PRIMARY KEY, wallet_id INT NOT NULL, "
            + "amount_minor BIGINT NOT NULL, balance_after_minor BIGINT NOT NULL, "
            + "created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        "INSERT INTO wallets SELECT g, "
            + Bench.FUND_MINOR
            + " FROM generate_series(0, "
            + wallets
            + ") g",
        "ANALYZE");
    String statement =
        """
        WITH debited AS (
          UPDATE wallets SET balance_minor = balance_minor - 1
           WHERE id = :wid AND balance_minor >= 1
          RETURNING id, balance_minor)
        INSERT INTO entries (wallet_id, amount_minor, balance_after_minor)
        SELECT id, -1, balance_minor FROM debited;
        """;
    Script spread =
        write(work, "baseline-spread.sql", "\\set wid random(1, " + wallets + ")\n" + statement, 1);
    Script hot = write(work, "baseline-hot.sql", "\\set wid 0\n" + statement, 1);
    String batched = batchedStatement();
    Script batchedSpread =
        write(
            work,
            "baseline-batched-spread.sql",
            variables("random(1, " + wallets + ")") + batched,
            BATCH);
    Script batchedHot = write(work, "baseline-batched-hot.sql", variables("0") + batched, BATCH);
    return new Baseline(db, spread, hot, batchedSpread, batchedHot, log);
  }

  /**
   * {@value #BATCH} debits in one statement, each the single-debit statement's work: the wallet's
   * balance lowered under the guard {@code balance_minor >= amount}, and one entry with the balance
   * after it. A wallet drawn several times is updated once, by all its debits together and guarded
   * by their total, as Kopek's ledger writer updates each account once per batch, and gets one
   * entry per debit, each with its own balance after, in the statement's order. Every wallet is
   * funded for the whole run, so no debit is ever refused (which {@link #run} checks), and the
   * guard on the total passes wherever each debit's would.
   *
   * <p>The wallets are updated in id order, so that concurrent clients lock them in one order and
   * cannot deadlock: with the connection's settings ({@link #BATCH_PGOPTIONS}) the update's only
   * plan is a nested loop over the debits grouped and sorted by wallet, with an index lookup per
   * wallet. The entries come from each wallet's list of positions in the statement, with no second
   * join.
   */
  static String batchedStatement() {
    String ids =
        IntStream.rangeClosed(1, BATCH).mapToObj(i -> ":w" + i).collect(Collectors.joining(", "));
    return """
        WITH debits AS (
          SELECT wid, count(*) AS n, array_agg(i ORDER BY i) AS positions
            FROM unnest(ARRAY[%s]::int[]) WITH ORDINALITY AS b(wid, i)
           GROUP BY wid
           ORDER BY wid),
        debited AS (
          UPDATE wallets w SET balance_minor = w.balance_minor - d.n
            FROM debits d
           WHERE w.id = d.wid AND w.balance_minor >= d.n
          RETURNING w.id, w.balance_minor + d.n AS balance_before, d.positions)
        INSERT INTO entries (wallet_id, amount_minor, balance_after_minor)
        SELECT d.id, -1, d.balance_before - p.k
          FROM debited d CROSS JOIN LATERAL unnest(d.positions) WITH ORDINALITY AS p(i, k)
         ORDER BY p.i;
        """
        .formatted(ids);
  }

  /** The batched statement's variables: {@code \set w1 value} to {@code \set w100 value}. */
  private static String variables(String value) {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= BATCH; i++) {
      lines.append("\\set w").append(i).append(' ').append(value).append('\n');
    }
    return lines.toString();
  }

  private static Script write(Path work, String name, String text, int debits) throws Exception {
    Path file = work.resolve(name);
    Files.writeString(file, text);
    return new Script(file, debits);
  }

  static boolean available() {
    try {
      return new ProcessBuilder("pgbench", "--version").start().waitFor(10, TimeUnit.SECONDS);
    } catch (Exception missing) {
      return false;
    }
  }

  void reset() throws Exception {
    Bench.sql(
        db,
        "TRUNCATE entries",
        "UPDATE wallets SET balance_minor = " + Bench.FUND_MINOR,
        "ANALYZE entries",
        "VACUUM (ANALYZE) wallets",
        "CHECKPOINT");
  }

  /** Debits per second of one run of the single-debit script, from freshly reset tables. */
  double debits(boolean hot, Protocol protocol, int clients, Length length) throws Exception {
    return run(hot ? this.hot : spread, protocol, clients, length);
  }

  /**
   * Debits per second of one run of the batched script ({@value #BATCH} debits per statement,
   * prepared), from freshly reset tables.
   */
  double batched(boolean hot, int clients, Length length) throws Exception {
    return run(hot ? batchedHot : batchedSpread, Protocol.PREPARED, clients, length);
  }

  /**
   * One run per client count of {@link #CLIENTS}, in that order, each from freshly reset tables: of
   * the single-debit script with prepared statements, or of the batched script.
   */
  Sweep sweep(String scenario, boolean hot, boolean batched, Length length) throws Exception {
    Map<Integer, Double> perSecond = new LinkedHashMap<>();
    for (int clients : CLIENTS) {
      double rate =
          batched ? batched(hot, clients, length) : debits(hot, Protocol.PREPARED, clients, length);
      perSecond.put(clients, rate);
      log.printf(
          "%s %s sweep, %d clients: %.0f debits/s%n",
          scenario, batched ? "ceiling (batched)" : "baseline (prepared)", clients, rate);
    }
    return new Sweep(perSecond);
  }

  private double run(Script script, Protocol protocol, int clients, Length length)
      throws Exception {
    reset();
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "pgbench",
            "-n",
            "-M",
            protocol.flag(),
            "-c",
            String.valueOf(clients),
            "-j",
            String.valueOf(Math.min(2, clients)),
            "--random-seed",
            String.valueOf(SEED)));
    command.addAll(length.args());
    command.addAll(
        List.of(
            "-f",
            script.file().toString(),
            "-h",
            db.host(),
            "-p",
            String.valueOf(db.port()),
            "-U",
            db.user(),
            db.database()));
    ProcessBuilder builder = new ProcessBuilder(command);
    if (!db.password().isEmpty()) {
      builder.environment().put("PGPASSWORD", db.password());
    }
    if (script.batched()) {
      builder.environment().put("PGOPTIONS", BATCH_PGOPTIONS);
    }
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    Matcher tps = TPS.matcher(output);
    Matcher processed = PROCESSED.matcher(output);
    if (!tps.find() || !processed.find()) {
      log.println(output);
      throw new IllegalStateException("pgbench printed no tps");
    }
    // A client aborted (exit status 2) or a transaction failed (a deadlock, say): the rate would
    // not be the script's.
    Matcher failed = FAILED.matcher(output);
    if (exit != 0 || (failed.find() && Long.parseLong(failed.group(1)) > 0)) {
      log.println(output);
      throw new IllegalStateException(
          "pgbench exited with " + exit + " or had failed transactions: " + script.file());
    }
    // Every debit of every committed transaction made its entry: none was refused, so the rate
    // counts the work the script describes.
    long transactions = Long.parseLong(processed.group(1));
    long entries = Bench.queryLong(db, "SELECT count(*) FROM entries");
    if (entries != transactions * script.debits()) {
      log.println(output);
      throw new IllegalStateException(
          "pgbench committed "
              + transactions
              + " transactions of "
              + script.debits()
              + " debits, but "
              + entries
              + " entries were written: "
              + script.file());
    }
    return Double.parseDouble(tps.group(1)) * script.debits();
  }
}
