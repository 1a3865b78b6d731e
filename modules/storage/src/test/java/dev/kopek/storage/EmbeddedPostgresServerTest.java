package dev.kopek.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded PostgreSQL server")
class EmbeddedPostgresServerTest {

  @TempDir Path temp;

  /** Servers and processes a test started, stopped after it even when it fails. */
  private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

  @AfterEach
  void stopEverything() throws Exception {
    while (!cleanup.isEmpty()) {
      cleanup.pop().close();
    }
  }

  /** Whether a file in {@code logs} comes to contain {@code text} within 10 s. */
  private static boolean awaitLogged(Path logs, String text) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    do {
      if (Files.isDirectory(logs)) {
        try (Stream<Path> files = Files.list(logs)) {
          for (Path file : files.toList()) {
            if (Files.readString(file, StandardCharsets.UTF_8).contains(text)) {
              return true;
            }
          }
        }
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return false;
  }

  @Test
  @Timeout(30)
  @DisplayName(
      "refuses a data directory written by PostgreSQL 16, naming both versions, and leaves it alone")
  void refusesAnotherMajorVersion() throws IOException {
    Path directory = temp.resolve("pg16");
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("PG_VERSION"), "16\n", StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> EmbeddedPostgresServer.start(directory, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the data directory "
                + directory
                + " was written by PostgreSQL 16 but Kopek "
                + "ships PostgreSQL 17: point KOPEK_DATA_DIR at another directory, or dump it with "
                + "pg_dump 16 and restore into a new one");

    try (Stream<Path> files = Files.list(directory)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("PG_VERSION");
    }
    assertThat(Files.readString(directory.resolve("PG_VERSION"))).isEqualTo("16\n");
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "runs durably, keeps its own log in the data directory, and refuses a second start "
          + "on a directory it is running on without disturbing it")
  void durableAndRefusesASecondStartInTheSameProcess() throws Exception {
    Path directory = temp.resolve("pg");
    EmbeddedPostgresServer server = EmbeddedPostgresServer.start(directory, true);
    cleanup.push(server);
    PostgresEndpoint endpoint = server.endpoint();
    assertThat(show(endpoint, "fsync")).isEqualTo("on");
    assertThat(show(endpoint, "synchronous_commit")).isEqualTo("on");
    assertThat(show(endpoint, "full_page_writes")).isEqualTo("on");
    long postmaster = postmasterPid(directory);

    assertThatThrownBy(() -> EmbeddedPostgresServer.start(directory, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the data directory "
                + directory
                + " is in use by a running Kopek: stop it "
                + "first, or set KOPEK_DATA_DIR to another directory");

    assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).contains(true);
    assertThat(postmasterPid(directory)).isEqualTo(postmaster);
    assertThat(show(endpoint, "server_version_num")).startsWith("17");

    // Its own log keeps what it reports (a refused statement here), in the data directory.
    try (java.sql.Connection connection =
            java.sql.DriverManager.getConnection(
                endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        java.sql.Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.execute("SELECT 1 / 0 AS kopek_log_check"));
    }
    assertThat(awaitLogged(directory.resolve("log"), "division by zero")).isTrue();

    server.close();
    assertThat(Files.exists(directory.resolve("postmaster.pid"))).isFalse();
    EmbeddedPostgresServer again = EmbeddedPostgresServer.start(directory, true);
    cleanup.push(again);
    assertThat(show(again.endpoint(), "fsync")).isEqualTo("on");
  }

  @Test
  @Timeout(120)
  @DisplayName(
      "refuses a directory another live process runs on, and stops the postmaster left behind once that process is killed")
  void anotherProcessLiveThenKilled() throws Exception {
    Path directory = temp.resolve("pg");
    Process owner = startOwner(directory);
    int port = awaitReady(owner);
    PostgresEndpoint endpoint = new PostgresEndpoint("127.0.0.1", port, "postgres", "postgres", "");
    execute(endpoint, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
    long postmaster = postmasterPid(directory);
    ProcessHandle postmasterProcess = ProcessHandle.of(postmaster).orElseThrow();

    // Live owner: refused, and its server keeps running.
    assertThatThrownBy(() -> EmbeddedPostgresServer.start(directory, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is in use by a running Kopek");
    assertThat(postmasterProcess.isAlive()).isTrue();
    assertThat(query(endpoint, "SELECT n FROM kept")).isEqualTo("42");

    // Killed owner: its postmaster is orphaned, still running, and is stopped by the next start.
    owner.destroyForcibly();
    assertThat(owner.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(postmasterProcess.isAlive()).isTrue();

    EmbeddedPostgresServer next = EmbeddedPostgresServer.start(directory, false);
    cleanup.push(next);
    assertThat(postmasterProcess.isAlive()).isFalse();
    assertThat(postmasterPid(directory)).isNotEqualTo(postmaster);
    assertThat(query(next.endpoint(), "SELECT n FROM kept")).isEqualTo("42");
  }

  private Process startOwner(Path directory) throws IOException {
    String classPath =
        Optional.ofNullable(System.getProperty("surefire.test.class.path"))
            .orElse(System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                EmbeddedPostgresProcess.class.getName(),
                directory.toString())
            .redirectErrorStream(true)
            .start();
    cleanup.push(
        () -> {
          process.destroyForcibly();
          process.waitFor(20, TimeUnit.SECONDS);
          // A killed owner leaves its postmaster behind; the test's own start normally stops it.
          if (Files.exists(directory.resolve("postmaster.pid"))) {
            Optional<ProcessHandle> left = ProcessHandle.of(postmasterPid(directory));
            if (left.isPresent()) {
              left.get().destroy();
              left.get().onExit().get(20, TimeUnit.SECONDS);
            }
          }
        });
    return process;
  }

  private static int awaitReady(Process process) throws IOException {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.startsWith("ready ")) {
        Thread drain = new Thread(() -> lines.lines().forEach(ignored -> {}));
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.substring(6).trim());
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("the server process ended before it was ready:\n" + seen);
  }

  private static long postmasterPid(Path directory) throws IOException {
    return Long.parseLong(Files.readAllLines(directory.resolve("postmaster.pid")).get(0).trim());
  }

  private static String show(PostgresEndpoint endpoint, String setting) throws SQLException {
    return query(endpoint, "SHOW " + setting);
  }

  private static String query(PostgresEndpoint endpoint, String sql) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      assertThat(result.next()).isTrue();
      return result.getString(1);
    }
  }

  private static void execute(PostgresEndpoint endpoint, String sql) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
