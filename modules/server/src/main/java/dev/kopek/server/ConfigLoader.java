package dev.kopek.server;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads Kopek's configuration through vertx-config: the defaults built into the jar, then {@code
 * config/kopek.yaml} in the working directory when present, then the file named by {@code --config}
 * or {@code KOPEK_CONFIG}, each merged over the one before; then the environment variables listed
 * in {@link #ENVIRONMENT}.
 */
final class ConfigLoader {

  /** Environment variables and the keys they override; a documented, closed list. */
  static final Map<String, String> ENVIRONMENT =
      Map.ofEntries(
          Map.entry("KOPEK_MODE", "mode"),
          Map.entry("KOPEK_HTTP_HOST", "http.host"),
          Map.entry("KOPEK_HTTP_PORT", "http.port"),
          Map.entry("KOPEK_HTTP_BEHIND_PROXY", "http.behind_proxy"),
          Map.entry("KOPEK_TLS_CERT", "http.tls.cert_pem"),
          Map.entry("KOPEK_TLS_KEY", "http.tls.key_pem"),
          Map.entry("KOPEK_MANAGEMENT_HOST", "management.host"),
          Map.entry("KOPEK_MANAGEMENT_PORT", "management.port"),
          Map.entry("KOPEK_DB_URL", "db.url"),
          Map.entry("KOPEK_DATA_DIR", "db.data_dir"),
          Map.entry("KOPEK_JWT_SECRET", "auth.jwt_secret"),
          Map.entry("KOPEK_JWT_ISSUER", "auth.issuer"),
          Map.entry("KOPEK_JWT_AUDIENCE", "auth.audience"),
          Map.entry("KOPEK_JWT_PUBLIC_KEY", "auth.public_key_pem"),
          Map.entry("KOPEK_JWT_JWKS_URL", "auth.jwks_url"),
          Map.entry("KOPEK_PUBLIC_URL", "payments.public_url"),
          Map.entry("KOPEK_SANDBOX_WEBHOOK_SECRET", "payments.gateways.sandbox.webhook_secret"),
          Map.entry("KOPEK_BILLING_TEST_CLOCK", "billing.test_clock"),
          Map.entry("KOPEK_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "webhooks.allow_private_targets"),
          Map.entry("KOPEK_CLUSTER", "cluster.enabled"),
          Map.entry("KOPEK_CLUSTER_NAME", "cluster.name"),
          Map.entry("KOPEK_CLUSTER_HOST", "cluster.host"),
          Map.entry("KOPEK_CLUSTER_PORT", "cluster.port"),
          Map.entry("KOPEK_CLUSTER_BUS_PORT", "cluster.bus_port"),
          Map.entry("KOPEK_CLUSTER_MEMBERS", "cluster.members"),
          Map.entry("KOPEK_CLUSTER_TLS_CERT", "cluster.tls_cert_path"),
          Map.entry("KOPEK_CLUSTER_TLS_KEY", "cluster.tls_key_path"),
          Map.entry("KOPEK_CLUSTER_TLS_CA", "cluster.tls_ca_path"),
          Map.entry("KOPEK_PLUGINS_DIR", "extensions.dir"),
          Map.entry("BRAINTREE_MERCHANT_ID", "payments.gateways.braintree.merchant_id"),
          Map.entry("BRAINTREE_PUBLIC_KEY", "payments.gateways.braintree.public_key"),
          Map.entry("BRAINTREE_PRIVATE_KEY", "payments.gateways.braintree.private_key"),
          // Stripe's own names for its keys, as its dashboard and CLI print them.
          Map.entry("STRIPE_SECRET_KEY", "payments.gateways.stripe.secret_key"),
          Map.entry("STRIPE_WEBHOOK_SECRET", "payments.gateways.stripe.webhook_secret"),
          Map.entry("STRIPE_PUBLISHABLE_KEY", "payments.gateways.stripe.publishable_key"));

  static final String BUILT_IN = "dev/kopek/server/kopek.yaml";
  static final Path LOCAL = Path.of("config", "kopek.yaml");

  private ConfigLoader() {}

  /**
   * Reads and merges every source.
   *
   * @param overrideFile the {@code --config} file, or null
   * @param environment the process environment (a parameter, so tests can pass their own)
   */
  static Future<JsonObject> load(Vertx vertx, Path overrideFile, Map<String, String> environment) {
    List<ConfigStoreOptions> stores = new ArrayList<>();
    stores.add(yaml(BUILT_IN, false));
    if (Files.isRegularFile(LOCAL)) {
      stores.add(yaml(LOCAL.toString(), false));
    }
    if (overrideFile != null) {
      if (!Files.isRegularFile(overrideFile)) {
        return Future.failedFuture(
            new IllegalArgumentException("--config " + overrideFile + ": no such file"));
      }
      stores.add(yaml(overrideFile.toString(), false));
    }
    ConfigRetriever retriever =
        ConfigRetriever.create(
            vertx, new ConfigRetrieverOptions().setScanPeriod(0).setStores(stores));
    return retriever
        .getConfig()
        .map(config -> applyEnvironment(config, environment))
        .eventually(retriever::close);
  }

  private static ConfigStoreOptions yaml(String path, boolean optional) {
    return new ConfigStoreOptions()
        .setType("file")
        .setFormat("yaml")
        .setOptional(optional)
        .setConfig(new JsonObject().put("path", path));
  }

  /**
   * Environment values are strings; they are converted to numbers for the keys documented as
   * integers, and to {@code true} or {@code false} for the keys documented as booleans (whatever
   * the files hold there, since the variable replaces it).
   */
  static JsonObject applyEnvironment(JsonObject config, Map<String, String> environment) {
    ENVIRONMENT.forEach(
        (variable, key) -> {
          String value = environment.get(variable);
          if (value == null) {
            return;
          }
          String[] path = key.split("\\.");
          JsonObject section = config;
          for (int i = 0; i < path.length - 1; i++) {
            JsonObject next = section.getJsonObject(path[i]);
            if (next == null) {
              next = new JsonObject();
              section.put(path[i], next);
            }
            section = next;
          }
          String leaf = path[path.length - 1];
          if (ServerConfig.typeOf(key) == Integer.class) {
            try {
              section.put(leaf, Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException(
                  variable + " (" + key + ") must be an integer, was \"" + value + "\"");
            }
          } else if (ServerConfig.typeOf(key) == Boolean.class) {
            section.put(leaf, bool(variable, key, value));
          } else {
            section.put(leaf, value);
          }
        });
    return config;
  }

  private static boolean bool(String variable, String key, String value) {
    String text = value.trim();
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(
        variable + " (" + key + ") must be true or false, was \"" + value + "\"");
  }
}
