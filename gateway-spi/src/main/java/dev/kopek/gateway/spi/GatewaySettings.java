package dev.kopek.gateway.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What Kopek hands a provider when creating its gateway.
 *
 * @param gatewayId the provider's id
 * @param config the provider's configuration section ({@code payments.gateways.<id>}) as plain Java
 *     values: {@code String}, {@code Integer}, {@code Long}, {@code Boolean}, {@code List}, {@code
 *     Map}
 * @param clock the clock to read time from (webhook tolerances, expiries)
 */
public record GatewaySettings(String gatewayId, Map<String, Object> config, Clock clock) {

  /** Checks the parts are present and copies the configuration. */
  public GatewaySettings {
    Objects.requireNonNull(gatewayId, "gatewayId");
    Objects.requireNonNull(clock, "clock");
    config = config == null ? Map.of() : Map.copyOf(config);
  }

  /**
   * The full name of a setting, for messages.
   *
   * @param key the setting's key within the provider's section
   * @return for example {@code payments.gateways.stripe.secret_key}
   */
  public String keyName(String key) {
    return "payments.gateways." + gatewayId + "." + key;
  }

  /**
   * A required, non-blank string setting.
   *
   * @param key the setting's key
   * @param fix what to do when it is missing, e.g. "set STRIPE_SECRET_KEY"
   * @return the value
   * @throws GatewayConfigException when missing, blank or not a string
   */
  public String requireString(String key, String fix) throws GatewayConfigException {
    Object value = config.get(key);
    if (!(value instanceof String text) || text.isBlank()) {
      throw new GatewayConfigException(keyName(key) + " is required: " + fix);
    }
    return text;
  }

  /**
   * An optional string setting.
   *
   * @param key the setting's key
   * @param defaultValue returned when the setting is absent or blank
   * @return the value
   * @throws GatewayConfigException when present but not a string
   */
  public String string(String key, String defaultValue) throws GatewayConfigException {
    Object value = config.get(key);
    if (value == null || (value instanceof String text && text.isBlank())) {
      return defaultValue;
    }
    if (!(value instanceof String text)) {
      throw new GatewayConfigException(keyName(key) + " must be a string");
    }
    return text;
  }

  /**
   * An optional whole-number setting within bounds.
   *
   * @param key the setting's key
   * @param defaultValue returned when absent
   * @param min smallest allowed value
   * @param max largest allowed value
   * @return the value
   * @throws GatewayConfigException when not a whole number or out of bounds
   */
  public long number(String key, long defaultValue, long min, long max)
      throws GatewayConfigException {
    Object value = config.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new GatewayConfigException(keyName(key) + " must be a whole number");
    }
    long number = ((Number) value).longValue();
    if (number < min || number > max) {
      throw new GatewayConfigException(
          keyName(key) + " must be between " + min + " and " + max + ", was " + number);
    }
    return number;
  }
}
