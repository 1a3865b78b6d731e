package dev.kopek.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Kopek's configuration, read exactly as {@code java -jar kopek.jar} reads it: the defaults built
 * into the jar ({@code config/kopek.yaml}), then {@code config/kopek.yaml} in the working directory
 * when present, then the file named by {@code --config} or {@code KOPEK_CONFIG}, each merged over
 * the one before, then the documented environment variables ({@code KOPEK_*}, {@code STRIPE_*},
 * {@code BRAINTREE_*}). The result is what {@link Kopek.Builder#config} takes; change it before
 * starting Kopek if you like (start-up checks every value).
 */
public final class KopekConfig {

  static {
    Logging.configure();
  }

  private KopekConfig() {}

  /**
   * The configuration of this process: the file named by {@code KOPEK_CONFIG} (if set) and the
   * process environment.
   *
   * @throws IllegalArgumentException for a file that is missing or not YAML, or an environment
   *     variable of the wrong type, naming it
   */
  public static JsonObject load() {
    Map<String, String> environment = System.getenv();
    return load(
        Optional.ofNullable(environment.get("KOPEK_CONFIG")).map(Path::of).orElse(null),
        environment);
  }

  /**
   * The configuration with {@code file} merged over the defaults (as {@code --config file}), and
   * the process environment.
   *
   * @param file a YAML file, or null for none
   */
  public static JsonObject load(Path file) {
    return load(file, System.getenv());
  }

  /**
   * The configuration with {@code file} merged over the defaults and {@code environment}'s
   * documented variables applied.
   *
   * @param file a YAML file, or null for none
   * @param environment variables by name (the process's own: {@code System.getenv()})
   */
  public static JsonObject load(Path file, Map<String, String> environment) {
    // A short-lived Vert.x of its own: the server's Vert.x needs the settings first.
    Vertx bootstrap = Vertx.vertx();
    try {
      return ConfigLoader.load(bootstrap, file, environment)
          .recover(
              failure ->
                  Future.failedFuture(
                      failure instanceof IllegalArgumentException
                          ? failure
                          : new IllegalArgumentException(
                              "the configuration cannot be read: " + failure.getMessage(),
                              failure)))
          .await(30, TimeUnit.SECONDS);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("the configuration cannot be read: " + e.getMessage(), e);
    } finally {
      bootstrap.close();
    }
  }
}
