package dev.kopek.gateway.spi;

/**
 * A payment provider, found by {@link java.util.ServiceLoader}. Implementations need a public
 * no-argument constructor.
 */
public interface GatewayProvider {

  /**
   * The provider's id: lower case letters, digits and {@code _}, e.g. {@code stripe}. It names the
   * configuration section ({@code payments.gateways.<id>}), the webhook URL ({@code
   * /webhooks/<id>}) and the clearing account ({@code gateway:<id>}).
   *
   * @return the id, stable across versions
   */
  String id();

  /**
   * Creates the gateway from its configuration, checking every setting.
   *
   * @param settings the provider's configuration section and what Kopek lends it
   * @return a gateway ready to use
   * @throws GatewayConfigException when a setting is missing or invalid; its message names the key
   */
  Gateway create(GatewaySettings settings) throws GatewayConfigException;
}
