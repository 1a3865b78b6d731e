package dev.kopek.model;

import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/**
 * Tells a database that is not there right now (down, restarting, unreachable, dropping
 * connections) from everything else: the one place every module asks, so that an outage answers 503
 * {@code unavailable} (retry later with the same key) wherever it strikes, and is logged as an
 * outage, not as a bug.
 *
 * <p>Transient: a connection refused, reset or closed; SQLSTATE class 08 (connection exception);
 * 57P01 {@code admin_shutdown} (the server is stopping, or the backend was terminated), 57P02
 * {@code crash_shutdown} and 57P03 {@code cannot_connect_now} (starting up or shutting down). Both
 * the Vert.x client's and JDBC's exceptions are read, along the whole cause chain.
 */
public final class DatabaseFailures {

  /** The SQLSTATEs of an outage outside class 08. */
  private static final Set<String> OUTAGE_SQL_STATES = Set.of("57P01", "57P02", "57P03");

  /** How deep a cause chain is followed (a guard against cycles). */
  private static final int CAUSES_MAX = 16;

  /**
   * Whether the Vert.x SQL client is on the class path: a JVM that only talks to Kopek over the
   * event bus (a sibling, an extension's own process) has no database client, and its errors are
   * then never the client's.
   */
  private static final boolean SQL_CLIENT = present("io.vertx.sqlclient.DatabaseException");

  private DatabaseFailures() {}

  private static boolean present(String className) {
    try {
      Class.forName(className, false, DatabaseFailures.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }

  /** The SQL client's exceptions, in a class of their own: loaded only where the client is. */
  private static final class SqlClientErrors {

    static boolean isDatabaseError(Throwable error) {
      return error instanceof io.vertx.sqlclient.DatabaseException;
    }

    static String sqlState(Throwable error) {
      return ((io.vertx.sqlclient.DatabaseException) error).getSqlState();
    }

    static boolean isClosedConnection(Throwable error) {
      return error instanceof io.vertx.sqlclient.ClosedConnectionException;
    }
  }

  /** Whether {@code error} (or one of its causes) says the database is unavailable right now. */
  public static boolean isTransient(Throwable error) {
    return kind(error).isPresent();
  }

  /**
   * What kind of outage {@code error} shows, as a short label for the log ({@code "connection
   * refused"}, {@code "SQLSTATE 57P01"}, ...), or empty when it is not an outage.
   */
  public static Optional<String> kind(Throwable error) {
    Throwable cause = error;
    for (int depth = 0; cause != null && depth < CAUSES_MAX; depth++, cause = cause.getCause()) {
      Optional<String> kind = kindOf(cause);
      if (kind.isPresent()) {
        return kind;
      }
    }
    return Optional.empty();
  }

  /** The failure an outage answers with. */
  public static Failure unavailable() {
    return Failure.of(
        ErrorCode.UNAVAILABLE,
        "the database is not available right now; retry " + "later with the same idempotency key");
  }

  private static Optional<String> kindOf(Throwable error) {
    String sqlState =
        SQL_CLIENT && SqlClientErrors.isDatabaseError(error)
            ? SqlClientErrors.sqlState(error)
            : error instanceof SQLException jdbc ? jdbc.getSQLState() : null;
    if (sqlState != null) {
      return sqlState.startsWith("08") || OUTAGE_SQL_STATES.contains(sqlState)
          ? Optional.of("SQLSTATE " + sqlState)
          : Optional.empty();
    }
    if (error instanceof ConnectException) {
      return Optional.of("connection refused");
    }
    if (error instanceof NoRouteToHostException || error instanceof UnknownHostException) {
      return Optional.of("host unreachable");
    }
    if ((SQL_CLIENT && SqlClientErrors.isClosedConnection(error))
        || error instanceof ClosedChannelException) {
      return Optional.of("connection closed");
    }
    String message = error.getMessage() == null ? "" : error.getMessage();
    if (error instanceof VertxException && closedConnection(message)) {
      // The pool's and the socket's "Connection was closed", "Pending requests failed to be sent
      // due to connection has been closed.", ...
      return Optional.of("connection closed");
    }
    if (error instanceof java.io.IOException
        && (message.contains("Connection reset") || message.contains("Broken pipe"))) {
      return Optional.of("connection reset");
    }
    return Optional.empty();
  }

  private static boolean closedConnection(String message) {
    String text = message.toLowerCase(java.util.Locale.ROOT);
    return text.contains("connection was closed")
        || text.contains("connection has been closed")
        || text.contains("connection is closed")
        || text.contains("connection closed");
  }
}
