package dev.kopek.server;

import io.vertx.core.json.JsonObject;

/**
 * Timeouts that contradict each other, refused at start-up with the keys named. Timeouts nest: a
 * request waits for a verticle, which waits for a provider, whose client waits for the network. An
 * inner timeout that is not shorter than the one around it never fires: the outer one gives up
 * first while the inner work goes on unseen (a payment created after its caller was told it timed
 * out). The HTTP side of the chain (the idle timeout against the longest wait of a request) is
 * checked by {@code HttpConfig}.
 */
final class Timeouts {

  private Timeouts() {}

  /**
   * Checks that every enabled provider's own {@code timeout_ms} is below {@code
   * payments.gateway_timeout_ms}, after which Kopek stops waiting for a provider call.
   *
   * @throws IllegalArgumentException naming both keys
   */
  static void check(JsonObject config) {
    JsonObject payments = config.getJsonObject("payments", new JsonObject());
    Object gatewayValue = payments.getValue("gateway_timeout_ms", 15_000);
    if (!(gatewayValue instanceof Number gatewayTimeout)) {
      return; // the type check names it
    }
    JsonObject gateways = payments.getJsonObject("gateways", new JsonObject());
    for (String id : gateways.fieldNames()) {
      if (!(gateways.getValue(id) instanceof JsonObject settings)
          || !isTrue(settings.getValue("enabled", true))) {
        continue;
      }
      Long providerTimeout = number(settings.getValue("timeout_ms"));
      if (providerTimeout != null && providerTimeout >= gatewayTimeout.longValue()) {
        throw new IllegalArgumentException(
            "payments.gateways."
                + id
                + ".timeout_ms ("
                + providerTimeout
                + ") must be below payments.gateway_timeout_ms ("
                + gatewayTimeout.longValue()
                + "): Kopek stops waiting for a provider call at "
                + "payments.gateway_timeout_ms, so the provider's own timeout would never fire and "
                + "its call would go on unseen; lower the one or raise the other");
      }
    }
  }

  private static boolean isTrue(Object value) {
    return Boolean.TRUE.equals(value) || "true".equalsIgnoreCase(String.valueOf(value).trim());
  }

  /** A number, or a string of digits as the environment gives them; null for anything else. */
  private static Long number(Object value) {
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof String text && text.trim().matches("\\d{1,18}")) {
      return Long.parseLong(text.trim());
    }
    return null;
  }
}
