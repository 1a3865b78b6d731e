/**
 * Stripe as a Kopek payment provider, found through {@link java.util.ServiceLoader} as {@link
 * dev.kopek.gateway.stripe.StripeProvider}. Everything else in the package is internal.
 */
package dev.kopek.gateway.stripe;
