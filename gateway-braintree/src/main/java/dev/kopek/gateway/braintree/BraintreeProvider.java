package dev.kopek.gateway.braintree;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
import dev.kopek.gateway.spi.PostResends;

/**
 * The Braintree payment provider, {@code braintree}, through the braintree-java SDK.
 *
 * <p>The payer pays in Braintree's Drop-in UI on Kopek's hosted page: {@code startCheckout} issues
 * a client token, Drop-in turns the payer's details into a one-time nonce, and {@code
 * submitCheckout} makes the sale with it, submitted for settlement, its order id being Kopek's
 * payment id. Braintree's REST API has no idempotency key, so before charging the sale is looked up
 * by that order id, and a transaction found is answered instead of charging again.
 * Submitted-for-settlement, settling and settled sales count as paid; the {@code
 * transaction_settled} webhook confirms them, and {@code transaction_settlement_declined} reports
 * the rare settlement that fails. Refunds refund settled sales and void whole sales that have not
 * settled yet; a refund carries Kopek's refund id (its idempotency key) as its order id, by which
 * {@code fetchRefund} finds it among the sale's refunds (a voided sale answers for a whole refund).
 * A call whose answer is lost or cannot be read is a failure whose outcome is unknown, never a
 * refusal. A currency no merchant account settles, and an amount Braintree cannot take (more than
 * three decimals), are refused before anything is sent as {@link
 * dev.kopek.gateway.spi.GatewayFailure.Kind#INPUT_NOT_ACCEPTED}.
 *
 * <p>Settings ({@code payments.gateways.braintree.*}):
 *
 * <ul>
 *   <li>{@code merchant_id}, {@code public_key}, {@code private_key}: the API credentials
 *       (required; environment BRAINTREE_MERCHANT_ID, BRAINTREE_PUBLIC_KEY, BRAINTREE_PRIVATE_KEY);
 *       the private key also verifies webhooks;
 *   <li>{@code environment}: {@code sandbox} (default) or {@code production};
 *   <li>{@code merchant_account_id}: the merchant account to charge, or a map from currency to
 *       merchant account, since an account settles one currency; unset, the gateway's default
 *       account. A payment in a currency no configured account settles is refused before the payer
 *       sees a form;
 *   <li>{@code api_base}: a base URL replacing the environment's, to point the SDK at a stand-in
 *       such as WireMock;
 *   <li>{@code timeout_ms}: connect and read timeout of each call, 100 to 120000, default 10000.
 * </ul>
 *
 * <p>The SDK logs every request at INFO through java.util.logging; creating a gateway lowers that
 * logger to WARNING.
 */
public final class BraintreeProvider implements GatewayProvider {

  /** The provider's id. */
  public static final String ID = "braintree";

  static {
    PostResends.turnOff();
  }

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public BraintreeProvider() {}

  /** {@inheritDoc} */
  @Override
  public String id() {
    return ID;
  }

  /**
   * Creates a Braintree gateway. Makes no call to Braintree: wrong credentials show on the first
   * payment as an authentication failure.
   *
   * @param settings the {@code payments.gateways.braintree} section and Kopek's clock
   * @return the gateway
   * @throws GatewayConfigException when a setting is missing or invalid; the message names its key
   *     and, for credentials, the environment variable
   */
  @Override
  public Gateway create(GatewaySettings settings) throws GatewayConfigException {
    return new BraintreeAdapter(BraintreeConfig.from(settings));
  }
}
