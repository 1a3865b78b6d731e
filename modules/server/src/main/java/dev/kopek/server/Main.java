package dev.kopek.server;

import dev.kopek.gateway.spi.PostResends;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar kopek.jar [run] [--config FILE]} starts Kopek; {@code java -jar kopek.jar token
 * --user ID [--admin] [--config FILE]} prints a development token; {@code java -jar kopek.jar
 * console-link --user ID} prints a one-time sign-in link to the operator console.
 */
public final class Main {

  static final String USAGE =
      """
      Usage:
        java -jar kopek.jar [run] [--config FILE]
            Start Kopek. FILE (or KOPEK_CONFIG) is merged over config/kopek.yaml.
        java -jar kopek.jar token --user ID [--admin] [--config FILE]
            Print a JWT for user ID, valid for auth.token_ttl_s, signed with auth.jwt_secret
            (KOPEK_JWT_SECRET) or the secret the server generated in its data directory
            (KOPEK_DATA_DIR).
        java -jar kopek.jar console-link --user ID [--config FILE]
            Print a one-time sign-in link (valid 5 minutes) to the operator console for the
            administrator ID, written to the running server's database (db.url, or the
            embedded PostgreSQL of the Kopek running on KOPEK_DATA_DIR).
        java -jar kopek.jar --help
      """;

  private Main() {}

  public static void main(String[] args) {
    // Before anything opens an HTTP connection: the JDK reads it once.
    PostResends.turnOff();
    Logging.configure();
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs a command; returns the process exit code (0 ok, 2 bad usage or configuration). */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(List.of(args));
    String command = rest.isEmpty() || rest.get(0).startsWith("--") ? "run" : rest.remove(0);
    if (rest.contains("--help") || rest.contains("-h") || "help".equals(command)) {
      out.print(USAGE);
      return 0;
    }
    Path configFile =
        option(rest, "--config")
            .or(() -> java.util.Optional.ofNullable(environment.get("KOPEK_CONFIG")))
            .map(Path::of)
            .orElse(null);
    try {
      JsonObject config = loadConfig(configFile, environment);
      return switch (command) {
        case "run" -> serve(config, rest, err);
        case "token" -> TokenCommand.run(config, rest, out, err);
        case "console-link" -> ConsoleLinkCommand.run(config, rest, out, err);
        default -> {
          err.println("kopek: unknown command '" + command + "'");
          err.print(USAGE);
          yield 2;
        }
      };
    } catch (IllegalArgumentException | IllegalStateException invalid) {
      // One line per problem: production mode reports every unsafe setting at once.
      for (String line : String.valueOf(invalid.getMessage()).split("\n")) {
        err.println("kopek: cannot start: " + line);
      }
      return 2;
    } catch (Exception e) {
      LoggerFactory.getLogger(Main.class).error("Kopek failed to start", e);
      return 1;
    }
  }

  private static int serve(JsonObject config, List<String> rest, PrintStream err) throws Exception {
    if (!rest.isEmpty()) {
      err.println("kopek: unexpected arguments " + rest);
      err.print(USAGE);
      return 2;
    }
    Kopek kopek = Kopek.start(config);
    Logger log = LoggerFactory.getLogger(Main.class);
    Thread stopper =
        new Thread(
            () -> {
              log.info("Shutting down: finishing in-flight requests");
              try {
                kopek.stop();
              } catch (Exception e) {
                log.error("Shutdown failed", e);
              }
            },
            "kopek-shutdown");
    Runtime.getRuntime().addShutdownHook(stopper);
    // The JVM exits when the shutdown hook has run; this thread only waits for that.
    Thread.currentThread().join();
    return 0;
  }

  /** Reads the configuration as {@link KopekConfig#load(Path, Map)} does. */
  static JsonObject loadConfig(Path configFile, Map<String, String> environment) {
    return KopekConfig.load(configFile, environment);
  }

  static java.util.Optional<String> option(List<String> args, String name) {
    int at = args.indexOf(name);
    if (at < 0) {
      return java.util.Optional.empty();
    }
    if (at + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    String value = args.get(at + 1);
    args.remove(at + 1);
    args.remove(at);
    return java.util.Optional.of(value);
  }
}
