/**
 * The payment provider SPI. A provider module ships a {@link dev.kopek.gateway.spi.GatewayProvider}
 * registered in {@code META-INF/services/dev.kopek.gateway.spi.GatewayProvider}; Kopek finds it
 * with {@link java.util.ServiceLoader}, and creates one {@link dev.kopek.gateway.spi.Gateway} per
 * provider enabled in its configuration ({@code payments.gateways.<id>}).
 *
 * <p>Amounts are integers in minor units with an ISO 4217 currency code. Outcomes are values, not
 * exceptions: a decline is a {@link dev.kopek.gateway.spi.PaymentOutcome.Declined}, a provider that
 * cannot be reached is a {@link dev.kopek.gateway.spi.GatewayFailure}. Methods may block (SDK calls
 * do): Kopek calls them off its event loop, one at a time per call site, and bounds each with its
 * own timeout.
 */
package dev.kopek.gateway.spi;
