package dev.kopek.gateway.sandbox;

import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewaySettings;
import java.lang.System.Logger.Level;

/**
 * The sandbox's settings, checked.
 *
 * @param webhookSecret the secret webhooks are signed with
 * @param toleranceSeconds how far a webhook's timestamp may lie from the clock
 * @param deliverWebhooks whether webhooks are sent at all; false models a lost webhook
 * @param webhookRetryMax how many times a failed delivery is retried
 */
record SandboxConfig(
    String webhookSecret, long toleranceSeconds, boolean deliverWebhooks, int webhookRetryMax) {

  static final int MIN_SECRET_LENGTH = 32;

  private static final System.Logger LOG = System.getLogger(SandboxConfig.class.getName());

  /** Generated on first use, so every sandbox gateway of the process signs alike. */
  private static final class GeneratedSecret {
    static final String VALUE = "whsec_sbx_" + RandomIds.alphanumeric(40);
  }

  static SandboxConfig from(GatewaySettings settings) throws GatewayConfigException {
    String secret = settings.string("webhook_secret", null);
    if (secret == null) {
      LOG.log(
          Level.WARNING,
          settings.keyName("webhook_secret")
              + " is not set; webhooks are"
              + " signed with a random secret that lasts until the process exits");
      secret = GeneratedSecret.VALUE;
    } else if (secret.length() < MIN_SECRET_LENGTH) {
      throw new GatewayConfigException(
          settings.keyName("webhook_secret")
              + " must be at least "
              + MIN_SECRET_LENGTH
              + " characters, was "
              + secret.length()
              + "; use a long random string, e.g. from `openssl rand -hex 32`");
    }
    long tolerance = settings.number("tolerance_s", 300, 1, 3600);
    boolean deliver = bool(settings, "deliver_webhooks", true);
    int retryMax = (int) settings.number("webhook_retry_max", 5, 0, 20);
    return new SandboxConfig(secret, tolerance, deliver, retryMax);
  }

  /** GatewaySettings has no boolean reader; environment overrides may arrive as text. */
  private static boolean bool(GatewaySettings settings, String key, boolean defaultValue)
      throws GatewayConfigException {
    Object value = settings.config().get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text) {
      if (text.trim().equalsIgnoreCase("true")) {
        return true;
      }
      if (text.trim().equalsIgnoreCase("false")) {
        return false;
      }
    }
    throw new GatewayConfigException(
        settings.keyName(key) + " must be true or false, was " + value);
  }

  @Override
  public String toString() {
    return "SandboxConfig[webhookSecret=***, toleranceSeconds="
        + toleranceSeconds
        + ", deliverWebhooks="
        + deliverWebhooks
        + ", webhookRetryMax="
        + webhookRetryMax
        + "]";
  }
}
