package dev.kopek.server;

import dev.kopek.model.DatabaseFailures;
import dev.kopek.storage.PostgresEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up waits for an external database: Kopek started together with its PostgreSQL (one compose
 * file, one boot) finds it still starting, or not listening yet. Attempts back off from a quarter
 * of a second to five seconds, each failure logged in one line naming {@code db.url} (its password
 * masked), until {@code db.connect_timeout_ms} is over; then start-up stops with one line naming
 * the setting. A database that answers but refuses Kopek (a wrong password, a database that does
 * not exist) stops it at once: waiting would not help.
 */
final class DatabaseWait {

  private static final long FIRST_PAUSE_MS = 250;
  private static final long LONGEST_PAUSE_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseWait.class);

  private DatabaseWait() {}

  /**
   * Returns once {@code endpoint} accepts a connection.
   *
   * @throws IllegalStateException naming {@code db.url} when it did not within {@code timeoutMs} or
   *     refused Kopek
   */
  static void await(PostgresEndpoint endpoint, long timeoutMs) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeoutMs * 1_000_000;
    long pause = FIRST_PAUSE_MS;
    for (int attempt = 1; ; attempt++) {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      SQLException failure;
      try (Connection connection = connect(endpoint, leftMs)) {
        if (attempt > 1) {
          LOG.info(
              "The database at db.url {} accepts connections now (attempt {})",
              endpoint.redacted(),
              attempt);
        }
        return;
      } catch (SQLException e) {
        failure = e;
      }
      String reason = oneLine(failure);
      if (!DatabaseFailures.isTransient(failure)) {
        throw new IllegalStateException(
            "db.url (KOPEK_DB_URL) " + endpoint.redacted() + " refused the connection: " + reason);
      }
      leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        throw new IllegalStateException(
            "no database at db.url (KOPEK_DB_URL) "
                + endpoint.redacted()
                + " after waiting "
                + timeoutMs
                + " ms (db.connect_timeout_ms): "
                + reason
                + "; start PostgreSQL there, or correct db.url");
      }
      long sleep = Math.min(pause, leftMs);
      LOG.warn(
          "Waiting for the database at db.url {} (attempt {}, {} ms of {}): {}; next "
              + "attempt in {} ms",
          endpoint.redacted(),
          attempt,
          (System.nanoTime() - started) / 1_000_000,
          timeoutMs,
          reason,
          sleep);
      Thread.sleep(sleep);
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
  }

  private static Connection connect(PostgresEndpoint endpoint, long leftMs) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", endpoint.user());
    properties.setProperty("password", endpoint.password());
    // Whole seconds; an unreachable host must not hold an attempt past the deadline for long.
    String seconds = String.valueOf(Math.max(1, Math.min(10, (leftMs + 999) / 1000)));
    properties.setProperty("connectTimeout", seconds);
    properties.setProperty("loginTimeout", seconds);
    return DriverManager.getConnection(endpoint.jdbcUrl(), properties);
  }

  /** The driver's message, on one line (never the password: it is not part of the URL). */
  private static String oneLine(SQLException failure) {
    String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    return message.replaceAll("\\s+", " ").trim();
  }
}
