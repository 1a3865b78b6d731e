package dev.kopek.gateway.spi;

/**
 * A payment as Kopek's hosted checkout page shows it.
 *
 * @param paymentId Kopek's id of the payment
 * @param amountMinor the amount in minor units
 * @param currency ISO 4217 code
 * @param providerReference the provider's id from {@link CheckoutResult.Started}, or null
 * @param clientSecret the client secret or token from {@link CheckoutResult.Started}, or null
 * @param submitUrl where the page posts the payer's form (relative URL on Kopek)
 * @param returnUrl where the page sends the payer when done
 * @param webhookUrl Kopek's absolute webhook URL for this provider
 */
public record HostedCheckout(
    String paymentId,
    long amountMinor,
    String currency,
    String providerReference,
    String clientSecret,
    String submitUrl,
    String returnUrl,
    String webhookUrl) {}
