package dev.kopek.storage;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a PostgreSQL server listens and how to log in: the one value both the reactive pool and
 * Flyway's JDBC connection are built from.
 *
 * @param host host name or address
 * @param port TCP port
 * @param database database name
 * @param user role to log in as
 * @param password password, or empty for trust authentication
 */
public record PostgresEndpoint(
    String host, int port, String database, String user, String password) {

  /** Checks the parts are present. */
  public PostgresEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(user, "user");
    password = password == null ? "" : password;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
  }

  /**
   * Parses {@code postgresql://user:password@host:port/database} (the {@code postgres://} and
   * {@code jdbc:postgresql://} spellings are accepted too).
   *
   * @throws IllegalArgumentException with a message saying the expected form
   */
  public static PostgresEndpoint parse(String url) {
    String text = url.startsWith("jdbc:") ? url.substring(5) : url;
    try {
      URI uri = new URI(text);
      if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
        throw new IllegalArgumentException(
            "expected postgresql://user:password@host:port/database");
      }
      String user = "postgres";
      String password = "";
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : "";
      }
      String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
      return new PostgresEndpoint(
          uri.getHost() == null ? "localhost" : uri.getHost(),
          uri.getPort() < 0 ? 5432 : uri.getPort(),
          path.isEmpty() ? "postgres" : path,
          user,
          password);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("expected postgresql://user:password@host:port/database");
    }
  }

  private static String decode(String part) {
    return URLDecoder.decode(part, StandardCharsets.UTF_8);
  }

  /** The same server, another database on it. */
  public PostgresEndpoint withDatabase(String otherDatabase) {
    return new PostgresEndpoint(host, port, otherDatabase, user, password);
  }

  /**
   * The {@code postgresql://} URL with credentials, as the Vert.x client's {@code
   * PgConnectOptions.fromUri} and the verticles' {@code db.url} take it.
   */
  public String url() {
    String secret = password.isEmpty() ? "" : ":" + encode(password);
    return "postgresql://" + encode(user) + secret + "@" + host + ":" + port + "/" + database;
  }

  private static String encode(String part) {
    return java.net.URLEncoder.encode(part, StandardCharsets.UTF_8);
  }

  /** The JDBC URL for Flyway (credentials passed separately). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Connection options for the Vert.x reactive client. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setPassword(password)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
  }

  /**
   * The URL as an operator wrote it, safe to log: the password, when there is one, masked as {@code
   * ***}.
   */
  public String redacted() {
    return "postgresql://"
        + user
        + (password.isEmpty() ? "" : ":***")
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database;
  }

  /** A form safe to log: everything but the password. */
  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }
}
