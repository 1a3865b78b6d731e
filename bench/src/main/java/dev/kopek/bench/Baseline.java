package dev.kopek.bench;

import dev.kopek.storage.PostgresEndpoint;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline: raw PostgreSQL doing the same work per request as a Kopek debit — debit a wallet
 * under the guard and append the entry — as one SQL statement, driven by pgbench with 16 clients on
 * the same database server.
 */
final class Baseline {

  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial");

  private final PostgresEndpoint db;
  private final Path spreadScript;
  private final Path hotScript;
  private final PrintStream log;

  private Baseline(PostgresEndpoint db, Path spreadScript, Path hotScript, PrintStream log) {
    this.db = db;
    this.spreadScript = spreadScript;
    this.hotScript = hotScript;
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
    Path spread = work.resolve("baseline-spread.sql");
    Files.writeString(spread, "\\set wid random(1, " + wallets + ")\n" + statement);
    Path hot = work.resolve("baseline-hot.sql");
    Files.writeString(hot, "\\set wid 0\n" + statement);
    return new Baseline(db, spread, hot, log);
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

  /** Transactions per second of one pgbench run of the spread or hot script. */
  double run(boolean hot, long durationMs, int clients) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
            List.of(
                "pgbench",
                "-n",
                "-c",
                String.valueOf(clients),
                "-j",
                "2",
                "-T",
                String.valueOf(Math.max(1, durationMs / 1000)),
                "-f",
                (hot ? hotScript : spreadScript).toString(),
                "-h",
                db.host(),
                "-p",
                String.valueOf(db.port()),
                "-U",
                db.user(),
                db.database()));
    if (!db.password().isEmpty()) {
      builder.environment().put("PGPASSWORD", db.password());
    }
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    Matcher tps = TPS.matcher(output);
    if (!tps.find()) {
      log.println(output);
      throw new IllegalStateException("pgbench printed no tps");
    }
    return Double.parseDouble(tps.group(1));
  }
}
