package dev.kopek.testkit;

import dev.kopek.storage.EmbeddedPostgresServer;
import dev.kopek.storage.Migrations;
import dev.kopek.storage.PostgresEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PostgreSQL server of a test's own, which the test stops and starts again (on the same directory
 * and port, so that its clients find it again) to play a database outage. The shared server of
 * {@link TestDatabase} is never stopped: other tests use it.
 */
public final class RestartableDatabase implements AutoCloseable {

  private final Path directory;
  private final int port;
  private EmbeddedPostgresServer server;

  private RestartableDatabase(Path directory, int port) {
    this.directory = directory;
    this.port = port;
  }

  /** Starts a server on a new temporary directory and a free port; nothing is migrated. */
  public static RestartableDatabase start() throws IOException {
    RestartableDatabase database =
        new RestartableDatabase(Files.createTempDirectory("kopek-test-pg-restartable"), freePort());
    database.startServer();
    return database;
  }

  /** Starts a server on a new temporary directory and {@code port}; nothing is migrated. */
  public static RestartableDatabase startOn(int port) throws IOException {
    RestartableDatabase database =
        new RestartableDatabase(Files.createTempDirectory("kopek-test-pg-restartable"), port);
    database.startServer();
    return database;
  }

  /** A TCP port nothing listens on right now (the system's choice). */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /** The server's {@code postgres} database, migrated on first call. */
  public PostgresEndpoint migrated() {
    PostgresEndpoint endpoint = endpoint();
    Migrations.migrate(endpoint);
    return endpoint;
  }

  /** The {@code postgres} database, whether the server runs or not. */
  public PostgresEndpoint endpoint() {
    return new PostgresEndpoint("127.0.0.1", port, "postgres", "postgres", "");
  }

  /**
   * Stops the server the way an operator's restart does (a fast shutdown: every backend is
   * terminated with SQLSTATE 57P01, then connections are refused).
   */
  public void stop() throws IOException {
    if (server != null) {
      EmbeddedPostgresServer running = server;
      server = null;
      running.close();
    }
  }

  /**
   * Begins a smart shutdown (SIGTERM to the postmaster): open sessions go on, every new connection
   * is refused with SQLSTATE 57P03 ("the database system is shutting down"), and the server stops
   * once the last session has ended. What a client meets while a server restarts.
   */
  public void beginShutdown() throws IOException {
    ProcessHandle postmaster =
        postmaster()
            .orElseThrow(() -> new IllegalStateException("no postmaster runs on " + directory));
    postmaster.destroy();
  }

  /** Waits until the postmaster has exited, then forgets the server (so it can start again). */
  public void awaitStopped(java.time.Duration timeout) throws Exception {
    java.util.Optional<ProcessHandle> postmaster = postmaster();
    if (postmaster.isPresent()) {
      postmaster.get().onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    try {
      stop();
    } catch (IOException | RuntimeException alreadyStopped) {
      // pg_ctl has nothing to stop any more
    }
  }

  private java.util.Optional<ProcessHandle> postmaster() throws IOException {
    Path pidFile = directory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return java.util.Optional.empty();
    }
    return ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
  }

  /** Starts the server again on the same directory and port. */
  public void startServer() throws IOException {
    if (server == null) {
      server = EmbeddedPostgresServer.start(directory, false, true, port);
    }
  }

  /** Stops the server and deletes its directory. */
  @Override
  public void close() throws IOException {
    stop();
    org.apache.commons.io.FileUtils.deleteQuietly(directory.toFile());
  }
}
