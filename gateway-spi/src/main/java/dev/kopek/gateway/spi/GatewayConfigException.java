package dev.kopek.gateway.spi;

/** A provider's configuration is missing or invalid; the message names the key and the fix. */
public final class GatewayConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the setting (for example {@code payments.gateways.stripe.secret_key}) and
   *     says how to fix it
   */
  public GatewayConfigException(String message) {
    super(message);
  }
}
