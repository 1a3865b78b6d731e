package dev.kopek.gateway.stripe;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
import dev.kopek.gateway.spi.PostResends;

/**
 * Stripe as a payment provider, {@code stripe}, through Stripe's Java SDK. Two ways to pay, set by
 * {@code mode}:
 *
 * <ul>
 *   <li>{@code payment_element} (the default): a PaymentIntent is created when the top-up starts,
 *       and the payer pays on Kopek's hosted page with Stripe's Payment Element (cards, wallets and
 *       the other methods enabled in the Stripe dashboard); Stripe.js confirms the payment with
 *       Stripe directly and sends the payer back to the return URL;
 *   <li>{@code checkout_session}: a Checkout Session is created and Kopek sends the payer to
 *       Stripe's own checkout page, which returns them to the return URL.
 * </ul>
 *
 * Either way the balance is credited from the signed webhook ({@code payment_intent.succeeded},
 * {@code checkout.session.completed} when paid, {@code checkout.session.async_payment_succeeded})
 * or, when a webhook is lost, from polling the PaymentIntent or Checkout Session. Kopek's payment
 * id travels in the metadata key {@code kopek_payment_id} (and as the session's {@code
 * client_reference_id}); every create call carries Kopek's idempotency key. The PaymentIntent a
 * Checkout Session creates is marked {@code kopek_via: checkout_session}, and its {@code
 * payment_intent.*} events are ignored: Kopek holds the session's id, whose own events settle the
 * payment.
 *
 * <p>A refund carries Kopek's refund id (its idempotency key) in the metadata key {@code
 * kopek_refund_id}, next to {@code kopek_payment_id}; {@code fetchRefund} finds it by that key
 * among the PaymentIntent's refunds. A call whose answer is lost or cannot be read (a timeout, a
 * dropped connection, a 5xx, a body that is not Stripe's) is a failure whose outcome is unknown,
 * never a refusal.
 *
 * <p>Amounts are sent in Stripe's units, which match Kopek's minor units except where Stripe
 * departs from ISO 4217: the three-decimal currencies (BHD, JOD, KWD, OMR, TND) must end in 0
 * (1.500 KWD is accepted, 1.505 KWD refused with {@link
 * dev.kopek.gateway.spi.GatewayFailure.Kind#INPUT_NOT_ACCEPTED} on {@code amount_minor} before
 * calling Stripe), ISK is sent in hundredths and MGA in whole units only (1050 MGA minor units is
 * refused the same way).
 *
 * <p>Settings ({@code payments.gateways.stripe.*}):
 *
 * <ul>
 *   <li>{@code secret_key} (required, env {@code STRIPE_SECRET_KEY}): {@code sk_...} or a
 *       restricted {@code rk_...} key with write access to PaymentIntents, Checkout Sessions and
 *       Refunds;
 *   <li>{@code webhook_secret} (required, env {@code STRIPE_WEBHOOK_SECRET}): the signing secret
 *       {@code whsec_...} of the webhook endpoint {@code <public URL>/webhooks/stripe};
 *   <li>{@code publishable_key} (env {@code STRIPE_PUBLISHABLE_KEY}): {@code pk_...}, required in
 *       {@code payment_element} mode;
 *   <li>{@code mode}: {@code payment_element} (default) or {@code checkout_session};
 *   <li>{@code tolerance_s}: how old a webhook's signed timestamp may be, 1 to 3600 seconds,
 *       default 300;
 *   <li>{@code api_base}: default {@code https://api.stripe.com}; point it at a stand-in such as
 *       stripe-mock ({@code http://localhost:12111}) for tests;
 *   <li>{@code timeout_ms}: connect and read timeout of each Stripe call, 100 to 120000, default
 *       10000; keep it below {@code payments.gateway_timeout_ms} so that a slow Stripe is reported
 *       as a timeout by the gateway itself.
 * </ul>
 *
 * The SDK does not retry (Kopek retries with the same idempotency key and reconciles pending
 * payments by polling), and secrets are never logged.
 */
public final class StripeProvider implements GatewayProvider {

  /** The provider's id. */
  public static final String ID = "stripe";

  static {
    PostResends.turnOff();
  }

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public StripeProvider() {}

  /** {@inheritDoc} */
  @Override
  public String id() {
    return ID;
  }

  /**
   * Creates a Stripe gateway with a client of its own.
   *
   * @param settings the {@code payments.gateways.stripe} section and Kopek's clock
   * @return the gateway
   * @throws GatewayConfigException when a setting is missing or invalid; the message names its key
   *     and, for the keys, the environment variable to set
   */
  @Override
  public Gateway create(GatewaySettings settings) throws GatewayConfigException {
    return new StripeGateway(StripeConfig.from(settings), settings.clock());
  }
}
