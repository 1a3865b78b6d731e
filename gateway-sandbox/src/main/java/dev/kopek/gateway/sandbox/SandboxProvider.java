package dev.kopek.gateway.sandbox;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;

/**
 * The built-in test-mode payment provider, {@code sandbox}: a card form on Kopek's hosted page that
 * accepts Stripe's documented test card numbers, webhooks signed and retried the way Stripe sends
 * them, status polling and refunds. It needs no account and reaches no network except Kopek's own
 * webhook URL, so top-ups can be tried end to end on a laptop or in CI.
 *
 * <p>Test cards (any future expiry date in MM/YY, any 3- or 4-digit CVC):
 *
 * <ul>
 *   <li>{@code 4242 4242 4242 4242} succeeds;
 *   <li>{@code 4000 0000 0000 0002} is declined with {@code card_declined};
 *   <li>{@code 4000 0000 0000 9995} is declined with {@code insufficient_funds};
 *   <li>{@code 4000 0025 0000 3155} needs authentication and stays pending for good;
 *   <li>{@code 4000 0000 0000 3063} succeeds, but the page is told the outcome is unknown and no
 *       webhook is sent: only {@link Gateway#fetchStatus} reveals it;
 *   <li>any other valid card number is declined with {@code card_not_supported}.
 * </ul>
 *
 * <p>Settings ({@code payments.gateways.sandbox.*}):
 *
 * <ul>
 *   <li>{@code webhook_secret}: signs webhooks, at least 32 characters; when unset a random one is
 *       generated for the life of the process, with a warning;
 *   <li>{@code tolerance_s}: how far a webhook's timestamp may lie from the clock, 1 to 3600
 *       seconds, default 300;
 *   <li>{@code deliver_webhooks}: default true; false models a webhook that is lost for good;
 *   <li>{@code webhook_retry_max}: retries of a webhook the receiver did not acknowledge with a
 *       2xx, 0 to 20, default 5, with exponential backoff from one second.
 * </ul>
 *
 * <p><strong>Payments live in memory only.</strong> When Kopek restarts, its sandbox forgets every
 * payment: polling or refunding one started before the restart answers {@link
 * dev.kopek.gateway.spi.GatewayFailure.Kind#NOT_FOUND}, a submission for it fails the same way, and
 * looking one of its refunds up ({@link Gateway#fetchRefund}, by the refund's idempotency key)
 * finds none. That is acceptable for a test-mode provider and never for a real one.
 */
public final class SandboxProvider implements GatewayProvider {

  /** The provider's id. */
  public static final String ID = "sandbox";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public SandboxProvider() {}

  /** {@inheritDoc} */
  @Override
  public String id() {
    return ID;
  }

  /**
   * Creates a sandbox gateway with its own, empty payment store.
   *
   * @param settings the {@code payments.gateways.sandbox} section and Kopek's clock
   * @return the gateway
   * @throws GatewayConfigException when a setting is invalid; the message names its key
   */
  @Override
  public Gateway create(GatewaySettings settings) throws GatewayConfigException {
    return new SandboxGateway(
        SandboxConfig.from(settings), settings.clock(), SandboxGateway.RETRY_BASE_DELAY);
  }
}
