package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payment providers on the classpath (found by {@link ServiceLoader}) and the gateways enabled
 * in {@code payments.gateways}. A provider is switched on or off by configuration alone.
 */
final class GatewayRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayRegistry.class);

  private final Map<String, Gateway> gateways;

  private GatewayRegistry(Map<String, Gateway> gateways) {
    this.gateways = Collections.unmodifiableMap(gateways);
  }

  /**
   * Creates every enabled gateway.
   *
   * @throws IllegalArgumentException naming {@code payments.gateways.<id>} when a provider is not
   *     installed or its settings are invalid
   */
  static GatewayRegistry load(Map<String, JsonObject> enabled, Clock clock, ClassLoader loader) {
    Map<String, GatewayProvider> found = new TreeMap<>();
    var providers = ServiceLoader.load(GatewayProvider.class, loader).iterator();
    while (true) {
      try {
        if (!providers.hasNext()) {
          break;
        }
        GatewayProvider provider = providers.next();
        found.put(provider.id(), provider);
        LOG.info("Found payment provider '{}' ({})", provider.id(), provider.getClass().getName());
      } catch (java.util.ServiceConfigurationError broken) {
        // A broken jar must not hide the providers that work; one that is configured and
        // missing still stops start-up below, naming its key.
        LOG.error("Skipping a payment provider that cannot be loaded: {}", broken.getMessage());
      }
    }
    Map<String, Gateway> gateways = new LinkedHashMap<>();
    try {
      enabled.forEach((id, settings) -> gateways.put(id, create(found, id, settings, clock)));
    } catch (RuntimeException e) {
      gateways.values().forEach(Gateway::close);
      throw e;
    }
    return new GatewayRegistry(gateways);
  }

  private static Gateway create(
      Map<String, GatewayProvider> found, String id, JsonObject settings, Clock clock) {
    GatewayProvider provider = found.get(id);
    if (provider == null) {
      throw new IllegalArgumentException(
          "payments.gateways."
              + id
              + ": no payment provider '"
              + id
              + "' is installed (installed: "
              + String.join(", ", found.keySet())
              + "); fix the id, "
              + "add the provider's module to the classpath, or remove the entry");
    }
    JsonObject copy = settings.copy();
    copy.remove("enabled");
    try {
      Gateway gateway = provider.create(new GatewaySettings(id, plain(copy), clock));
      LOG.info("Payment gateway '{}' enabled", id);
      return gateway;
    } catch (GatewayConfigException invalid) {
      throw new IllegalArgumentException(invalid.getMessage(), invalid);
    }
  }

  /**
   * The settings as the SPI promises them: plain Java maps and lists all the way down, so that
   * providers need not know Vert.x's JSON types.
   */
  static java.util.Map<String, Object> plain(JsonObject json) {
    java.util.Map<String, Object> map = new LinkedHashMap<>();
    json.forEach(entry -> map.put(entry.getKey(), plainValue(entry.getValue())));
    return map;
  }

  private static Object plainValue(Object value) {
    if (value instanceof JsonObject object) {
      return plain(object);
    }
    if (value instanceof io.vertx.core.json.JsonArray array) {
      return array.stream().map(GatewayRegistry::plainValue).toList();
    }
    return value;
  }

  Optional<Gateway> find(String id) {
    return Optional.ofNullable(gateways.get(id));
  }

  java.util.Set<String> ids() {
    return gateways.keySet();
  }

  @Override
  public void close() {
    gateways
        .values()
        .forEach(
            gateway -> {
              try {
                gateway.close();
              } catch (RuntimeException e) {
                LOG.warn("Closing payment gateway '{}' failed", gateway.id(), e);
              }
            });
  }
}
