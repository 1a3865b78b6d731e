package dev.kopek.server;

import dev.kopek.access.AccessVerticle;
import dev.kopek.client.AccessClient;
import dev.kopek.http.ConsoleLinks;
import dev.kopek.http.HttpTls;
import dev.kopek.model.Limits;
import dev.kopek.storage.PostgresEndpoint;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code kopek.jar console-link --user ID}: a one-time sign-in link to the operator console,
 * written to the database the server uses ({@code db.url}, or the embedded PostgreSQL of the
 * running server on the data directory) through the access verticle's own code, and printed.
 */
final class ConsoleLinkCommand {

  /** How long the command waits for the database and the link. */
  private static final long WAIT_S = 20;

  private ConsoleLinkCommand() {}

  static int run(JsonObject config, List<String> args, PrintStream out, PrintStream err)
      throws Exception {
    String user = Main.option(args, "--user").orElse(null);
    if (user == null
        || user.isBlank()
        || user.length() > Limits.USER_ID_LENGTH_MAX
        || !args.isEmpty()) {
      err.println(
          "kopek: console-link needs --user ID (the administrator's user id, at most "
              + Limits.USER_ID_LENGTH_MAX
              + " characters)"
              + (args.isEmpty() ? "" : "; unexpected " + args));
      err.print(Main.USAGE);
      return 2;
    }
    ServerConfig settings = ServerConfig.from(config);
    String url;
    if (settings.databaseUrl() != null) {
      url = PostgresEndpoint.parse(settings.databaseUrl()).url();
    } else {
      Path postgres = settings.dataDirectory().resolve("postgres").toAbsolutePath().normalize();
      Optional<Integer> port = runningPort(postgres);
      if (port.isEmpty()) {
        err.println(
            "kopek: console-link: no Kopek is running on the data directory "
                + settings.dataDirectory().toAbsolutePath().normalize()
                + ": start Kopek first (java -jar kopek.jar), or set KOPEK_DATA_DIR to its data"
                + " directory");
        return 2;
      }
      url =
          new PostgresEndpoint("127.0.0.1", port.get(), Kopek.EMBEDDED_DATABASE, "postgres", "")
              .url();
    }
    JsonObject accessConfig = new JsonObject().put("db", new JsonObject().put("url", url));
    Vertx vertx = Vertx.vertx();
    try {
      vertx
          .deployVerticle(new AccessVerticle(), new DeploymentOptions().setConfig(accessConfig))
          .await(WAIT_S, TimeUnit.SECONDS);
      AccessClient access = AccessClient.create(vertx, WAIT_S * 1000);
      JsonObject link;
      try {
        link =
            ConsoleLinks.create(access, config, user, publicUrl(config), "console-link")
                .await(WAIT_S, TimeUnit.SECONDS);
      } catch (Exception unreachable) {
        err.println(
            "kopek: console-link: the database at "
                + PostgresEndpoint.parse(url).redacted()
                + " did not take the link ("
                + unreachable.getMessage()
                + "): start Kopek first (java -jar kopek.jar)");
        return 2;
      }
      out.println(link.getString("url"));
      return 0;
    } finally {
      vertx.close().await(WAIT_S, TimeUnit.SECONDS);
    }
  }

  /**
   * The port of the PostgreSQL running on {@code directory}, from its {@code postmaster.pid}
   * (PostgreSQL's documented layout: the process id on line 1, the port on line 4), when that
   * process is alive.
   */
  static Optional<Integer> runningPort(Path directory) throws IOException {
    Path pidFile = directory.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
    if (lines.size() < 4) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(lines.get(0).trim());
      int port = Integer.parseInt(lines.get(3).trim());
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return Optional.of(port);
      }
      return Optional.empty();
    } catch (NumberFormatException corrupt) {
      return Optional.empty();
    }
  }

  /** {@code payments.public_url}, else the address the server listens on. */
  static String publicUrl(JsonObject config) {
    String configured =
        config.getJsonObject("payments", new JsonObject()).getString("public_url", "");
    if (!configured.isBlank()) {
      return configured.replaceAll("/+$", "");
    }
    JsonObject http = config.getJsonObject("http", new JsonObject());
    String host = http.getString("host", "127.0.0.1");
    if ("0.0.0.0".equals(host) || "::".equals(host)) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      // An IPv6 address: bracketed in a URL (RFC 3986), so that its colons are not the port's.
      host = "[" + host + "]";
    }
    return (HttpTls.from(config) != null ? "https://" : "http://")
        + host
        + ":"
        + http.getInteger("port", 8080);
  }
}
