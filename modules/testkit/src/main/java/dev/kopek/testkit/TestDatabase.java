package dev.kopek.testkit;

import dev.kopek.storage.EmbeddedPostgresServer;
import dev.kopek.storage.Migrations;
import dev.kopek.storage.PostgresEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests, one fresh database per call of {@link #create()}, every one at the
 * current schema.
 *
 * <p>The server is the one at {@code KOPEK_TEST_DB_URL} when that is set (its user must be allowed
 * to create databases); otherwise an embedded PostgreSQL from Maven, started once per JVM on a
 * temporary directory. The migrations are applied once to a template database, and each test
 * database is a copy of it ({@code CREATE DATABASE ... TEMPLATE}), which takes milliseconds.
 */
public final class TestDatabase {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static PostgresEndpoint server;

  /** Per JVM, so that parallel test JVMs on one external server do not share a template. */
  private static String template;

  private TestDatabase() {}

  /** A new, empty, migrated database; tests never share one. */
  public static synchronized PostgresEndpoint create() {
    PostgresEndpoint admin = server();
    String name = "kopek_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute(admin, "CREATE DATABASE " + name + " TEMPLATE " + template);
    return admin.withDatabase(name);
  }

  /** The {@code postgresql://} URL of a database, as the verticles' {@code db.url} takes it. */
  public static String url(PostgresEndpoint endpoint) {
    return endpoint.url();
  }

  /** Runs SQL over JDBC, for tests that must reach past Kopek (tampering, inspection). */
  public static void execute(PostgresEndpoint endpoint, String sql) {
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql, e);
    }
  }

  /** Reads one number over JDBC (a count, a sum), for assertions on what was written. */
  public static long queryLong(PostgresEndpoint endpoint, String sql) {
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql, e);
    }
  }

  /** Reads one text value over JDBC, or null when there is no row. */
  public static String queryString(PostgresEndpoint endpoint, String sql) {
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      return result.next() ? result.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql, e);
    }
  }

  private static PostgresEndpoint server() {
    if (server == null) {
      String url = System.getenv("KOPEK_TEST_DB_URL");
      server = url != null && !url.isBlank() ? PostgresEndpoint.parse(url) : startEmbedded();
      prepareTemplate(server);
    }
    return server;
  }

  private static PostgresEndpoint startEmbedded() {
    try {
      Path directory = Files.createTempDirectory("kopek-test-pg");
      EmbeddedPostgresServer embedded = EmbeddedPostgresServer.start(directory, false);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      embedded.close();
                    } catch (IOException ignored) {
                      // the JVM is exiting; the directory is deleted below all the same
                    }
                    // A test server's directory holds about a gigabyte (WAL, every test's
                    // database): left
                    // behind, a few hundred test runs fill a disk. The library's own exit hook may
                    // still be
                    // stopping the server, whose last files then vanish under the delete: try
                    // again.
                    for (int attempt = 0; attempt < 5 && Files.exists(directory); attempt++) {
                      try {
                        org.apache.commons.io.FileUtils.deleteDirectory(directory.toFile());
                      } catch (IOException busy) {
                        try {
                          Thread.sleep(200);
                        } catch (InterruptedException interrupted) {
                          return;
                        }
                      }
                    }
                  },
                  "kopek-test-postgres-stop"));
      return embedded.endpoint();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL for tests", e);
    }
  }

  private static void prepareTemplate(PostgresEndpoint admin) {
    template = "kopek_template_" + ProcessHandle.current().pid();
    execute(admin, "DROP DATABASE IF EXISTS " + template);
    execute(admin, "CREATE DATABASE " + template);
    Migrations.migrate(admin.withDatabase(template));
  }
}
